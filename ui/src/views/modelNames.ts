// Names for the models an evaluation compares, read from the run's
// pipeline: each evaluated input is traced back through Score Model (or
// Assign Data to Clusters) and Train Model to the learner node, so the
// report says "Two-class boosted decision tree" rather than
// "scored_dataset".

import type { PipelineDocument } from '../api/types';
import { inputLabel } from './report';

/** "two-class-boosted-decision-tree@1" -> "Two-class boosted decision tree". */
export function moduleTitle(module: string): string {
  const words = module.replace(/@\d+$/, '').replace(/-/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function sourceOf(doc: PipelineDocument, node: string, port: string): string | null {
  const e = (doc.edges ?? []).find((x) => x.to === `${node}.${port}`);
  return e ? e.from.slice(0, e.from.indexOf('.')) : null;
}

/** The learner node behind an evaluated input, or the node that scored it. */
function learnerOf(doc: PipelineDocument, evalNode: string, input: string): { id: string; module: string } | null {
  const moduleOf = (id: string) => (doc.nodes ?? []).find((n) => n.id === id)?.module ?? '';
  let at = sourceOf(doc, evalNode, input);
  if (!at) return null;
  const scored = { id: at, module: moduleOf(at) };
  // scorer -> trained model -> trainer -> untrained model
  for (const port of ['trained_model', 'untrained_model']) {
    const next = sourceOf(doc, at, port);
    if (!next) break;
    at = next;
  }
  return at === scored.id ? scored : { id: at, module: moduleOf(at) };
}

/** A name per evaluated input, distinct from each other. */
export function modelNames(
  doc: PipelineDocument | null | undefined,
  evalNode: string,
  inputs: string[],
  title: (module: string) => string = moduleTitle,
): string[] {
  const found = inputs.map((i) => (doc ? learnerOf(doc, evalNode, i) : null));
  const titles = found.map((f, k) => (f ? title(f.module) : inputLabel(inputs[k]!)));
  return titles.map((t, k) => (titles.indexOf(t) !== titles.lastIndexOf(t) && found[k] ? `${t} (${found[k]!.id})` : t));
}
