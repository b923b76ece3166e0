// The profile of a table output: a list of its columns and, for the chosen
// one, a card with its type, role, counts, statistics and its histogram or
// most frequent values as bars. Bars are plain CSS; charts come later.

import { useEffect, useState } from 'react';

import { api, errorMessage } from '../../api/client';
import type { ColumnProfile, TableProfile } from '../../api/types';

/** A number for people: integers whole, others to 6 significant digits. */
export function numberText(x: number): string {
  if (Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(6)));
}

/** A statistic of a column: datetimes are microseconds since the epoch. */
function statText(col: ColumnProfile, x: number | null | undefined, spread = false): string {
  if (x === null || x === undefined) return '—';
  if (col.type !== 'datetime') return numberText(x);
  if (spread) return `${numberText(x / 86_400e6)} days`;
  const d = new Date(x / 1000);
  return Number.isNaN(d.getTime()) ? numberText(x) : d.toISOString().replace('T', ' ').replace(/(\.000)?Z$/, '');
}

interface Bar {
  label: string;
  count: number;
}

/** Bars of counts, each as wide as its share of the largest. */
function BarList({ bars, label }: { bars: Bar[]; label: string }) {
  const most = Math.max(1, ...bars.map((b) => b.count));
  return (
    <ul className="bar-list" aria-label={label}>
      {bars.map((b, i) => (
        <li key={i} data-bar={b.label}>
          <span className="bar-label" title={b.label}>
            {b.label}
          </span>
          <span className="bar-track">
            <span className="bar-fill" style={{ width: `${(100 * b.count) / most}%` }} />
          </span>
          <span className="bar-count">{b.count}</span>
        </li>
      ))}
    </ul>
  );
}

function Stat({ name, label, value }: { name: string; label: string; value: string }) {
  return (
    <div className="stat">
      <dt>{label}</dt>
      <dd data-stat={name}>{value}</dd>
    </div>
  );
}

/** Everything the profile knows of one column. */
export function ColumnCard({ col }: { col: ColumnProfile }) {
  const hasStats = col.min !== undefined;
  const bins = col.histogram ?? [];
  const top = col.top ?? [];
  return (
    <section className="profile-card" data-testid="profile-card" aria-label={`Profile of ${col.name}`}>
      <h3>{col.name}</h3>
      <p className="col-meta">
        {col.type} · {col.role}
      </p>
      <dl className="stats">
        <Stat name="count" label="Rows" value={String(col.count)} />
        <Stat name="missing" label="Missing" value={String(col.missing)} />
        <Stat name="unique" label="Unique" value={String(col.unique)} />
        <Stat name="mode" label="Mode" value={col.mode === null ? '—' : `${col.mode} (${col.mode_count}×)`} />
        {hasStats ? (
          <>
            <Stat name="min" label="Min" value={statText(col, col.min)} />
            <Stat name="max" label="Max" value={statText(col, col.max)} />
            <Stat name="mean" label="Mean" value={statText(col, col.mean)} />
            <Stat name="median" label="Median" value={statText(col, col.median)} />
            <Stat name="std" label="Std" value={statText(col, col.std, true)} />
            <Stat name="q1" label="Q1" value={statText(col, col.q1)} />
            <Stat name="q3" label="Q3" value={statText(col, col.q3)} />
          </>
        ) : null}
      </dl>
      {top.length > 0 ? (
        <>
          <h4>Most frequent</h4>
          <BarList label="Most frequent values" bars={top.map((t) => ({ label: t.value, count: t.count }))} />
        </>
      ) : null}
      {bins.length > 0 && col.type !== 'boolean' ? (
        <>
          <h4>Histogram</h4>
          <BarList
            label="Histogram"
            bars={bins.map((b) => ({ label: `${statText(col, b.lo)} – ${statText(col, b.hi)}`, count: b.count }))}
          />
        </>
      ) : null}
      {col.count > 0 && col.missing === col.count ? <p className="muted small">Every value is missing.</p> : null}
    </section>
  );
}

interface ProfileProps {
  runId: number;
  node: string;
  port: string;
  /** The column whose card shows; null for the first. */
  column: string | null;
  onColumn: (name: string) => void;
}

/** The profile tab: fetched when it first shows. */
export function OutputProfile({ runId, node, port, column, onColumn }: ProfileProps) {
  const [profile, setProfile] = useState<TableProfile | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const abort = new AbortController();
    setProfile(null);
    setError(null);
    api('GET /api/runs/{id}/steps/{node}/outputs/{port}/profile', {
      params: { id: runId, node, port },
      signal: abort.signal,
    })
      .then(setProfile)
      .catch((e: unknown) => {
        if (!abort.signal.aborted) setError(errorMessage(e));
      });
    return () => abort.abort();
  }, [runId, node, port]);

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
        {profile.columns.map((c) => (
          <li key={c.name}>
            <button
              type="button"
              aria-pressed={c === shown}
              onClick={() => onColumn(c.name)}
              title={`${c.type} · ${c.role}`}
            >
              <span>{c.name}</span>
              {c.missing > 0 ? <span className="col-meta"> · {c.missing} missing</span> : null}
            </button>
          </li>
        ))}
      </ul>
      <ColumnCard col={shown} />
    </div>
  );
}
