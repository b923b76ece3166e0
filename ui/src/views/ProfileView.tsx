// A table's profile: the list of its columns (with how complete each is)
// and the card of the chosen one. The profile is loaded by whoever shows
// it: a run's output, or a dataset version.

import { useEffect, useState } from 'react';

import { errorMessage } from '../api/client';
import type { TableProfile } from '../api/types';
import { ColumnCard } from './ColumnCard';

interface ProfileViewProps {
  /** Fetches the profile; a new function fetches again. */
  load: (signal: AbortSignal) => Promise<TableProfile>;
  /** The column whose card shows; null for the first. */
  column: string | null;
  onColumn: (name: string) => void;
}

export function ProfileView({ load, column, onColumn }: ProfileViewProps) {
  const [profile, setProfile] = useState<TableProfile | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const abort = new AbortController();
    setProfile(null);
    setError(null);
    load(abort.signal)
      .then(setProfile)
      .catch((e: unknown) => {
        if (!abort.signal.aborted) setError(errorMessage(e));
      });
    return () => abort.abort();
  }, [load]);

  if (error)
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  if (!profile) return <p className="muted">Loading the profile…</p>;
  if (profile.columns.length === 0) return <p className="muted">The table has no columns.</p>;
  const shown = profile.columns.find((c) => c.name === column) ?? profile.columns[0]!;
  return (
    <div className="profile" data-testid="profile">
      <ul className="profile-columns" aria-label="Columns">
        {profile.columns.map((c) => {
          const fill = c.count ? (c.count - c.missing) / c.count : 1;
          return (
            <li key={c.name}>
              <button type="button" aria-pressed={c === shown} onClick={() => onColumn(c.name)} title={`${c.type} · ${c.role}`}>
                <span className={`type-dot type-${c.type}`} aria-hidden="true" />
                <span className="profile-col-name">{c.name}</span>
                {c.missing > 0 ? <span className="col-meta"> · {c.missing} missing</span> : null}
                <span className="mini-fill" aria-hidden="true">
                  <span style={{ width: `${100 * fill}%` }} />
                </span>
              </button>
            </li>
          );
        })}
      </ul>
      <ColumnCard col={shown} />
    </div>
  );
}
