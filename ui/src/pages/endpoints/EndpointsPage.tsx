// The Endpoints page: every real-time endpoint of the workspace with its
// state, version and traffic, refreshed every few seconds. An endpoint is
// made from an inference pipeline in the designer (Deploy).

import { useCallback } from 'react';

import { api } from '../../api/client';
import { PageFrame } from '../../components/PageFrame';
import { Link } from '../../router';
import { formatCount, formatMs, StateBadge, when } from './StateBadge';
import { usePolled } from './usePolled';
import './production.css';

export function EndpointsPage() {
  const list = usePolled(
    useCallback((signal: AbortSignal) => api('GET /api/endpoints', { signal }).then((r) => r.endpoints), []),
    5000,
  );

  return (
    <PageFrame title="Endpoints">
      <div className="page-head">
        <div>
          <h1>Endpoints</h1>
          <p className="muted page-lede">
            Real-time endpoints score rows as requests arrive, in memory, over HTTP. Deploy one from an inference pipeline in the
            designer.
          </p>
        </div>
      </div>
      {list.error && list.data === null ? (
        <p className="error" role="alert">
          {list.error}
        </p>
      ) : null}
      {list.data === null && !list.error ? <p className="muted">Loading…</p> : null}
      {list.data?.length === 0 ? (
        <div className="empty-card">
          <h2>No endpoints yet</h2>
          <ol>
            <li>Open a pipeline and run it until it completes.</li>
            <li>
              Choose <strong>Create inference pipeline</strong>, then <strong>Real-time</strong>.
            </li>
            <li>
              In the new inference pipeline, choose <strong>Deploy</strong> and give the endpoint a name.
            </li>
          </ol>
          <Link to="/">Go to the pipelines</Link>
        </div>
      ) : null}
      {list.data && list.data.length > 0 ? (
        <table className="list endpoints-list" aria-label="Endpoints">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">State</th>
              <th scope="col" className="num">
                Version
              </th>
              <th scope="col" className="num">
                Requests
              </th>
              <th scope="col" className="num">
                Errors
              </th>
              <th scope="col" className="num">
                p95 latency
              </th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((e) => (
              <tr key={e.name}>
                <td>
                  <Link to={`/endpoints/${encodeURIComponent(e.name)}`} className="strong-link">
                    {e.name}
                  </Link>
                  {e.description ? <div className="muted small clamp">{e.description}</div> : null}
                </td>
                <td>
                  <StateBadge state={e.state} reason={e.reason} />
                </td>
                <td className="num">{e.version}</td>
                <td className="num">{formatCount(e.metrics.requests)}</td>
                <td className={`num${e.metrics.errors > 0 ? ' error' : ''}`}>{formatCount(e.metrics.errors)}</td>
                <td className="num">{formatMs(e.metrics.latency_ms.p95)}</td>
                <td>{when(e.updated_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </PageFrame>
  );
}
