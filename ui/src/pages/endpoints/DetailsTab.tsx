// An endpoint's Details tab: where to call it, what it is serving, its
// traffic (requests, errors, latency percentiles) and its input schema.

import type { EndpointDetail } from '../../api/production';
import { CopyButton } from '../../components/CopyButton';
import { Link } from '../../router';
import { absolute, formatCount, formatMs, StateBadge, when } from './StateBadge';

function UrlRow({ label, url, hint }: { label: string; url: string; hint: string }) {
  return (
    <div className="url-row">
      <dt>{label}</dt>
      <dd>
        <code className="url" data-testid={`url-${label}`}>
          {absolute(url)}
        </code>
        <CopyButton text={absolute(url)} what={`${label} URL`} />
        <div className="muted small">{hint}</div>
      </dd>
    </div>
  );
}

function draftLink(source: string): string | null {
  const m = /^draft (\d+)$/.exec(source);
  return m ? `/pipelines/${m[1]}` : null;
}

export function DetailsTab({ endpoint: e, stale }: { endpoint: EndpointDetail; stale: string | null }) {
  const m = e.metrics;
  const errorRate = m.requests > 0 && m.errors > 0 ? (100 * m.errors) / m.requests : null;
  const from = draftLink(e.source);
  return (
    <div className="details-grid">
      <section className="card card-wide" aria-labelledby="metrics-title">
        <h2 id="metrics-title" className="card-title">
          Traffic
          <span className="muted small card-note">{stale ? `not refreshed: ${stale}` : 'since the server started · refreshed every 3 s'}</span>
        </h2>
        <dl className="stat-tiles" data-testid="metrics">
          <div className="stat-tile">
            <dt>Requests</dt>
            <dd data-testid="metric-requests">{formatCount(m.requests)}</dd>
          </div>
          <div className={`stat-tile${m.errors > 0 ? ' stat-bad' : ''}`}>
            <dt>Errors</dt>
            <dd data-testid="metric-errors">
              {formatCount(m.errors)}
              {errorRate !== null ? <span className="stat-sub">{errorRate.toFixed(errorRate < 1 ? 2 : 1)}%</span> : null}
            </dd>
          </div>
          <div className="stat-tile">
            <dt>p50 latency</dt>
            <dd data-testid="metric-p50">{formatMs(m.latency_ms.p50)}</dd>
          </div>
          <div className="stat-tile">
            <dt>p95 latency</dt>
            <dd data-testid="metric-p95">{formatMs(m.latency_ms.p95)}</dd>
          </div>
          <div className="stat-tile">
            <dt>p99 latency</dt>
            <dd data-testid="metric-p99">{formatMs(m.latency_ms.p99)}</dd>
          </div>
        </dl>
      </section>

      <section className="card card-wide" aria-labelledby="urls-title">
        <h2 id="urls-title" className="card-title">
          Where to call it
        </h2>
        <dl className="urls">
          <UrlRow label="REST" url={e.urls.score} hint={'Native and Azure designer format: {"Inputs": {"WebServiceInput0": [rows]}}. Send a key as "Authorization: Bearer <key>".'} />
          <UrlRow label="OpenAPI" url={e.urls.openapi} hint="The endpoint's own OpenAPI document, with its input schema." />
          <UrlRow label="MLflow" url={e.urls.invocations} hint="dataframe_split, dataframe_records, instances or inputs." />
          <UrlRow label="Open Inference Protocol v2" url={e.urls.v2_infer} hint="KServe and Triton clients: inputs as named tensors." />
        </dl>
      </section>

      <section className="card" aria-labelledby="overview-title">
        <h2 id="overview-title" className="card-title">
          Overview
        </h2>
        <dl className="facts">
          <div>
            <dt>State</dt>
            <dd>
              <StateBadge state={e.state} reason={e.reason} />
              {e.reason ? <div className="error small endpoint-reason">{e.reason}</div> : null}
            </dd>
          </div>
          <div>
            <dt>Version</dt>
            <dd data-testid="endpoint-version">{e.version}</dd>
          </div>
          <div>
            <dt>Deployed from</dt>
            <dd>{from ? <Link to={from}>{e.source.replace(/^draft/, 'Draft')}</Link> : e.source || '—'}</dd>
          </div>
          <div>
            <dt>Scoring</dt>
            <dd>
              {e.fast_path === null
                ? '—'
                : e.fast_path
                  ? 'In memory, fast path for every module'
                  : 'In memory; some modules have no fast path'}
            </dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd>{when(e.created_at)}</dd>
          </div>
          <div>
            <dt>Updated</dt>
            <dd>{when(e.updated_at)}</dd>
          </div>
        </dl>
        {e.warnings.length > 0 ? (
          <ul className="warnings" aria-label="Warnings">
            {e.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        ) : null}
      </section>

      <section className="card" aria-labelledby="schema-title">
        <h2 id="schema-title" className="card-title">
          Input schema
          <span className="muted small card-note">one field per column of a request row</span>
        </h2>
        {e.input_schema ? (
          <table className="list schema-table" data-testid="input-schema">
            <thead>
              <tr>
                <th scope="col">Column</th>
                <th scope="col">Type</th>
                <th scope="col">Values</th>
              </tr>
            </thead>
            <tbody>
              {e.input_schema.columns.map((c) => (
                <tr key={c.name}>
                  <td>
                    <code>{c.name}</code>
                  </td>
                  <td>{c.type}</td>
                  <td className="muted small">{c.levels ? c.levels.join(', ') : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="muted">The schema is known once the endpoint is deployed.</p>
        )}
      </section>

    </div>
  );
}
