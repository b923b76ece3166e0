// Auto-layout: a layered drawing of the DAG, top to bottom, by dagre
// (Gansner et al., "A Technique for Drawing Directed Graphs", 1993: rank
// assignment, crossing reduction by median ordering, coordinate assignment).

import dagre from '@dagrejs/dagre';

import type { DesignEdge, DesignNode } from './graph';

const DEFAULT_SIZE = { width: 220, height: 80 };

/** New positions for every node; nodes keep their ids and data. */
export function layeredLayout(nodes: readonly DesignNode[], edges: readonly DesignEdge[]): DesignNode[] {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 50, ranksep: 70, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  const size = (n: DesignNode) => ({
    width: n.measured?.width ?? DEFAULT_SIZE.width,
    height: n.measured?.height ?? DEFAULT_SIZE.height,
  });
  for (const n of nodes) g.setNode(n.id, size(n));
  for (const e of edges) if (g.hasNode(e.source) && g.hasNode(e.target)) g.setEdge(e.source, e.target);
  dagre.layout(g);
  return nodes.map((n) => {
    const p = g.node(n.id);
    const { width, height } = size(n);
    // dagre places centres; React Flow places top-left corners.
    return { ...n, position: { x: Math.round(p.x - width / 2), y: Math.round(p.y - height / 2) } };
  });
}
