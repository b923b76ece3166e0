// Registering a step's output as a model: a name (a new one, or an existing
// one for its next version) and a description.

import { useState } from 'react';

import { api, errorMessage } from '../../api/client';
import type { ModelVersion } from '../../api/workspace';
import { Dialog } from '../../components/Dialog';
import { useLoad } from '../../components/useLoad';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

interface RegisterModelProps {
  runId: number;
  node: string;
  port: string;
  suggested: string;
  onDone: (m: ModelVersion) => void;
  onClose: () => void;
}

export function RegisterModelDialog({ runId, node, port, suggested, onDone, onClose }: RegisterModelProps) {
  const [name, setName] = useState(suggested);
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const models = useLoad(loadModels);
  const valid = NAME.test(name);
  const existing = models.data?.find((m) => m.name === name);

  const register = async () => {
    if (!valid || busy) return;
    setBusy(true);
    setError(null);
    try {
      onDone(await api('POST /api/models', { body: { name, description, run_id: runId, node, port } }));
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  };

  return (
    <Dialog
      title="Register a model"
      onClose={onClose}
      testId="register-dialog"
      footer={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="primary" disabled={!valid || busy} onClick={() => void register()} data-testid="register-confirm">
            {busy ? 'Registering…' : existing ? `Register version ${(existing.version ?? 0) + 1}` : 'Register'}
          </button>
        </>
      }
    >
      <p className="muted small">
        Output <code>{port}</code> of step <code>{node}</code> in run {runId}, with its lineage: the run, the step and the dataset versions it read.
      </p>
      <label className="field">
        <span className="field-label">Name</span>
        <input type="text" list="model-names" value={name} onChange={(e) => setName(e.target.value)} aria-invalid={!valid} />
        <datalist id="model-names">
          {(models.data ?? []).map((m) => (
            <option key={m.name} value={m.name} />
          ))}
        </datalist>
        <span className={valid ? 'field-help' : 'field-error'}>
          {valid
            ? existing
              ? `“${name}” exists (version ${existing.version}): this becomes version ${existing.version + 1}.`
              : 'A new model.'
            : 'A name is 1–100 letters, digits, “-”, “_” or “.”, starting with a letter or a digit.'}
        </span>
      </label>
      <label className="field">
        <span className="field-label">Description</span>
        <textarea rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />
      </label>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
    </Dialog>
  );
}

function loadModels(signal: AbortSignal) {
  return api('GET /api/models', { signal }).then((r) => r.models);
}
