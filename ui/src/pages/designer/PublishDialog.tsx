// Publish: the draft (or the pipeline a run ran, with its parameter values
// as defaults) becomes a published pipeline, or a new version of one that
// has the same name. Versions are immutable; clients submit runs of a
// published pipeline over REST with their own parameter values.

import { useEffect, useState } from 'react';

import { api, errorMessage } from '../../api/client';
import type { PublishedSummary } from '../../api/production';
import { Dialog } from '../../components/Dialog';
import { Link } from '../../router';
import '../endpoints/production.css';

type Source = 'draft' | 'run';

/** The server's rule for a published pipeline's name. */
const NAME = /^[A-Za-z0-9]([A-Za-z0-9 ._:()-]{0,98}[A-Za-z0-9._:()-])?$/;

/** A valid name from a pipeline's: "Cars, mileage (batch inference)" -> "Cars mileage (batch inference)". */
export function publishedNameFor(pipeline: string): string {
  const name = pipeline
    .replace(/[^A-Za-z0-9 ._:()-]+/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 100)
    .trim();
  return name || 'Published pipeline';
}

interface PublishDialogProps {
  draftId: number;
  pipelineName: string;
  description: string;
  /** A completed run shown in the designer, which may be published instead. */
  runId: number | null;
  flush: () => Promise<void>;
  onClose: () => void;
}

export function PublishDialog({ draftId, pipelineName, description, runId, flush, onClose }: PublishDialogProps) {
  const [source, setSource] = useState<Source>('draft');
  const [name, setName] = useState(() => publishedNameFor(pipelineName));
  const [text, setText] = useState(description);
  const [known, setKnown] = useState<PublishedSummary[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<{ id: number; name: string; version: number } | null>(null);

  useEffect(() => {
    const abort = new AbortController();
    api('GET /api/published', { signal: abort.signal })
      .then((r) => setKnown(r.published))
      .catch(() => {
        // the list only helps pick a name
      });
    return () => abort.abort();
  }, []);

  const existing = known.find((p) => p.name === name.trim()) ?? null;
  const valid = NAME.test(name.trim());

  const publish = async () => {
    if (!valid) return;
    setBusy(true);
    setError(null);
    try {
      if (source === 'draft') await flush();
      const r = await api('POST /api/published', {
        body: {
          name: name.trim(),
          description: text.trim() || undefined,
          ...(source === 'run' && runId !== null ? { run_id: runId } : { draft_id: draftId }),
        },
      });
      setDone(r);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  if (done) {
    return (
      <Dialog
        title="Published"
        onClose={onClose}
        testId="publish-dialog"
        footer={
          <>
            <button type="button" onClick={onClose}>
              Close
            </button>
            <Link to={`/published/${done.id}`} className="button primary-link">
              Open the published pipeline
            </Link>
          </>
        }
      >
        <p className="success-line" role="status">
          “{done.name}” version {done.version} is published.
        </p>
        <p className="muted">
          Submit it from its page, or over REST: <code>POST /api/published/{done.id}/runs</code> with{' '}
          <code>{'{"experiment": "...", "parameters": {...}}'}</code>.
        </p>
      </Dialog>
    );
  }

  return (
    <Dialog
      title="Publish a pipeline"
      onClose={onClose}
      testId="publish-dialog"
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
          <button type="submit" form="publish-form" className="primary" disabled={busy || !valid}>
            {busy ? 'Publishing…' : existing ? `Publish version ${existing.latest_version + 1}` : 'Publish'}
          </button>
        </>
      }
    >
      <form
        id="publish-form"
        onSubmit={(e) => {
          e.preventDefault();
          void publish();
        }}
      >
        {runId !== null ? (
          <div className="choice-cards" role="radiogroup" aria-label="What to publish">
            <label className="choice-card">
              <input type="radio" name="source" checked={source === 'draft'} onChange={() => setSource('draft')} />
              <strong>This draft, as it is now</strong>
            </label>
            <label className="choice-card">
              <input type="radio" name="source" checked={source === 'run'} onChange={() => setSource('run')} />
              <strong>The pipeline of run {runId}</strong>
              <span className="muted small">Exactly what the run ran, with its parameter values as the defaults.</span>
            </label>
          </div>
        ) : null}
        <label className="field">
          <span className="field-label">Name</span>
          <input
            type="text"
            list="published-names"
            value={name}
            onChange={(e) => setName(e.target.value)}
            maxLength={100}
            required
            aria-invalid={!valid}
          />
          <datalist id="published-names">
            {known.map((p) => (
              <option key={p.id} value={p.name} />
            ))}
          </datalist>
          <span className={valid ? 'field-help' : 'field-error'} data-testid="publish-target">
            {!valid
              ? 'Letters, digits, spaces and - _ . : ( ), starting with a letter or a digit (at most 100).'
              : existing
              ? `A new version (${existing.latest_version + 1}) of “${existing.name}”; version ${existing.default_version} stays the default until you change it.`
              : 'A new published pipeline, at version 1. Pick an existing name to add a version to it.'}
          </span>
        </label>
        <label className="field">
          <span className="field-label">Description</span>
          <textarea rows={2} value={text} onChange={(e) => setText(e.target.value)} placeholder="What it does (optional)" />
        </label>
      </form>
    </Dialog>
  );
}
