// One column's card: its type and role, its counts and statistics, and a
// chart of its values: a histogram for numbers and datetimes, the most
// frequent values for text, categories and booleans. The figures behind
// each chart stay in the page as a list (under "Values"), for screen
// readers and for copying.

import { useMemo, useState } from 'react';
import type { VisualizationSpec } from 'vega-embed';

import type { ColumnProfile } from '../api/types';
import { VegaChart } from '../components/VegaChart';

import './vis.css';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

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

function histogramSpec(col: ColumnProfile): VisualizationSpec | null {
  const bins = (col.histogram ?? []).filter((b) => b.lo !== null && b.hi !== null);
  if (bins.length === 0) return null;
  const time = col.type === 'datetime';
  // Datetimes arrive in microseconds; Vega's time is milliseconds.
  const values = bins.map((b) => ({ lo: time ? b.lo! / 1000 : b.lo, hi: time ? b.hi! / 1000 : b.hi, count: b.count }));
  return {
    $schema: SCHEMA,
    width: 'container',
    height: 170,
    data: { values },
    mark: { type: 'bar', binSpacing: 1, color: '#2563eb' },
    encoding: {
      x: {
        field: 'lo',
        type: time ? 'temporal' : 'quantitative',
        bin: { binned: true },
        axis: { title: null, format: time ? undefined : '~s', labelOverlap: true, tickCount: 6 },
      },
      x2: { field: 'hi' },
      y: { field: 'count', type: 'quantitative', axis: { title: 'Rows', tickMinStep: 1, tickCount: 4 } },
      tooltip: [
        { field: 'lo', title: 'From', type: time ? 'temporal' : 'quantitative', format: time ? '%Y-%m-%d %H:%M' : '.4~f' },
        { field: 'hi', title: 'To', type: time ? 'temporal' : 'quantitative', format: time ? '%Y-%m-%d %H:%M' : '.4~f' },
        { field: 'count', title: 'Rows' },
      ],
    },
  } as VisualizationSpec;
}

function topSpec(col: ColumnProfile): VisualizationSpec | null {
  const top = col.top ?? [];
  if (top.length === 0) return null;
  return {
    $schema: SCHEMA,
    width: 'container',
    height: Math.max(60, top.length * 22),
    data: { values: top.map((t, i) => ({ value: t.value, count: t.count, i })) },
    mark: { type: 'bar', cornerRadiusEnd: 2, color: '#16a085' },
    encoding: {
      y: { field: 'value', type: 'nominal', sort: { field: 'i' }, axis: { title: null, labelLimit: 150 } },
      x: { field: 'count', type: 'quantitative', axis: { title: 'Rows', tickMinStep: 1, tickCount: 4 } },
      tooltip: [
        { field: 'value', title: 'Value' },
        { field: 'count', title: 'Rows' },
      ],
    },
  } as VisualizationSpec;
}

/** Everything the profile knows of one column. */
export function ColumnCard({ col }: { col: ColumnProfile }) {
  const hasStats = col.min !== undefined;
  const bins = col.histogram ?? [];
  const top = col.top ?? [];
  const showHistogram = bins.length > 0 && col.type !== 'boolean';
  const specs = useMemo(() => ({ histogram: showHistogram ? histogramSpec(col) : null, top: topSpec(col) }), [col, showHistogram]);
  const present = col.count - col.missing;
  const [showValues, setShowValues] = useState(false);
  return (
    <section className="profile-card" data-testid="profile-card" aria-label={`Profile of ${col.name}`}>
      <header className="profile-card-head">
        <h3>{col.name}</h3>
        <span className={`type-badge type-${col.type}`}>{col.type}</span>
        <span className={`role-badge role-${col.role}`}>{col.role}</span>
      </header>
      <div className="fill-meter" title={`${present} of ${col.count} rows have a value`}>
        <span style={{ width: `${col.count ? (100 * present) / col.count : 0}%` }} />
      </div>
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
      {specs.histogram ? (
        <>
          <h4>Histogram</h4>
          <VegaChart spec={specs.histogram} label={`Histogram of ${col.name}`} testId="profile-histogram" height={190} />
        </>
      ) : null}
      {specs.top ? (
        <>
          <h4>Most frequent</h4>
          <VegaChart spec={specs.top} label={`Most frequent values of ${col.name}`} testId="profile-top" height={Math.max(80, top.length * 22 + 40)} />
        </>
      ) : null}
      {showHistogram || top.length > 0 ? (
        <>
          <button type="button" className="link-button small values-toggle" aria-expanded={showValues} onClick={() => setShowValues((v) => !v)}>
            {showValues ? 'Hide the values' : 'Show the values'}
          </button>
          {/* Always in the page for screen readers; shown on demand. */}
          <div className={showValues ? 'values-lists' : 'sr-only'}>
            {top.length > 0 ? <BarList label="Most frequent values" bars={top.map((t) => ({ label: t.value, count: t.count }))} /> : null}
            {showHistogram ? (
              <BarList label="Histogram" bars={bins.map((b) => ({ label: `${statText(col, b.lo)} – ${statText(col, b.hi)}`, count: b.count }))} />
            ) : null}
          </div>
        </>
      ) : null}
      {col.count > 0 && col.missing === col.count ? <p className="muted small">Every value is missing.</p> : null}
    </section>
  );
}
