// "Create inference pipeline" from a completed run: real-time (to deploy as
// an endpoint) or batch (to score a dataset as a run), and which Score
// Model to serve when the run has several. The server builds a new draft
// by the rules of docs/formats.md and this opens it; when it cannot, the
// dialog says the server's reason, and its warnings are shown before the
// draft opens.

import { useState } from 'react';

import { api, ApiError, errorMessage } from '../../api/client';
import type { InferenceCreated } from '../../api/production';
import { useRunRecord } from '../../api/runs';
import { Dialog } from '../../components/Dialog';
import { navigate } from '../../router';
import '../endpoints/production.css';

type Kind = 'realtime' | 'batch';

interface InferenceDialogProps {
  runId: number;
  initialKind: Kind;
  onClose: () => void;
}

export function InferenceDialog({ runId, initialKind, onClose }: InferenceDialogProps) {
  const run = useRunRecord(runId);
  const [kind, setKind] = useState<Kind>(initialKind);
  const [scoreNode, setScoreNode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [made, setMade] = useState<InferenceCreated | null>(null);

  const scorers = (run?.snapshot.pipeline.nodes ?? []).filter((n) => n.module.startsWith('score-model@')).map((n) => n.id);
  const chosen = scorers.length > 1 ? scoreNode || scorers[0]! : '';
  const open = (id: number) => navigate(`/pipelines/${id}`);

  const create = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await api('POST /api/runs/{id}/inference-pipeline', {
        params: { id: runId },
        body: { kind, ...(chosen ? { score_node: chosen } : {}) },
      });
      if (r.warnings.length === 0) {
        onClose();
        open(r.draft.id);
        return;
      }
      setMade(r);
    } catch (e) {
      setError(e instanceof ApiError && e.status === 422 ? e.message : `The inference pipeline was not created: ${errorMessage(e)}`);
    } finally {
      setBusy(false);
    }
  };

  if (made) {
    return (
      <Dialog
        title="Inference pipeline created"
        onClose={onClose}
        testId="inference-dialog"
        footer={
          <>
            <button type="button" onClick={onClose}>
              Stay here
            </button>
            <button type="button" className="primary" onClick={() => open(made.draft.id)}>
              Open “{made.draft.name}”
            </button>
          </>
        }
      >
        <p className="success-line" role="status">
          “{made.draft.name}” is a new draft.
        </p>
        <p>Read these before you deploy it:</p>
        <ul className="warnings" data-testid="inference-warnings">
          {made.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      </Dialog>
    );
  }

  return (
    <Dialog
      title="Create inference pipeline"
      onClose={onClose}
      testId="inference-dialog"
      footer={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="inference-form" className="primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create'}
          </button>
        </>
      }
    >
      <form
        id="inference-form"
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <p className="muted small">
          From run {runId}: Train Model becomes its trained model, each fitted transformation is applied as it was fitted, and Split
          Data and Evaluate Model go away. The result is a new draft you can inspect and edit.
        </p>
        <div className="choice-cards" role="radiogroup" aria-label="Kind">
          <label className="choice-card">
            <input type="radio" name="kind" value="realtime" checked={kind === 'realtime'} onChange={() => setKind('realtime')} />
            <strong>Real-time inference pipeline</strong>
            <span className="muted small">
              Web Service Input and Web Service Output around the scoring path: deploy it as an endpoint that answers each
              request in memory.
            </span>
          </label>
          <label className="choice-card">
            <input type="radio" name="kind" value="batch" checked={kind === 'batch'} onChange={() => setKind('batch')} />
            <strong>Batch inference pipeline</strong>
            <span className="muted small">
              The input dataset becomes a pipeline parameter, and the scores are written as a new dataset version on each run:
              publish it to score new data on demand.
            </span>
          </label>
        </div>
        {scorers.length > 1 ? (
          <label className="field">
            <span className="field-label">Score Model to serve</span>
            <select value={chosen} onChange={(e) => setScoreNode(e.target.value)}>
              {scorers.map((id) => (
                <option key={id} value={id}>
                  {id}
                </option>
              ))}
            </select>
            <span className="field-help">The run has {scorers.length} Score Models; the inference pipeline serves one.</span>
          </label>
        ) : null}
        {error ? (
          <div className="error-box" role="alert" data-testid="inference-error">
            <strong>This run cannot become an inference pipeline.</strong>
            <div>{error}</div>
          </div>
        ) : null}
      </form>
    </Dialog>
  );
}
