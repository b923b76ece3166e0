// The versions of a registered thing (a dataset, a model): loading them,
// which one the address asks for, and the picker in a detail page's header.

import { useCallback } from 'react';

import { useLoad, type Loaded } from './useLoad';

interface Versioned {
  version: number;
}

export interface VersionsState<T extends Versioned> extends Loaded<T[]> {
  latest: T | undefined;
  /** The version asked for, or the latest when none (or an unknown one) is. */
  current: T | undefined;
}

/** Loads `load(signal)` (memoised on `key`) and picks `version` among its versions. */
export function useVersions<T extends Versioned>(
  key: string,
  version: number | null,
  load: (signal: AbortSignal) => Promise<T[]>,
): VersionsState<T> {
  // `key` names what `load` loads: a new key loads again, a new closure
  // over the same key does not.
  const loaded = useLoad(useCallback(load, [key]));
  const versions = loaded.data;
  const latest = versions?.[versions.length - 1];
  const current = versions?.find((v) => v.version === version) ?? latest;
  return { ...loaded, latest, current };
}

export function VersionSelect<T extends Versioned>({
  state,
  onPick,
}: {
  state: VersionsState<T>;
  onPick: (version: number) => void;
}) {
  const { data, latest, current } = state;
  if (!current) return null;
  return (
    <select value={current.version} onChange={(e) => onPick(Number(e.target.value))} aria-label="Version">
      {(data ?? [])
        .slice()
        .reverse()
        .map((x) => (
          <option key={x.version} value={x.version}>
            Version {x.version}
            {x.version === latest?.version ? ' (latest)' : ''}
          </option>
        ))}
    </select>
  );
}
