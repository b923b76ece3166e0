// The panel under the canvas: the pipeline's problems (click one to select
// its node), the run's progress, and its log lines as they arrive.

import { useEffect, useRef, useState } from 'react';

import type { ValidationIssue } from '../../api/types';
import { formatDuration } from './ModuleNode';
import type { RunState } from './useRun';

interface RunPanelProps {
  issues: ValidationIssue[] | null;
  checking: boolean;
  validationError: string | null;
  run: RunState | null;
  runError: string | null;
  onSelectNode: (id: string) => void;
  onOpenLog: (node: string) => void;
}

type Tab = 'problems' | 'run' | 'logs';

export function RunPanel({ issues, checking, validationError, run, runError, onSelectNode, onOpenLog }: RunPanelProps) {
  const [tab, setTab] = useState<Tab>('problems');
  const logEnd = useRef<HTMLDivElement>(null);
  const runId = run?.id;

  useEffect(() => {
    if (runId !== undefined) setTab('run');
  }, [runId]);
  useEffect(() => {
    if (tab === 'logs') logEnd.current?.scrollIntoView({ block: 'end' });
  }, [tab, run?.logs.length]);

  const steps = run ? Object.entries(run.steps) : [];
  const done = steps.filter(([, s]) => ['completed', 'reused'].includes(s.status)).length;
  const count = issues?.length ?? 0;

  return (
    <section className="run-panel" aria-label="Problems and run">
      <div className="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === 'problems'} onClick={() => setTab('problems')}>
          Problems{issues ? ` (${count})` : ''}
        </button>
        <button type="button" role="tab" aria-selected={tab === 'run'} onClick={() => setTab('run')}>
          Run{run ? ` ${run.id}` : ''}
        </button>
        <button type="button" role="tab" aria-selected={tab === 'logs'} onClick={() => setTab('logs')}>
          Logs{run ? ` (${run.logs.length})` : ''}
        </button>
      </div>
      <div className="run-panel-body" role="tabpanel">
        {tab === 'problems' ? (
          <>
            {validationError ? <p className="error small">Validation failed: {validationError}</p> : null}
            {issues === null ? <p className="muted small">{checking ? 'Checking the pipeline…' : 'Not checked yet.'}</p> : null}
            {issues !== null && count === 0 ? <p className="ok small">No problems: the pipeline is ready to run.</p> : null}
            <ul className="problems" data-testid="problems">
              {(issues ?? []).map((i, k) => (
                <li key={k}>
                  {i.node ? (
                    <button type="button" className="link-button" onClick={() => onSelectNode(i.node)}>
                      {i.node}
                      {i.field ? `.${i.field}` : ''}
                    </button>
                  ) : (
                    <strong>pipeline{i.field ? ` ${i.field}` : ''}</strong>
                  )}
                  : {i.message}
                </li>
              ))}
            </ul>
          </>
        ) : null}
        {tab === 'run' ? (
          run ? (
            <div>
              <p className="run-line" data-testid="run-status" data-status={run.status}>
                Run {run.id} in “{run.experiment}”: <strong>{run.status}</strong>
                {steps.length ? ` · ${done} of ${steps.length} steps done` : ''}
                {run.message ? ` · ${run.message}` : ''}
              </p>
              {runError ? <p className="error small">{runError}</p> : null}
              <table className="steps-table">
                <thead>
                  <tr>
                    <th scope="col">Node</th>
                    <th scope="col">Status</th>
                    <th scope="col">Duration</th>
                    <th scope="col">Message</th>
                  </tr>
                </thead>
                <tbody>
                  {steps.map(([node, s]) => (
                    <tr key={node}>
                      <td>
                        <button type="button" className="link-button" onClick={() => onSelectNode(node)}>
                          {node}
                        </button>
                      </td>
                      <td className={`status-${s.status}`}>{s.status}</td>
                      <td>{s.elapsedMs !== undefined ? formatDuration(s.elapsedMs) : ''}</td>
                      <td>
                        {s.message ? <span className="error small">{s.message} </span> : null}
                        <button type="button" className="link-button small" onClick={() => onOpenLog(node)}>
                          log
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p className="muted small">{runError ?? 'Submit the pipeline to run it. Each node shows its status here and on the canvas.'}</p>
          )
        ) : null}
        {tab === 'logs' ? (
          <div className="log-stream" aria-live="polite">
            {run?.logs.length ? (
              run.logs.map((l, k) => (
                <div key={k} className="log-line">
                  <span className="log-node">{l.node}</span> {l.line}
                </div>
              ))
            ) : (
              <p className="muted small">No log lines yet.</p>
            )}
            <div ref={logEnd} />
          </div>
        ) : null}
      </div>
    </section>
  );
}
