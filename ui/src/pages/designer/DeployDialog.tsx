// Deploy: a real-time inference pipeline draft becomes an endpoint with a
// name (or a new version of an existing one, which keeps its keys). A new
// endpoint's two keys are shown here once, with copy buttons: weft keeps
// only their hashes.

import { useEffect, useState } from 'react';

import { api, ApiError, errorMessage } from '../../api/client';
import type { EndpointDeployed, EndpointSummary } from '../../api/production';
import { CopyButton } from '../../components/CopyButton';
import { Dialog } from '../../components/Dialog';
import { rememberKeys } from '../endpoints/keys';
import { StateBadge } from '../endpoints/StateBadge';
import { Link } from '../../router';
import '../endpoints/production.css';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** An endpoint name from a pipeline name: "Cars (real-time inference)" -> "cars". */
export function endpointNameFor(pipeline: string): string {
  const base = pipeline
    .replace(/\((real-time|batch) inference\)/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+|-+$/g, '')
    .slice(0, 60);
  return base || 'endpoint';
}

interface DeployDialogProps {
  draftId: number;
  pipelineName: string;
  description: string;
  /** Saves the draft first, so the endpoint serves what is on the canvas. */
  flush: () => Promise<void>;
  onClose: () => void;
}

export function DeployDialog({ draftId, pipelineName, description, flush, onClose }: DeployDialogProps) {
  const [name, setName] = useState(() => endpointNameFor(pipelineName));
  const [text, setText] = useState(description);
  const [replace, setReplace] = useState(false);
  const [existing, setExisting] = useState<EndpointSummary[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<EndpointDeployed | null>(null);

  useEffect(() => {
    const abort = new AbortController();
    api('GET /api/endpoints', { signal: abort.signal })
      .then((r) => setExisting(r.endpoints))
      .catch(() => {
        // the list only warns about a name in use; the server decides
      });
    return () => abort.abort();
  }, []);

  const taken = existing?.find((e) => e.name === name.trim()) ?? null;
  const nameOk = NAME.test(name.trim());

  const deploy = async () => {
    if (!nameOk) return;
    setBusy(true);
    setError(null);
    try {
      await flush();
      const r = await api('POST /api/endpoints', {
        body: { name: name.trim(), draft_id: draftId, description: text.trim() || undefined, replace: taken !== null && replace },
      });
      if (r.keys) rememberKeys(r.name, r.keys);
      setDone(r);
    } catch (e) {
      setError(e instanceof ApiError && e.status === 409 ? `${e.message}. Tick “Replace” to deploy a new version of it.` : errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  if (done) {
    const link = `/endpoints/${encodeURIComponent(done.name)}`;
    return (
      <Dialog
        title={`Endpoint “${done.name}”`}
        onClose={onClose}
        testId="deploy-dialog"
        footer={
          <>
            <button type="button" onClick={onClose}>
              Close
            </button>
            <Link to={link} className="button primary-link">
              Open the endpoint
            </Link>
          </>
        }
      >
        <p className="success-line" role="status">
          {done.keys ? 'Deployed' : `Deployed version ${done.version}`}
          <StateBadge state={done.state} reason={done.reason} />
        </p>
        {done.reason ? <p className="error small">{done.reason}</p> : null}
        {done.keys ? (
          <>
            <p>
              Requests carry one of these keys as <code>Authorization: Bearer &lt;key&gt;</code>.
            </p>
            <div className="notice">Copy the keys now: weft keeps only their hashes and cannot show them again.</div>
            <div className="keys-once" data-testid="deployed-keys">
              {(['primary', 'secondary'] as const).map((k) => (
                <div className="key-row" key={k}>
                  <div className="key-label">{k === 'primary' ? 'Primary key' : 'Secondary key'}</div>
                  <div className="key-value">
                    <code className="key-text" data-testid={`deployed-${k}`}>
                      {done.keys![k]}
                    </code>
                    <CopyButton text={done.keys![k]} what={`${k} key`} />
                  </div>
                </div>
              ))}
            </div>
          </>
        ) : (
          <p className="muted">The endpoint keeps its keys: clients go on working and score with the new version.</p>
        )}
      </Dialog>
    );
  }

  return (
    <Dialog
      title="Deploy a real-time endpoint"
      onClose={onClose}
      testId="deploy-dialog"
      footer={
        <>
          {error ? (
            <span className="error small" role="alert">
              {error}
            </span>
          ) : null}
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="deploy-form" className="primary" disabled={busy || !nameOk || (taken !== null && !replace)}>
            {busy ? 'Deploying…' : taken && replace ? 'Deploy a new version' : 'Deploy'}
          </button>
        </>
      }
    >
      <form
        id="deploy-form"
        onSubmit={(e) => {
          e.preventDefault();
          void deploy();
        }}
      >
        <p className="muted small">
          The pipeline is compiled into an in-memory scoring plan: requests never start a process or touch the disk.
        </p>
        <label className="field">
          <span className="field-label">Endpoint name</span>
          <input
            type="text"
            value={name}
            onChange={(e) => setName(e.target.value)}
            maxLength={100}
            required
            aria-invalid={!nameOk}
            spellCheck={false}
          />
          <span className={nameOk ? 'field-help' : 'field-error'}>
            {nameOk
              ? `Clients call ${window.location.origin}/endpoints/${name.trim()}/score`
              : 'Letters, digits, “-”, “_” and “.”, starting with a letter or a digit (at most 100).'}
          </span>
        </label>
        <label className="field">
          <span className="field-label">Description</span>
          <textarea rows={2} value={text} onChange={(e) => setText(e.target.value)} placeholder="What the endpoint predicts (optional)" />
        </label>
        {taken ? (
          <label className="field replace-field">
            <span className="field-top">
              <input type="checkbox" checked={replace} onChange={(e) => setReplace(e.target.checked)} />
              <span className="field-label">Replace the existing endpoint “{taken.name}” (version {taken.version})</span>
            </span>
            <span className="field-help">
              A new version takes over at once; requests in flight finish on the old one, and the keys stay the same.
            </span>
          </label>
        ) : null}
      </form>
    </Dialog>
  );
}
