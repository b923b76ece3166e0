// One endpoint, in four tabs (the Azure designer's): Details (URLs, state,
// version, traffic), Test (a form from the input schema), Consume (code
// samples with the endpoint's URL) and Keys. The tab is in the address
// (?tab=test) so that each can be linked to and reloaded.

import { useCallback, useEffect, useState } from 'react';

import { api, errorMessage } from '../../api/client';
import { PageFrame } from '../../components/PageFrame';
import { Link, navigate, useLocation } from '../../router';
import { ConsumeTab } from './ConsumeTab';
import { DetailsTab } from './DetailsTab';
import { forgetKeys } from './keys';
import { KeysTab } from './KeysTab';
import type { Row } from './samples';
import { StateBadge } from './StateBadge';
import { TestTab } from './TestTab';
import { useExampleRow } from './useExampleRow';
import { usePolled } from './usePolled';
import './production.css';

const TABS = [
  { id: 'details', label: 'Details' },
  { id: 'test', label: 'Test' },
  { id: 'consume', label: 'Consume' },
  { id: 'keys', label: 'Keys' },
] as const;

type TabId = (typeof TABS)[number]['id'];

export function EndpointPage({ name }: { name: string }) {
  const { path, query } = useLocation();
  const asked = query.get('tab');
  const tab: TabId = TABS.some((t) => t.id === asked) ? (asked as TabId) : 'details';
  const [deleting, setDeleting] = useState(false);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  // The row last scored in the Test tab: the Consume samples send it too.
  const [tested, setTested] = useState<Row | null>(null);

  const endpoint = usePolled(
    useCallback((signal: AbortSignal) => api('GET /api/endpoints/{name}', { params: { name }, signal }), [name]),
    3000,
  );
  const e = endpoint.data;
  const example = useExampleRow(e);

  useEffect(() => setDeleteError(null), [name]);

  const show = (id: TabId) => navigate(id === 'details' ? path : `${path}?tab=${id}`, { replace: true });

  const remove = async () => {
    if (!window.confirm(`Delete the endpoint “${name}”? Clients calling it get 404 from now on.`)) return;
    setDeleting(true);
    setDeleteError(null);
    try {
      await api('DELETE /api/endpoints/{name}', { params: { name } });
      forgetKeys(name);
      navigate('/endpoints');
    } catch (err) {
      setDeleteError(errorMessage(err));
      setDeleting(false);
    }
  };

  if (endpoint.status === 404 && !e) {
    return (
      <PageFrame title={name}>
        <nav className="breadcrumb" aria-label="Breadcrumb">
          <Link to="/endpoints">Endpoints</Link>
        </nav>
        <h1>No endpoint is named “{name}”</h1>
        <p className="muted">It may have been deleted.</p>
      </PageFrame>
    );
  }

  return (
    <PageFrame
      title={`${name} · Endpoints`}
      actions={
        e ? (
          <button type="button" className="danger" onClick={() => void remove()} disabled={deleting}>
            {deleting ? 'Deleting…' : 'Delete endpoint'}
          </button>
        ) : null
      }
    >
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to="/endpoints">Endpoints</Link>
        <span aria-hidden="true"> / </span>
        <span>{name}</span>
      </nav>
      <div className="page-head">
        <div>
          <h1 className="with-badge">
            {name}
            {e ? <StateBadge state={e.state} reason={e.reason} /> : null}
          </h1>
          {e?.description ? <p className="muted page-lede">{e.description}</p> : null}
        </div>
      </div>
      {deleteError ? (
        <p className="error" role="alert">
          {deleteError}
        </p>
      ) : null}
      {endpoint.error && !e ? (
        <p className="error" role="alert">
          {endpoint.error}
        </p>
      ) : null}
      {!e && !endpoint.error ? <p className="muted">Loading…</p> : null}
      {e ? (
        <>
          <div className="tabs page-tabs" role="tablist" aria-label="Endpoint">
            {TABS.map((t) => (
              <button
                key={t.id}
                type="button"
                role="tab"
                id={`tab-${t.id}`}
                aria-selected={tab === t.id}
                aria-controls={`panel-${t.id}`}
                onClick={() => show(t.id)}
              >
                {t.label}
              </button>
            ))}
          </div>
          <section className="tab-panel" role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
            {tab === 'details' ? <DetailsTab endpoint={e} stale={endpoint.error} /> : null}
            {tab === 'test' ? <TestTab endpoint={e} example={example} onTested={setTested} /> : null}
            {tab === 'consume' ? <ConsumeTab endpoint={e} example={tested ? { row: tested, source: 'the row you last tested' } : example} /> : null}
            {tab === 'keys' ? <KeysTab endpoint={e} /> : null}
          </section>
        </>
      ) : null}
    </PageFrame>
  );
}
