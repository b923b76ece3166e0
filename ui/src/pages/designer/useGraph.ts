// The designer's editable graph with undo and redo. Every change that
// alters the pipeline document records the graph as it was before, so undo
// steps back one user action: a whole drag, one deletion, one paste, one
// parameter edit (typing into a field coalesces into one step per field).

import {
  applyEdgeChanges,
  applyNodeChanges,
  type Connection,
  type EdgeChange,
  type NodeChange,
  type XYPosition,
} from '@xyflow/react';
import { useCallback, useMemo, useReducer } from 'react';

import type { PipelineDocument } from '../../api/types';
import {
  fromDocument,
  makeEdge,
  toDocument,
  uniqueId,
  type DesignEdge,
  type DesignNode,
  type DocMeta,
  type Graph,
} from '../../pipeline/graph';
import { layeredLayout } from '../../pipeline/layout';

const HISTORY_LIMIT = 200;

interface State {
  graph: Graph;
  past: Graph[];
  future: Graph[];
  /** The graph before the drag in progress began, recorded once it ends. */
  dragStart: Graph | null;
  /** Consecutive edits of one field coalesce into one undo step. */
  lastEditKey: string | null;
}

/** What copy keeps: nodes and the edges between them. */
export interface Clip {
  nodes: DesignNode[];
  edges: DesignEdge[];
}

type Action =
  | { type: 'nodes'; changes: NodeChange<DesignNode>[] }
  | { type: 'edges'; changes: EdgeChange<DesignEdge>[] }
  | { type: 'connect'; connection: Connection }
  | { type: 'add'; node: DesignNode }
  | { type: 'param'; node: string; name: string; value: unknown }
  | { type: 'meta'; meta: Partial<DocMeta>; key: string }
  | { type: 'edit'; key: string; apply: (g: Graph) => Graph }
  | { type: 'paste'; clip: Clip; offset: XYPosition }
  | { type: 'delete-selected' }
  | { type: 'select-all' }
  | { type: 'select'; ids: string[] }
  | { type: 'layout' }
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'replace'; doc: PipelineDocument };

function record(s: State, next: Graph, editKey: string | null = null): State {
  if (editKey !== null && editKey === s.lastEditKey) return { ...s, graph: next, future: [] };
  const past = [...s.past, s.graph].slice(-HISTORY_LIMIT);
  return { ...s, graph: next, past, future: [], lastEditKey: editKey };
}

function withNodes(g: Graph, nodes: DesignNode[]): Graph {
  return { ...g, nodes };
}

function initialGraph(doc: PipelineDocument): Graph {
  const g = fromDocument(doc);
  return g.needsLayout && g.nodes.length > 0 ? { ...g, nodes: layeredLayout(g.nodes, g.edges) } : g;
}

function reduce(s: State, a: Action): State {
  const g = s.graph;
  switch (a.type) {
    case 'nodes': {
      const removes = a.changes.some((c) => c.type === 'remove');
      const dragging = a.changes.some((c) => c.type === 'position' && c.dragging);
      const dragEnd = a.changes.some((c) => c.type === 'position' && c.dragging === false);
      let nodes = applyNodeChanges(a.changes, g.nodes);
      let edges = g.edges;
      if (removes) {
        const gone = new Set(a.changes.flatMap((c) => (c.type === 'remove' ? [c.id] : [])));
        edges = edges.filter((e) => !gone.has(e.source) && !gone.has(e.target));
        nodes = nodes.filter((n) => !gone.has(n.id));
        return record(s, { ...g, nodes, edges });
      }
      const next = withNodes(g, nodes);
      if (dragging && !s.dragStart) return { ...s, graph: next, dragStart: g };
      if (dragEnd) {
        const before = s.dragStart ?? g;
        const past = [...s.past, before].slice(-HISTORY_LIMIT);
        return { ...s, graph: next, past, future: [], dragStart: null, lastEditKey: null };
      }
      return { ...s, graph: next };
    }
    case 'edges': {
      const edges = applyEdgeChanges(a.changes, g.edges);
      const next = { ...g, edges };
      return edges.length < g.edges.length ? record(s, next) : { ...s, graph: next };
    }
    case 'connect': {
      const { source, sourceHandle, target, targetHandle } = a.connection;
      if (!sourceHandle || !targetHandle) return s;
      const edge = makeEdge(source, sourceHandle, target, targetHandle);
      if (g.edges.some((e) => e.id === edge.id)) return s;
      return record(s, { ...g, edges: [...g.edges, edge] });
    }
    case 'add': {
      const nodes = [...g.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), { ...a.node, selected: true }];
      return record(s, withNodes(g, nodes));
    }
    case 'param': {
      const nodes = g.nodes.map((n) => {
        if (n.id !== a.node) return n;
        const params = { ...n.data.params };
        if (a.value === undefined) delete params[a.name];
        else params[a.name] = a.value;
        return { ...n, data: { ...n.data, params } };
      });
      return record(s, withNodes(g, nodes), `param:${a.node}:${a.name}`);
    }
    case 'meta':
      return record(s, { ...g, meta: { ...g.meta, ...a.meta } }, `meta:${a.key}`);
    case 'edit':
      return record(s, a.apply(g), a.key);
    case 'paste': {
      const taken = new Set(g.nodes.map((n) => n.id));
      const rename = new Map<string, string>();
      for (const n of a.clip.nodes) {
        const id = uniqueId(n.id, taken);
        taken.add(id);
        rename.set(n.id, id);
      }
      const pasted: DesignNode[] = a.clip.nodes.map((n) => ({
        ...n,
        id: rename.get(n.id)!,
        position: { x: n.position.x + a.offset.x, y: n.position.y + a.offset.y },
        selected: true,
        data: { ...n.data, params: structuredClone(n.data.params) },
      }));
      const edges = a.clip.edges.map((e) =>
        makeEdge(rename.get(e.source)!, e.sourceHandle ?? '', rename.get(e.target)!, e.targetHandle ?? ''),
      );
      const nodes = [...g.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...pasted];
      return record(s, { ...g, nodes, edges: [...g.edges.map((e) => ({ ...e, selected: false })), ...edges] });
    }
    case 'delete-selected': {
      const gone = new Set(g.nodes.filter((n) => n.selected).map((n) => n.id));
      const edges = g.edges.filter((e) => !e.selected && !gone.has(e.source) && !gone.has(e.target));
      if (gone.size === 0 && edges.length === g.edges.length) return s;
      return record(s, { ...g, nodes: g.nodes.filter((n) => !gone.has(n.id)), edges });
    }
    case 'select-all':
      return { ...s, graph: withNodes(g, g.nodes.map((n) => ({ ...n, selected: true }))) };
    case 'select': {
      const ids = new Set(a.ids);
      return {
        ...s,
        graph: {
          ...g,
          nodes: g.nodes.map((n) => (n.selected === ids.has(n.id) ? n : { ...n, selected: ids.has(n.id) })),
          edges: g.edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
        },
      };
    }
    case 'layout':
      return g.nodes.length === 0 ? s : record(s, withNodes(g, layeredLayout(g.nodes, g.edges)));
    case 'undo': {
      const prev = s.past[s.past.length - 1];
      if (!prev) return s;
      return { ...s, graph: prev, past: s.past.slice(0, -1), future: [g, ...s.future], lastEditKey: null };
    }
    case 'redo': {
      const [next, ...rest] = s.future;
      if (!next) return s;
      return { ...s, graph: next, past: [...s.past, g], future: rest, lastEditKey: null };
    }
    case 'replace':
      return record(s, initialGraph(a.doc));
  }
}

/** The text the designer saves for a document, as it would show it. */
export function documentTextOf(doc: PipelineDocument): string {
  return JSON.stringify(toDocument(initialGraph(doc)));
}

export function useGraph(doc: PipelineDocument) {
  const [state, dispatch] = useReducer(reduce, doc, (d) => ({
    graph: initialGraph(d),
    past: [],
    future: [],
    dragStart: null,
    lastEditKey: null,
  }));
  const { graph } = state;

  const document = useMemo(() => toDocument(graph), [graph]);
  const documentText = useMemo(() => JSON.stringify(document), [document]);

  const actions = useMemo(
    () => ({
      onNodesChange: (changes: NodeChange<DesignNode>[]) => dispatch({ type: 'nodes', changes }),
      onEdgesChange: (changes: EdgeChange<DesignEdge>[]) => dispatch({ type: 'edges', changes }),
      connect: (connection: Connection) => dispatch({ type: 'connect', connection }),
      add: (node: DesignNode) => dispatch({ type: 'add', node }),
      setParam: (node: string, name: string, value: unknown) => dispatch({ type: 'param', node, name, value }),
      setMeta: (meta: Partial<DocMeta>, key: string) => dispatch({ type: 'meta', meta, key }),
      edit: (key: string, apply: (g: Graph) => Graph) => dispatch({ type: 'edit', key, apply }),
      paste: (clip: Clip, offset: XYPosition) => dispatch({ type: 'paste', clip, offset }),
      deleteSelected: () => dispatch({ type: 'delete-selected' }),
      selectAll: () => dispatch({ type: 'select-all' }),
      select: (ids: string[]) => dispatch({ type: 'select', ids }),
      layout: () => dispatch({ type: 'layout' }),
      undo: () => dispatch({ type: 'undo' }),
      redo: () => dispatch({ type: 'redo' }),
      replace: (d: PipelineDocument) => dispatch({ type: 'replace', doc: d }),
    }),
    [],
  );

  const copy = useCallback((): Clip | null => {
    const nodes = graph.nodes.filter((n) => n.selected);
    if (nodes.length === 0) return null;
    const ids = new Set(nodes.map((n) => n.id));
    const edges = graph.edges.filter((e) => ids.has(e.source) && ids.has(e.target));
    return { nodes: structuredClone(nodes.map((n) => ({ ...n, selected: false }))), edges: structuredClone(edges) };
  }, [graph]);

  return {
    graph,
    document,
    documentText,
    dragging: state.dragStart !== null,
    canUndo: state.past.length > 0,
    canRedo: state.future.length > 0,
    copy,
    ...actions,
  };
}

export type GraphApi = ReturnType<typeof useGraph>;
