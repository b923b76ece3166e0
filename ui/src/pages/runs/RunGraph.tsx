// A run's pipeline, drawn read-only with the designer's nodes: each step's
// status, duration and reuse on its node. A click selects a step; the
// context menu offers its outputs and log.

import { Background, Controls, ReactFlow, type Edge, type NodeMouseHandler } from '@xyflow/react';
import { useMemo } from 'react';

import type { PipelineDocument, Step } from '../../api/types';
import type { Catalogue } from '../../pipeline/catalogue';
import { fromDocument, type DesignNode } from '../../pipeline/graph';
import { layeredLayout } from '../../pipeline/layout';
import { DesignerContext, type DesignerContextValue, type NodeMenuRequest } from '../designer/context';
import { ModuleNode } from '../designer/ModuleNode';
import type { StepState } from '../designer/useRun';

const nodeTypes = { module: ModuleNode };
const NO_ISSUES = new Map();

/** What a node shows of its step. */
export function stepStates(steps: Step[]): Record<string, StepState> {
  const out: Record<string, StepState> = {};
  for (const s of steps) {
    const state: StepState = { status: s.status };
    if (s.started_at && s.elapsed_ms >= 0 && s.status !== 'reused' && s.status !== 'skipped') state.elapsedMs = s.elapsed_ms;
    if (s.error) state.message = s.error;
    out[s.node] = state;
  }
  return out;
}

interface RunGraphProps {
  pipeline: PipelineDocument;
  steps: Step[];
  catalogue: Catalogue;
  selected: string | null;
  onSelect: (node: string) => void;
  onMenu: (req: NodeMenuRequest) => void;
  onLog: (node: string) => void;
}

export function RunGraph({ pipeline, steps, catalogue, selected, onSelect, onMenu, onLog }: RunGraphProps) {
  const graph = useMemo(() => {
    const g = fromDocument(pipeline);
    return { nodes: g.needsLayout ? layeredLayout(g.nodes, g.edges) : g.nodes, edges: g.edges };
  }, [pipeline]);
  const nodes: DesignNode[] = useMemo(() => graph.nodes.map((n) => ({ ...n, selected: n.id === selected })), [graph, selected]);
  const edges: Edge[] = useMemo(() => {
    const moduleOf = new Map(graph.nodes.map((n) => [n.id, n.data.module]));
    return graph.edges.map((e) => {
      const m = moduleOf.get(e.source);
      const kind = m ? catalogue.output(m, e.sourceHandle ?? '')?.kind : undefined;
      return { ...e, className: `edge-${kind ?? 'unknown'}` };
    });
  }, [graph, catalogue]);
  const states = useMemo(() => stepStates(steps), [steps]);
  const ctx: DesignerContextValue = useMemo(
    () => ({ catalogue, issues: NO_ISSUES, steps: states, openMenu: onMenu, openLog: onLog }),
    [catalogue, states, onMenu, onLog],
  );
  const onNodeClick: NodeMouseHandler<DesignNode> = (_, n) => onSelect(n.id);

  return (
    <DesignerContext.Provider value={ctx}>
      <div className="run-graph" data-testid="run-graph">
        <ReactFlow<DesignNode, Edge>
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          onNodeClick={onNodeClick}
          nodesDraggable={false}
          nodesConnectable={false}
          elementsSelectable={false}
          deleteKeyCode={null}
          fitView
          fitViewOptions={{ maxZoom: 1.1, padding: 0.12 }}
          minZoom={0.1}
          maxZoom={2}
          proOptions={{ hideAttribution: true }}
          aria-label="The run's pipeline"
        >
          <Background gap={20} size={1} />
          <Controls showInteractive={false} />
        </ReactFlow>
      </div>
    </DesignerContext.Provider>
  );
}
