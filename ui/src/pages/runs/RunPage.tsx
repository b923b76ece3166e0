// One run: its pipeline drawn read-only with every step's status, duration
// and reuse; the chosen step's details, outputs (previewed, visualised or
// registered as a model) and log; the run's evaluations; "Clone as draft"
// and "Run again".

import { ReactFlowProvider } from '@xyflow/react';
import { useCallback, useEffect, useMemo, useState } from 'react';

import { api, errorMessage } from '../../api/client';
import { useModules } from '../../api/modules';
import type { Run, Step } from '../../api/types';
import type { ModelVersion } from '../../api/workspace';
import { elapsed, formatDuration, when } from '../../components/format';
import { PageFrame } from '../../components/PageFrame';
import { StatusBadge } from '../../components/StatusBadge';
import { useLoad } from '../../components/useLoad';
import { Catalogue } from '../../pipeline/catalogue';
import { Link, navigate } from '../../router';
import type { NodeMenuRequest } from '../designer/context';
import { NodeMenu, type MenuItem } from '../designer/NodeMenu';
import { LogDialog, OutputDialog } from '../designer/OutputDialog';
import { metricShort, metricText, KEY_METRICS } from '../experiments/metrics';
import { cloneAsDraft } from './clone';
import { RegisterModelDialog } from './RegisterModelDialog';
import { RunGraph } from './RunGraph';

import '../workspace.css';

const FINAL = new Set(['completed', 'failed', 'canceled']);
const HAS_OUTPUTS = new Set(['completed', 'reused']);

function outputAction(kind: string): string {
  return kind === 'table' ? 'Preview' : kind === 'report' ? 'Visualize' : 'View';
}

export function RunPage({ id, node: initialNode }: { id: number; node: string | null }) {
  const modules = useModules();
  const catalogue = useMemo(() => (modules ? new Catalogue(modules) : null), [modules]);
  const [run, setRun] = useState<Run | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(initialNode);
  const [output, setOutput] = useState<{ node: string; port: string } | null>(null);
  const [logOf, setLogOf] = useState<string | null>(null);
  const [menu, setMenu] = useState<NodeMenuRequest | null>(null);
  const [register, setRegister] = useState<{ node: string; port: string } | null>(null);
  const [registered, setRegistered] = useState<ModelVersion | null>(null);
  const [busy, setBusy] = useState(false);

  // A run that has not ended is read again every second.
  useEffect(() => {
    let gone = false;
    let timer = 0;
    const load = async () => {
      try {
        const r = await api('GET /api/runs/{id}', { params: { id } });
        if (gone) return;
        setRun(r);
        setError(null);
        if (!FINAL.has(r.status)) timer = window.setTimeout(() => void load(), 1000);
      } catch (e) {
        if (!gone) setError(errorMessage(e));
      }
    };
    void load();
    return () => {
      gone = true;
      window.clearTimeout(timer);
    };
  }, [id]);

  const ended = run !== null && FINAL.has(run.status);
  const metrics = useLoad(
    useCallback(
      (signal: AbortSignal) => (ended ? api('GET /api/runs/{id}/metrics', { params: { id }, signal }).then((r) => r.evaluations) : Promise.resolve(null)),
      [id, ended],
    ),
  );

  const onMenu = useCallback((req: NodeMenuRequest) => setMenu(req), []);
  const onLog = useCallback((n: string) => setLogOf(n), []);
  const onSelect = useCallback((n: string) => {
    setSelected(n);
    navigate(`/runs/${id}?node=${encodeURIComponent(n)}`, { replace: true });
  }, [id]);

  if (error && !run)
    return (
      <PageFrame title={`Run ${id}`}>
        <div className="page-message">
          <h1>Run {id} cannot be shown</h1>
          <p className="error">{error}</p>
          <Link to="/experiments">Back to the runs</Link>
        </div>
      </PageFrame>
    );
  if (!run || !catalogue)
    return (
      <PageFrame title={`Run ${id}`}>
        <p className="muted page-loading">Loading run {id}…</p>
      </PageFrame>
    );

  const stepOf = (n: string): Step | undefined => run.steps.find((s) => s.node === n);
  const step = selected ? stepOf(selected) : undefined;
  const duration = elapsed(run.started_at || run.created_at, run.finished_at);
  const done = run.steps.filter((s) => HAS_OUTPUTS.has(s.status)).length;
  const reused = run.steps.filter((s) => s.status === 'reused').length;
  const params = Object.entries(run.parameters);

  const clone = async () => {
    setBusy(true);
    try {
      const d = await cloneAsDraft(run);
      navigate(`/pipelines/${d.id}`);
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  };
  const rerun = async () => {
    setBusy(true);
    try {
      const r = await api('POST /api/runs/{id}/rerun', { params: { id } });
      navigate(`/runs/${r.run_id}`);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const menuItems = (req: NodeMenuRequest): MenuItem[] => {
    const s = stepOf(req.node);
    const m = s ? catalogue.get(s.module) : undefined;
    const has = s && HAS_OUTPUTS.has(s.status);
    const items: MenuItem[] = (m?.outputs ?? [])
      .filter((p) => !req.port || p.name === req.port)
      .map((p) => ({
        label: `${outputAction(p.kind)}: ${p.name}`,
        disabled: !has,
        hint: has ? undefined : `This step is ${s?.status ?? 'not part of the run'}`,
        action: () => setOutput({ node: req.node, port: p.name }),
      }));
    items.push({ label: 'View log', action: () => setLogOf(req.node) });
    return items;
  };

  const actions = (
    <>
      <Link to={`/compare?runs=${id}`} className="button">
        Compare…
      </Link>
      <button type="button" disabled={busy || !ended} onClick={() => void rerun()} title="Run the same snapshot again (unchanged steps are reused)">
        Run again
      </button>
      <button type="button" className="primary" disabled={busy} onClick={() => void clone()} data-testid="clone-draft">
        Clone as draft
      </button>
    </>
  );

  const m = step ? catalogue.get(step.module) : undefined;
  return (
    <PageFrame title={`Run ${id}`} actions={actions} wide>
      <div className="run-page">
        <header className="run-head">
          <div className="detail-title">
            <h1>Run {run.id}</h1>
            <StatusBadge status={run.status} />
            <span className="run-pipeline">{run.pipeline}</span>
          </div>
          <dl className="facts">
            <div>
              <dt>Experiment</dt>
              <dd>
                <Link to={`/experiments?experiment=${encodeURIComponent(run.experiment)}`}>{run.experiment}</Link>
              </dd>
            </div>
            <div>
              <dt>Submitted</dt>
              <dd>{when(run.created_at)}</dd>
            </div>
            <div>
              <dt>Duration</dt>
              <dd>{duration === null ? (ended ? '—' : 'running…') : formatDuration(duration)}</dd>
            </div>
            <div>
              <dt>Steps</dt>
              <dd>
                {done} of {run.steps.length} done{reused > 0 ? ` · ${reused} reused` : ''}
              </dd>
            </div>
            <div>
              <dt>Parameters</dt>
              <dd>
                {params.length === 0 ? '—' : null}
                {params.map(([k, v]) => (
                  <span key={k} className="param-chip">
                    {k} = {typeof v === 'string' ? v : JSON.stringify(v)}
                  </span>
                ))}
              </dd>
            </div>
          </dl>
          {run.error ? (
            <p className="error run-error" role="alert">
              {run.error}
            </p>
          ) : null}
          {error ? <p className="error">{error}</p> : null}
          {registered ? (
            <p className="ok-banner" role="status">
              Registered <Link to={`/models/${encodeURIComponent(registered.name)}?version=${registered.version}`}>{registered.name} version {registered.version}</Link>.
            </p>
          ) : null}
        </header>
        <div className="run-body">
          <ReactFlowProvider>
            <RunGraph pipeline={run.snapshot.pipeline} steps={run.steps} catalogue={catalogue} selected={selected} onSelect={onSelect} onMenu={onMenu} onLog={onLog} />
          </ReactFlowProvider>
          <aside className="step-panel" aria-label="Step">
            {step ? (
              <>
                <h2>{m?.display_name ?? step.module}</h2>
                <p className="muted small">
                  <code>{step.node}</code> · <code>{step.module}</code>
                </p>
                <StatusBadge status={step.status} />
                <dl className="step-facts">
                  <div>
                    <dt>Duration</dt>
                    <dd>{step.elapsed_ms >= 0 && step.status !== 'reused' ? formatDuration(step.elapsed_ms) : '—'}</dd>
                  </div>
                  {step.reused_from_run ? (
                    <div>
                      <dt>Reused from</dt>
                      <dd>
                        <Link to={`/runs/${step.reused_from_run}?node=${encodeURIComponent(step.node)}`}>Run {step.reused_from_run}</Link>
                      </dd>
                    </div>
                  ) : null}
                  {step.peak_rss_kb > 0 ? (
                    <div>
                      <dt>Peak memory</dt>
                      <dd>{(step.peak_rss_kb / 1024).toFixed(1)} MB</dd>
                    </div>
                  ) : null}
                  {step.finished_at ? (
                    <div>
                      <dt>Finished</dt>
                      <dd>{when(step.finished_at)}</dd>
                    </div>
                  ) : null}
                </dl>
                {step.error ? <p className="error small">{step.error}</p> : null}
                <h3>Outputs</h3>
                <ul className="output-list">
                  {(m?.outputs ?? []).map((p) => {
                    const has = HAS_OUTPUTS.has(step.status) && !!step.outputs[p.name];
                    return (
                      <li key={p.name}>
                        <span className={`kind-dot port-${p.kind}`} aria-hidden="true" />
                        <span className="output-name">
                          {p.name}
                          <span className="muted small"> {p.kind}</span>
                        </span>
                        <button type="button" className="small" disabled={!has} onClick={() => setOutput({ node: step.node, port: p.name })}>
                          {outputAction(p.kind)}
                        </button>
                        {p.kind === 'model' || p.kind === 'transform' ? (
                          <button type="button" className="small" disabled={!has} onClick={() => setRegister({ node: step.node, port: p.name })}>
                            Register…
                          </button>
                        ) : null}
                      </li>
                    );
                  })}
                  {m && m.outputs.length === 0 ? <li className="muted small">No outputs.</li> : null}
                </ul>
                <button type="button" onClick={() => setLogOf(step.node)}>
                  View log
                </button>
              </>
            ) : (
              <p className="muted">Select a step to see its outputs and log.</p>
            )}
          </aside>
        </div>
        {metrics.data && metrics.data.length > 0 ? (
          <section className="run-evaluations" aria-label="Evaluations">
            <h2>Evaluations</h2>
            <div className="eval-cards">
              {metrics.data.map((e) =>
                e.models.map((mm, k) => (
                  <button key={`${e.node}-${k}`} type="button" className="eval-card" onClick={() => setOutput({ node: e.node, port: e.port })}>
                    <span className="eval-card-head">
                      {e.node}
                      {e.models.length > 1 ? ` · ${mm.input}` : ''} <span className="muted small">{e.task}</span>
                    </span>
                    <span className="eval-figures">
                      {(KEY_METRICS[e.task ?? ''] ?? Object.keys(mm.metrics).slice(0, 3)).map((key) => (
                        <span key={key} className="eval-figure">
                          <span className="eval-value">{metricText(mm.metrics[key])}</span>
                          <span className="eval-label">{metricShort(key)}</span>
                        </span>
                      ))}
                    </span>
                  </button>
                )),
              )}
            </div>
          </section>
        ) : null}
        <section className="run-steps" aria-label="Steps">
          <h2>Steps</h2>
          <table className="list steps-list">
            <thead>
              <tr>
                <th scope="col">Step</th>
                <th scope="col">Module</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Duration
                </th>
                <th scope="col">Outputs</th>
                <th scope="col">Log</th>
              </tr>
            </thead>
            <tbody>
              {run.steps.map((s) => (
                <tr key={s.node} data-step={s.node} className={s.node === selected ? 'selected' : undefined}>
                  <td>
                    <button type="button" className="link-button" onClick={() => onSelect(s.node)}>
                      {s.node}
                    </button>
                  </td>
                  <td>{catalogue.get(s.module)?.display_name ?? s.module}</td>
                  <td>
                    <StatusBadge status={s.status} title={s.error || undefined} />
                    {s.reused_from_run ? (
                      <span className="muted small">
                        {' '}
                        from <Link to={`/runs/${s.reused_from_run}`}>run {s.reused_from_run}</Link>
                      </span>
                    ) : null}
                  </td>
                  <td className="num">{s.elapsed_ms >= 0 && s.status !== 'reused' && s.started_at ? formatDuration(s.elapsed_ms) : '—'}</td>
                  <td>
                    {Object.keys(s.outputs).map((p) => (
                      <button key={p} type="button" className="link-button small" onClick={() => setOutput({ node: s.node, port: p })}>
                        {p}
                      </button>
                    ))}
                  </td>
                  <td>
                    <button type="button" className="link-button small" onClick={() => setLogOf(s.node)}>
                      log
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
      {menu ? <NodeMenu x={menu.x} y={menu.y} title={menu.port ? `${menu.node}.${menu.port}` : menu.node} items={menuItems(menu)} onClose={() => setMenu(null)} /> : null}
      {output ? <OutputDialog runId={id} node={output.node} port={output.port} onClose={() => setOutput(null)} /> : null}
      {logOf !== null ? <LogDialog runId={id} node={logOf} error={stepOf(logOf)?.error || undefined} onClose={() => setLogOf(null)} /> : null}
      {register ? (
        <RegisterModelDialog
          runId={id}
          node={register.node}
          port={register.port}
          suggested={`${(run.pipeline || 'model').toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+|-+$/g, '').slice(0, 60) || 'model'}`}
          onDone={(mv) => {
            setRegister(null);
            setRegistered(mv);
          }}
          onClose={() => setRegister(null)}
        />
      ) : null}
    </PageFrame>
  );
}
