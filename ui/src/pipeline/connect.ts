// The rules a connection must pass while it is being dragged, with a reason
// a person can read when it is refused. They are the validation rules of
// docs/pipelines.md §4 that concern one edge: kinds match, an input takes
// one edge, no cycles; checked here so the canvas refuses at once.

import type { Catalogue } from './catalogue';
import type { DesignEdge, DesignNode } from './graph';

export interface Attempt {
  source: string | null;
  sourceHandle?: string | null;
  target: string | null;
  targetHandle?: string | null;
}

function reaches(from: string, to: string, edges: readonly DesignEdge[]): boolean {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.source, [...(next.get(e.source) ?? []), e.target]);
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n === to) return true;
    if (seen.has(n)) continue;
    seen.add(n);
    stack.push(...(next.get(n) ?? []));
  }
  return false;
}

/** Why the connection cannot be made, or null when it can. */
export function connectionProblem(
  c: Attempt,
  nodes: readonly DesignNode[],
  edges: readonly DesignEdge[],
  catalogue: Catalogue,
): string | null {
  if (!c.source || !c.target || !c.sourceHandle || !c.targetHandle) return 'connect an output to an input';
  if (c.source === c.target) return 'a node cannot connect to itself';
  const from = nodes.find((n) => n.id === c.source);
  const to = nodes.find((n) => n.id === c.target);
  if (!from || !to) return 'that node no longer exists';
  const out = catalogue.output(from.data.module, c.sourceHandle);
  const inp = catalogue.input(to.data.module, c.targetHandle);
  if (!out || !inp) return 'connect an output (below a node) to an input (above a node)';
  if (out.kind !== inp.kind) {
    return `cannot connect a ${out.kind} output to a ${inp.kind} input: "${c.sourceHandle}" gives ${out.kind}, "${c.targetHandle}" takes ${inp.kind}`;
  }
  const taken = edges.find((e) => e.target === c.target && e.targetHandle === c.targetHandle);
  if (taken) {
    if (taken.source === c.source && taken.sourceHandle === c.sourceHandle) return 'these ports are already connected';
    return `input "${c.targetHandle}" already has a connection (from "${taken.source}.${taken.sourceHandle}"); an input takes one`;
  }
  if (reaches(c.target, c.source, edges)) return 'this connection would make a cycle';
  return null;
}
