// The designer's graph: React Flow nodes and edges that carry exactly what a
// pipeline document holds, and the conversions between the two. Node data
// holds only the document's fields; status, issues and descriptors are
// looked up by node id, so a run or a validation never rewrites the graph.

import type { Edge, Node } from '@xyflow/react';

import type { PipelineDocument, PipelineParameter } from '../api/types';

export interface ModuleNodeData extends Record<string, unknown> {
  module: string;
  params: Record<string, unknown>;
  regenerate?: boolean;
}

export type DesignNode = Node<ModuleNodeData, 'module'>;
export type DesignEdge = Edge;

export interface DocMeta {
  name: string;
  description: string;
  parameters: Record<string, PipelineParameter>;
}

export interface Graph {
  nodes: DesignNode[];
  edges: DesignEdge[];
  meta: DocMeta;
}

export const edgeId = (source: string, sourcePort: string, target: string, targetPort: string) =>
  `${source}.${sourcePort}->${target}.${targetPort}`;

/** "node.port" split at the first dot (node ids hold no dots). */
export function splitEnd(end: string): [string, string] {
  const dot = end.indexOf('.');
  return dot < 0 ? [end, ''] : [end.slice(0, dot), end.slice(dot + 1)];
}

export function makeEdge(source: string, sourcePort: string, target: string, targetPort: string): DesignEdge {
  return {
    id: edgeId(source, sourcePort, target, targetPort),
    source,
    sourceHandle: sourcePort,
    target,
    targetHandle: targetPort,
  };
}

/** The graph of a document. Nodes without a position get none (x = y = NaN
 *  is avoided: they are placed on a grid, and `needsLayout` says so). */
export function fromDocument(doc: PipelineDocument): Graph & { needsLayout: boolean } {
  const layout = doc.layout ?? {};
  let needsLayout = false;
  const nodes: DesignNode[] = (doc.nodes ?? []).map((n, i) => {
    const at = layout[n.id];
    if (!at) needsLayout = true;
    const node: DesignNode = {
      id: n.id,
      type: 'module',
      position: at ? { x: at.x, y: at.y } : { x: 40 + (i % 4) * 260, y: 40 + Math.floor(i / 4) * 140 },
      data: { module: n.module, params: { ...(n.params ?? {}) } },
    };
    if (n.regenerate) node.data.regenerate = true;
    return node;
  });
  const edges = (doc.edges ?? []).map((e) => {
    const [source, sourcePort] = splitEnd(e.from);
    const [target, targetPort] = splitEnd(e.to);
    return makeEdge(source, sourcePort, target, targetPort);
  });
  return {
    nodes,
    edges,
    meta: {
      name: doc.name ?? '',
      description: doc.description ?? '',
      parameters: { ...(doc.parameters ?? {}) },
    },
    needsLayout,
  };
}

/** The document of a graph; positions are rounded so saves diff cleanly. */
export function toDocument(g: Graph): PipelineDocument {
  const layout: Record<string, { x: number; y: number }> = {};
  for (const n of g.nodes) layout[n.id] = { x: Math.round(n.position.x), y: Math.round(n.position.y) };
  const doc: PipelineDocument = {
    format: 'weft.pipeline/1',
    name: g.meta.name,
    description: g.meta.description,
    parameters: g.meta.parameters,
    nodes: g.nodes.map((n) => {
      const params: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(n.data.params)) if (v !== undefined) params[k] = v;
      return n.data.regenerate
        ? { id: n.id, module: n.data.module, params, regenerate: true }
        : { id: n.id, module: n.data.module, params };
    }),
    edges: g.edges.map((e) => ({
      from: `${e.source}.${e.sourceHandle ?? ''}`,
      to: `${e.target}.${e.targetHandle ?? ''}`,
    })),
    layout,
  };
  return doc;
}

/** A node id made from `base` that no node in `taken` has: "split-data",
 *  "split-data-2", ... Ids hold letters, digits, "-" and "_". */
export function uniqueId(base: string, taken: ReadonlySet<string>): string {
  const clean =
    base
      .replace(/@.*$/, '')
      .replace(/[^A-Za-z0-9_-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 90) || 'node';
  if (!taken.has(clean)) return clean;
  for (let i = 2; ; i++) {
    const id = `${clean}-${i}`;
    if (!taken.has(id)) return id;
  }
}
