// An endpoint's Keys tab: the primary and the secondary key. weft keeps only
// their hashes, so a key can be shown only if this tab saw it (at deploy or
// at a regenerate); either can be regenerated, after a confirmation, and
// the old one stops working at once. Two keys let clients move to a new key
// without an outage: regenerate the one they do not use, move them, then
// regenerate the other.

import { useState } from 'react';

import { api, errorMessage } from '../../api/client';
import type { EndpointDetail } from '../../api/production';
import { CopyButton } from '../../components/CopyButton';
import { Dialog } from '../../components/Dialog';
import { rememberKeys, useKnownKeys, type KeyName } from './keys';

const LABEL: Record<KeyName, string> = { primary: 'Primary key', secondary: 'Secondary key' };

/** Whether `key` opens endpoint `name`, asked of its model-ready route (a
 *  scoring route: outside /api, and not in the API's OpenAPI document). */
async function keyOpens(name: string, key: string): Promise<boolean> {
  const r = await fetch(`/v2/models/${encodeURIComponent(name)}/ready`, { headers: { Authorization: `Bearer ${key}` } });
  return r.status !== 401 && r.status !== 403;
}

/** A key kept from before, given to this tab so that Test and Consume can use it. */
function KeptKey({ endpoint, which }: { endpoint: string; which: KeyName }) {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  if (!open)
    return (
      <button type="button" className="link-button small" onClick={() => setOpen(true)}>
        I kept this key
      </button>
    );
  const use = async () => {
    setError(null);
    const key = text.trim();
    try {
      if (!(await keyOpens(endpoint, key))) {
        setError('This is not a key of the endpoint.');
        return;
      }
      rememberKeys(endpoint, { [which]: key });
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  return (
    <form
      className="kept-key"
      onSubmit={(e) => {
        e.preventDefault();
        void use();
      }}
    >
      <input type="password" aria-label={`The ${which} key`} value={text} onChange={(e) => setText(e.target.value)} autoComplete="off" spellCheck={false} />
      <button type="submit" disabled={text.trim() === ''}>
        Use
      </button>
      {error ? <span className="error small">{error}</span> : null}
    </form>
  );
}

function KeyRow({ endpoint, which, value }: { endpoint: string; which: KeyName; value: string | undefined }) {
  const [shown, setShown] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [justMade, setJustMade] = useState(false);

  const regenerate = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await api('POST /api/endpoints/{name}/keys/{which}/regenerate', { params: { name: endpoint, which } });
      rememberKeys(endpoint, { [which]: r.key });
      setShown(true);
      setJustMade(true);
      setConfirming(false);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="key-row" data-testid={`key-${which}`}>
      <div className="key-label">{LABEL[which]}</div>
      <div className="key-value">
        {value ? (
          <>
            <code className="key-text" data-testid={`key-${which}-value`}>
              {shown ? value : '•'.repeat(24)}
            </code>
            <button type="button" onClick={() => setShown(!shown)} aria-pressed={shown} aria-label={`${shown ? 'Hide' : 'Show'} the ${which} key`}>
              {shown ? 'Hide' : 'Show'}
            </button>
            <CopyButton text={value} what={`${which} key`} />
          </>
        ) : (
          <>
            <span className="muted small">Not shown in this tab: weft keeps only a hash of each key, and shows a key once, when it is made.</span>
            <KeptKey endpoint={endpoint} which={which} />
          </>
        )}
        {justMade ? (
          <div className="notice small" role="status">
            A new key: the old one no longer works. Copy it now: it is not shown again once this tab closes.
          </div>
        ) : null}
        {error ? (
          <p className="error small" role="alert">
            {error}
          </p>
        ) : null}
      </div>
      <div className="key-actions">
        <button type="button" onClick={() => setConfirming(true)}>
          Regenerate
        </button>
      </div>
      {confirming ? (
        <Dialog
          title={`Regenerate the ${which} key?`}
          onClose={() => setConfirming(false)}
          testId="regenerate-dialog"
          footer={
            <>
              <button type="button" onClick={() => setConfirming(false)}>
                Cancel
              </button>
              <button type="button" className="danger-solid" disabled={busy} onClick={() => void regenerate()}>
                {busy ? 'Regenerating…' : `Regenerate the ${which} key`}
              </button>
            </>
          }
        >
          <p>
            The current {which} key of <strong>{endpoint}</strong> stops working at once: clients that send it get 401 until they
            use the new key. The {which === 'primary' ? 'secondary' : 'primary'} key keeps working.
          </p>
          {error ? (
            <p className="error small" role="alert">
              {error}
            </p>
          ) : null}
        </Dialog>
      ) : null}
    </div>
  );
}

export function KeysTab({ endpoint: e }: { endpoint: EndpointDetail }) {
  const keys = useKnownKeys(e.name);
  return (
    <section className="card" aria-labelledby="keys-title">
      <h2 id="keys-title" className="card-title">
        Keys
      </h2>
      <p className="muted small">
        A request carries one of these as <code>Authorization: Bearer &lt;key&gt;</code>. To change keys without an outage,
        regenerate the key clients do not use, move them to it, then regenerate the other.
      </p>
      <div className="keys">
        <KeyRow endpoint={e.name} which="primary" value={keys.primary} />
        <KeyRow endpoint={e.name} which="secondary" value={keys.secondary} />
      </div>
    </section>
  );
}
