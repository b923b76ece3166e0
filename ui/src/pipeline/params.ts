// Parameter values as the properties pane and validation see them: defaults
// filled, references to pipeline parameters resolved, and visibility
// conditions ("mode=split-rows", "data_format=csv|tsv") evaluated the way
// docs/pipelines.md §4 says the engine does.

import type { ParamDescriptor, ParamRef, PipelineParameter } from '../api/types';

export function isRef(v: unknown): v is ParamRef {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    Object.keys(v).length === 1 &&
    typeof (v as ParamRef).$param === 'string'
  );
}

/** A value with its pipeline parameter reference resolved to the default. */
export function resolve(v: unknown, pipelineParams: Record<string, PipelineParameter>): unknown {
  return isRef(v) ? pipelineParams[v.$param]?.default : v;
}

/** The value a node parameter has: its own, else the module's default. */
export function effectiveValue(
  p: ParamDescriptor,
  values: Record<string, unknown>,
  pipelineParams: Record<string, PipelineParameter>,
): unknown {
  const v = resolve(values[p.name], pipelineParams);
  return v === undefined || v === null ? p.default : v;
}

/** Text as the engine compares it: strings as they are, true/false, numbers as written. */
function asText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  return String(v);
}

/** Whether parameter `p` is shown, given the node's values. */
export function isVisible(
  p: ParamDescriptor,
  all: readonly ParamDescriptor[],
  values: Record<string, unknown>,
  pipelineParams: Record<string, PipelineParameter>,
): boolean {
  if (!p.visible_when) return true;
  const eq = p.visible_when.indexOf('=');
  if (eq < 0) return true;
  const name = p.visible_when.slice(0, eq).trim();
  const options = p.visible_when.slice(eq + 1).split('|').map((s) => s.trim());
  const controller = all.find((q) => q.name === name);
  if (!controller) return true;
  // A controller that is itself hidden hides what it controls.
  if (controller !== p && !isVisible(controller, all, values, pipelineParams)) return false;
  return options.includes(asText(effectiveValue(controller, values, pipelineParams)));
}

/** The pipeline parameter type for a module parameter type (docs/pipelines.md §2.1). */
export function pipelineTypeOf(type: string): string {
  switch (type) {
    case 'number':
    case 'int':
    case 'bool':
    case 'string':
    case 'text':
    case 'dataset':
    case 'column':
    case 'column-selection':
      return type;
    default:
      return 'string';
  }
}
