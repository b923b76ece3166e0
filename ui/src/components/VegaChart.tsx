// One chart, drawn by Vega-Lite through vega-embed. The chart libraries are
// large, so they are imported the first time a chart is shown: the
// designer's first paint never waits for them. Charts render as SVG (crisp,
// searchable, and testable: every mark is an element). `signals` updates
// the chart's parameters in place, without drawing it again, so a slider
// can move a mark smoothly.

import { useEffect, useRef, useState } from 'react';
import type { Result, VisualizationSpec } from 'vega-embed';

import { CHART_CONFIG } from './chartTheme';

type Embed = typeof import('vega-embed').default;

let loading: Promise<Embed> | null = null;

/** vega-embed, loaded once. */
function loadEmbed(): Promise<Embed> {
  loading ??= import('vega-embed').then((m) => m.default);
  return loading;
}

export interface VegaChartProps {
  /** A Vega-Lite spec; a new object draws the chart again, so memoise it. */
  spec: VisualizationSpec;
  /** What the chart shows, for screen readers. */
  label: string;
  /** Values of the spec's top-level params, set without redrawing. */
  signals?: Record<string, unknown>;
  /** The height reserved while the chart loads. */
  height?: number;
  className?: string;
  testId?: string;
}

export function VegaChart({ spec, label, signals, height = 240, className, testId }: VegaChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const result = useRef<Result | null>(null);
  const [state, setState] = useState<'loading' | 'drawn' | 'failed'>('loading');
  const [error, setError] = useState<string | null>(null);
  const latestSignals = useRef(signals);
  latestSignals.current = signals;

  useEffect(() => {
    let gone = false;
    setState('loading');
    loadEmbed()
      .then((embed) => {
        if (gone || !box.current) return null;
        return embed(box.current, spec, {
          mode: 'vega-lite',
          renderer: 'svg',
          config: CHART_CONFIG,
          actions: { export: true, source: false, compiled: false, editor: false },
          downloadFileName: label.replace(/[^\w-]+/g, '-').toLowerCase(),
        });
      })
      .then(async (r) => {
        if (!r) return;
        if (gone) {
          r.finalize();
          return;
        }
        result.current = r;
        const now = latestSignals.current;
        if (now) {
          for (const [name, value] of Object.entries(now)) r.view.signal(name, value);
          await r.view.runAsync();
        }
        if (!gone) setState('drawn');
      })
      .catch((e: unknown) => {
        if (gone) return;
        setError(e instanceof Error ? e.message : String(e));
        setState('failed');
      });
    return () => {
      gone = true;
      result.current?.finalize();
      result.current = null;
    };
    // label only names the download; a new label alone need not redraw.
  }, [spec]);

  useEffect(() => {
    const view = result.current?.view;
    if (!view || !signals) return;
    for (const [name, value] of Object.entries(signals)) view.signal(name, value);
    void view.runAsync();
  }, [signals]);

  return (
    <figure
      className={`vega-chart${className ? ` ${className}` : ''}`}
      aria-label={label}
      data-testid={testId}
      data-chart-state={state}
      style={state === 'drawn' ? undefined : { minHeight: height }}
    >
      <div ref={box} className="vega-chart-body" />
      {state === 'loading' ? <span className="vega-chart-loading muted small">Drawing…</span> : null}
      {state === 'failed' ? (
        <span className="error small" role="alert">
          The chart could not be drawn: {error}
        </span>
      ) : null}
    </figure>
  );
}
