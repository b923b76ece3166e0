// The Published pipelines page: every published pipeline with its default
// and latest versions. A pipeline is published from the designer (Publish).

import { useCallback } from 'react';

import { api } from '../../api/client';
import { PageFrame } from '../../components/PageFrame';
import { Link } from '../../router';
import { when } from '../endpoints/StateBadge';
import { usePolled } from '../endpoints/usePolled';
import '../endpoints/production.css';

export function PublishedListPage() {
  const list = usePolled(
    useCallback((signal: AbortSignal) => api('GET /api/published', { signal }).then((r) => r.published), []),
    0,
  );

  return (
    <PageFrame title="Published pipelines">
      <div className="page-head">
        <div>
          <h1>Published pipelines</h1>
          <p className="muted page-lede">
            A published pipeline is a named pipeline with immutable versions. Submit it here or over REST with your own parameter
            values, such as the dataset a batch inference pipeline scores.
          </p>
        </div>
      </div>
      {list.error ? (
        <p className="error" role="alert">
          {list.error}
        </p>
      ) : null}
      {list.data === null && !list.error ? <p className="muted">Loading…</p> : null}
      {list.data?.length === 0 ? (
        <div className="empty-card">
          <h2>Nothing is published yet</h2>
          <p>
            Open a pipeline in the designer and choose <strong>Publish</strong>. A batch inference pipeline (from a completed run,{' '}
            <strong>Create inference pipeline</strong>, then <strong>Batch</strong>) is the usual thing to publish.
          </p>
          <Link to="/">Go to the pipelines</Link>
        </div>
      ) : null}
      {list.data && list.data.length > 0 ? (
        <table className="list published-list" aria-label="Published pipelines">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col" className="num">
                Default version
              </th>
              <th scope="col" className="num">
                Versions
              </th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((p) => (
              <tr key={p.id}>
                <td>
                  <Link to={`/published/${p.id}`} className="strong-link">
                    {p.name}
                  </Link>
                  {p.disabled ? <span className="disabled-pill">disabled</span> : null}
                  {p.description ? <div className="muted small clamp">{p.description}</div> : null}
                </td>
                <td className="num">{p.default_version}</td>
                <td className="num">{p.latest_version}</td>
                <td>{when(p.updated_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </PageFrame>
  );
}
