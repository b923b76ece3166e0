// The look every chart shares: the app's font and colours, quiet axes and
// grid, and one categorical palette (the first colour is the app's accent;
// two compared models are always blue and orange).

import type { Config } from 'vega-lite';

export const PALETTE = ['#2563eb', '#e67e22', '#16a085', '#d6336c', '#8e44ad', '#b26a00', '#0e7490', '#64748b', '#65a30d', '#be123c'];

const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";

export const CHART_CONFIG: Config = {
  font: FONT,
  background: 'transparent',
  padding: 4,
  view: { stroke: null },
  axis: {
    labelColor: '#667085',
    titleColor: '#344054',
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: 600,
    gridColor: '#eef0f3',
    domainColor: '#cfd5dd',
    tickColor: '#cfd5dd',
    titlePadding: 8,
  },
  legend: {
    labelColor: '#344054',
    titleColor: '#344054',
    labelFontSize: 12,
    titleFontSize: 12,
    titleFontWeight: 600,
    orient: 'bottom',
    symbolStrokeWidth: 2,
  },
  title: { color: '#1d2330', fontSize: 13, fontWeight: 600, anchor: 'start', offset: 10 },
  header: { labelColor: '#344054', titleColor: '#344054' },
  range: { category: PALETTE },
  bar: { color: PALETTE[0] },
  line: { color: PALETTE[0], strokeWidth: 2 },
  point: { color: PALETTE[0], filled: true },
  rect: { color: PALETTE[0] },
  rule: { color: '#98a2b3' },
};
