// A node on the canvas: the module's name, its input ports on top and its
// output ports below (coloured by kind, with a tooltip giving name and
// kind), its status during a run, and a badge when validation found
// problems with it.

import { Handle, Position, type NodeProps } from '@xyflow/react';
import { Fragment, memo, useEffect, useState, type MouseEvent } from 'react';

import type { PortDescriptor } from '../../api/types';
import { DATASET_MODULE } from '../../pipeline/catalogue';
import type { DesignNode } from '../../pipeline/graph';
import { useDesigner } from './context';
import type { StepState } from './useRun';

const STATUS_TEXT: Record<string, string> = {
  queued: 'Queued',
  running: 'Running',
  completed: 'Completed',
  reused: 'Reused',
  failed: 'Failed',
  skipped: 'Skipped',
  canceled: 'Canceled',
};

// A dataset node's title: the dataset's name, or the pipeline parameter that
// chooses it (a batch inference pipeline's input).
export function datasetTitle(value: unknown): string {
  if (typeof value === 'string' && value) return value;
  if (value && typeof value === 'object' && '$param' in value) return `Dataset: $${String((value as { $param: unknown }).$param)}`;
  return 'Dataset';
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Milliseconds since `start`, ticking every half second while `on`. */
function useElapsed(start: number | undefined, on: boolean): number | undefined {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!on) return;
    const timer = window.setInterval(() => setNow(Date.now()), 500);
    return () => window.clearInterval(timer);
  }, [on]);
  return on && start !== undefined ? Math.max(0, now - start) : undefined;
}

function StatusLine({ step, onOpenLog }: { step: StepState; onOpenLog: () => void }) {
  const running = step.status === 'running';
  const live = useElapsed(step.startedAt, running);
  const pct = running && step.progress !== undefined ? ` ${Math.round(step.progress * 100)}%` : '';
  const ms = step.elapsedMs ?? live;
  const time = ms !== undefined ? ` · ${formatDuration(ms)}` : '';
  return (
    <>
      <div className={`node-status status-${step.status}`} data-status={step.status} title={step.message ?? undefined}>
        <span className="status-dot" aria-hidden="true" />
        {STATUS_TEXT[step.status] ?? step.status}
        {pct}
        {time}
      </div>
      {step.status === 'failed' && step.message ? (
        <button type="button" className="node-error nodrag" onClick={onOpenLog} title="Open the log">
          {step.message}
        </button>
      ) : null}
    </>
  );
}

function ports(list: PortDescriptor[], type: 'target' | 'source') {
  const n = list.length;
  return list.map((p, i) => {
    // Each port owns an equal slot of the edge; its label fits its slot.
    const left = `${((i + 0.5) / n) * 100}%`;
    const tip = `${p.name}: ${p.kind}${p.optional ? ' (optional)' : ''}${p.help ? ` — ${p.help}` : ''}`;
    return (
      <Fragment key={p.name}>
        <Handle
          id={p.name}
          type={type}
          position={type === 'target' ? Position.Top : Position.Bottom}
          className={`port port-${p.kind}`}
          style={{ left }}
          title={tip}
          aria-label={`${type === 'target' ? 'input' : 'output'} ${p.name} (${p.kind})`}
          data-port={p.name}
          data-kind={p.kind}
        />
        <span
          className={`port-label port-label-${type === 'target' ? 'in' : 'out'}`}
          style={{ left, maxWidth: `calc(${100 / n}% - 6px)` }}
          aria-hidden="true"
        >
          {p.name}
        </span>
      </Fragment>
    );
  });
}

/** A width that gives every port label room (about 6 px a character). */
function nodeWidth(inputs: PortDescriptor[], outputs: PortDescriptor[]): number {
  const need = (ports: PortDescriptor[]) =>
    ports.length * (Math.max(0, ...ports.map((p) => p.name.length)) * 6 + 14);
  return Math.min(320, Math.max(200, need(inputs), need(outputs)));
}

function ModuleNodeView({ id, data, selected }: NodeProps<DesignNode>) {
  const { catalogue, issues, steps, openMenu, openLog } = useDesigner();
  const m = catalogue.get(data.module);
  const nodeIssues = issues.get(id) ?? [];
  const step = steps[id];
  const isDataset = data.module === DATASET_MODULE;
  const title = isDataset ? datasetTitle(data.params.dataset) : (m?.display_name ?? data.module);
  const subtitle = isDataset ? 'Dataset' : id;

  const onContextMenu = (e: MouseEvent) => {
    e.preventDefault();
    const port = (e.target as HTMLElement).closest<HTMLElement>('.react-flow__handle-bottom')?.dataset.port;
    openMenu({ node: id, port, x: e.clientX, y: e.clientY });
  };

  return (
    <div
      className={`module-node${m?.inputs.length ? ' has-inputs' : ''}${m?.outputs.length ? ' has-outputs' : ''}${selected ? ' selected' : ''}${nodeIssues.length ? ' invalid' : ''}${isDataset ? ' dataset-node' : ''}${step ? ` run-${step.status}` : ''}`}
      onContextMenu={onContextMenu}
      style={m ? { width: nodeWidth(m.inputs, m.outputs) } : undefined}
      data-testid={`node-${id}`}
      data-node-id={id}
    >
      {m ? ports(m.inputs, 'target') : null}
      <div className="node-head">
        <span className="node-title">{title}</span>
        {nodeIssues.length > 0 ? (
          <span
            className="node-badge"
            role="img"
            aria-label={`${nodeIssues.length} problem${nodeIssues.length > 1 ? 's' : ''}`}
            title={nodeIssues.map((i) => i.message).join('\n')}
          >
            {nodeIssues.length}
          </span>
        ) : null}
      </div>
      <div className="node-sub">{m ? subtitle : `unknown module ${data.module}`}</div>
      {step ? <StatusLine step={step} onOpenLog={() => openLog(id)} /> : null}
      {m ? ports(m.outputs, 'source') : null}
    </div>
  );
}

export const ModuleNode = memo(ModuleNodeView);
