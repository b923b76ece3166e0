// The canvas: React Flow with our nodes, edges coloured by kind, a
// connection line that turns red and says why while a connection would be
// refused, drops from the palette, the minimap and the zoom controls.

import {
  Background,
  ConnectionLineType,
  Controls,
  getBezierPath,
  MiniMap,
  ReactFlow,
  useReactFlow,
  type Connection,
  type ConnectionLineComponentProps,
  type Edge,
  type FinalConnectionState,
  type IsValidConnection,
} from '@xyflow/react';
import { createContext, useCallback, useContext, useMemo, useState, type DragEvent } from 'react';

import { connectionProblem, type Attempt } from '../../pipeline/connect';
import { uniqueId, type DesignEdge, type DesignNode } from '../../pipeline/graph';
import { useDesigner } from './context';
import { ModuleNode } from './ModuleNode';
import { PALETTE_MIME, type PaletteItem } from './Palette';
import type { GraphApi } from './useGraph';

const nodeTypes = { module: ModuleNode };

const CheckContext = createContext<(a: Attempt) => string | null>(() => null);

/** The attempt a drag makes, whichever end it started from. */
function attemptOf(
  from: { nodeId: string; id?: string | null; type: string },
  to: { nodeId: string; id?: string | null; type: string } | null,
): Attempt {
  const src = from.type === 'source' ? from : to;
  const dst = from.type === 'source' ? to : from;
  return {
    source: src?.nodeId ?? null,
    sourceHandle: src?.id ?? null,
    target: dst?.nodeId ?? null,
    targetHandle: dst?.id ?? null,
  };
}

function ConnectionLine(props: ConnectionLineComponentProps) {
  const check = useContext(CheckContext);
  const { fromX, fromY, toX, toY, fromPosition, toPosition, fromHandle, toHandle } = props;
  const [path] = getBezierPath({ sourceX: fromX, sourceY: fromY, sourcePosition: fromPosition, targetX: toX, targetY: toY, targetPosition: toPosition });
  const reason = toHandle ? check(attemptOf(fromHandle, toHandle)) : null;
  const refused = reason !== null;
  return (
    <g className={`connection-line${refused ? ' refused' : toHandle ? ' accepted' : ''}`}>
      <path d={path} fill="none" />
      {refused ? (
        <foreignObject x={toX + 14} y={toY + 10} width={340} height={80} style={{ overflow: 'visible' }}>
          <div className="connection-reason" role="alert" data-testid="connection-reason">
            {reason}
          </div>
        </foreignObject>
      ) : null}
    </g>
  );
}

interface CanvasProps {
  graph: GraphApi;
  readOnly: boolean;
  onRefused: (reason: string) => void;
}

export function Canvas({ graph, readOnly, onRefused }: CanvasProps) {
  const { catalogue } = useDesigner();
  const flow = useReactFlow<DesignNode, DesignEdge>();
  const { nodes, edges } = graph.graph;
  // Fit an opened pipeline once; an empty canvas keeps its zoom, so the first
  // node dropped on it does not make the view jump.
  const [fitInitially] = useState(() => nodes.length > 0);

  const check = useCallback((a: Attempt) => connectionProblem(a, nodes, edges, catalogue), [nodes, edges, catalogue]);

  const isValidConnection: IsValidConnection<DesignEdge> = useCallback(
    (c: Connection | Edge) => check(c) === null,
    [check],
  );

  const onConnectEnd = useCallback(
    (_: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      if (!state.fromHandle || !state.toHandle || state.isValid) return;
      const reason = check(attemptOf(state.fromHandle, state.toHandle));
      if (reason) onRefused(reason);
    },
    [check, onRefused],
  );

  // Edges take the colour of their kind. Keyed by module, so a drag (which
  // changes nodes, not modules) reuses the same edge objects.
  const moduleKey = nodes.map((n) => `${n.id}:${n.data.module}`).join(',');
  const styledEdges = useMemo(() => {
    const moduleOf = new Map(nodes.map((n) => [n.id, n.data.module]));
    return edges.map((e) => {
      const module = moduleOf.get(e.source);
      const kind = module ? catalogue.output(module, e.sourceHandle ?? '')?.kind : undefined;
      return { ...e, className: `edge-${kind ?? 'unknown'}` };
    });
    // `nodes` matters only through `moduleKey`.
  }, [edges, moduleKey, catalogue]);

  const onDragOver = (e: DragEvent) => {
    if (readOnly || !e.dataTransfer.types.includes(PALETTE_MIME)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  };

  const onDrop = (e: DragEvent) => {
    const text = e.dataTransfer.getData(PALETTE_MIME);
    if (readOnly || !text) return;
    e.preventDefault();
    const item = JSON.parse(text) as PaletteItem;
    const at = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
    addItem(graph, item, { x: at.x - 110, y: at.y - 30 });
  };

  return (
    <CheckContext.Provider value={check}>
      <div className="canvas" onDragOver={onDragOver} onDrop={onDrop} data-testid="canvas">
        <ReactFlow<DesignNode, DesignEdge>
          nodes={nodes}
          edges={styledEdges}
          nodeTypes={nodeTypes}
          onNodesChange={graph.onNodesChange}
          onEdgesChange={graph.onEdgesChange}
          onConnect={graph.connect}
          onConnectEnd={onConnectEnd}
          isValidConnection={isValidConnection}
          connectionLineComponent={ConnectionLine}
          connectionLineType={ConnectionLineType.Bezier}
          connectionRadius={28}
          deleteKeyCode={null}
          selectionKeyCode="Shift"
          multiSelectionKeyCode={['Meta', 'Control']}
          nodesDraggable={!readOnly}
          nodesConnectable={!readOnly}
          minZoom={0.1}
          maxZoom={2.5}
          fitView={fitInitially}
          fitViewOptions={{ maxZoom: 1.2, padding: 0.2 }}
          onlyRenderVisibleElements
          proOptions={{ hideAttribution: true }}
          aria-label="Pipeline canvas"
        >
          <Background gap={20} size={1} />
          <MiniMap pannable zoomable ariaLabel="Minimap" style={{ width: 160, height: 110 }} nodeClassName={(n) => `minimap-${(n as DesignNode).data.module === 'dataset@1' ? 'dataset' : 'module'}`} />
          <Controls showInteractive={false} />
        </ReactFlow>
        {nodes.length === 0 ? (
          <div className="canvas-empty">
            <p>Drag a dataset or a module from the palette here.</p>
            <p className="muted">Connect an output (below a node) to an input (above another).</p>
          </div>
        ) : null}
      </div>
    </CheckContext.Provider>
  );
}

/** Adds a palette item to the graph at `position` and selects it. */
export function addItem(graph: GraphApi, item: PaletteItem, position: { x: number; y: number }) {
  const taken = new Set(graph.graph.nodes.map((n) => n.id));
  const id = uniqueId(item.idBase, taken);
  graph.add({ id, type: 'module', position, data: { module: item.module, params: { ...item.params } } });
}
