// Uploading a file as a dataset: its name (from the file name, editable)
// and description, then a progress bar while the bytes go, then the new
// version (or what was wrong with the file).

import { useEffect, useRef, useState } from 'react';

import { errorMessage } from '../../api/client';
import { datasetNameFor, uploadDataset } from '../../api/upload';
import type { UploadedDataset } from '../../api/workspace';
import { Dialog } from '../../components/Dialog';
import { bytes } from '../../components/format';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

interface UploadDialogProps {
  file: File;
  /** The names taken, to say when an upload adds a version. */
  existing: string[];
  onDone: (d: UploadedDataset) => void;
  onClose: () => void;
}

export function UploadDialog({ file, existing, onDone, onClose }: UploadDialogProps) {
  const [name, setName] = useState(() => datasetNameFor(file.name));
  const [description, setDescription] = useState('');
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);
  useEffect(() => () => abort.current?.abort(), []);

  const valid = NAME.test(name);
  const busy = progress !== null;
  const start = async () => {
    if (!valid || busy) return;
    setError(null);
    setProgress(0);
    abort.current = new AbortController();
    try {
      const d = await uploadDataset({ file, name, description, onProgress: setProgress, signal: abort.current.signal });
      onDone(d);
    } catch (e) {
      if ((e as Error).name !== 'AbortError') setError(errorMessage(e));
      setProgress(null);
    }
  };

  const footer = (
    <>
      <button type="button" onClick={() => (busy ? abort.current?.abort() : onClose())}>
        Cancel
      </button>
      <button type="button" className="primary" disabled={!valid || busy} onClick={() => void start()} data-testid="upload-start">
        {busy ? 'Uploading…' : existing.includes(name) ? 'Upload as a new version' : 'Upload'}
      </button>
    </>
  );

  return (
    <Dialog title="Upload a dataset" onClose={() => !busy && onClose()} footer={footer} testId="upload-dialog">
      <div className="upload-file">
        <span className="file-icon" aria-hidden="true">
          {file.name.split('.').pop()?.slice(0, 4).toUpperCase() || 'FILE'}
        </span>
        <div>
          <div className="upload-file-name">{file.name}</div>
          <div className="muted small">{bytes(file.size)} · CSV, TSV, ARFF, JSON records or a weft table</div>
        </div>
      </div>
      <label className="field">
        <span className="field-label">Name</span>
        <input
          type="text"
          value={name}
          onChange={(e) => setName(e.target.value)}
          aria-invalid={!valid}
          disabled={busy}
          onKeyDown={(e) => {
            if (e.key === 'Enter') void start();
          }}
        />
        <span className={valid ? 'field-help' : 'field-error'}>
          {valid
            ? existing.includes(name)
              ? `“${name}” exists: this upload becomes its next version.`
              : 'Letters, digits, “-”, “_” and “.”.'
            : 'A name is 1–100 letters, digits, “-”, “_” or “.”, starting with a letter or a digit.'}
        </span>
      </label>
      <label className="field">
        <span className="field-label">Description</span>
        <textarea rows={2} value={description} onChange={(e) => setDescription(e.target.value)} disabled={busy} placeholder="Where the data comes from, what a row is…" />
      </label>
      {progress !== null ? (
        <div className="upload-progress" data-testid="upload-progress">
          <progress max={1} value={progress} aria-label="Upload progress" />
          <span>{progress < 1 ? `${Math.round(progress * 100)}%` : 'Reading the file…'}</span>
        </div>
      ) : null}
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
    </Dialog>
  );
}
