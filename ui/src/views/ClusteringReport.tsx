// A clustering evaluation: the overall distances, each cluster's size and
// distances, and the rows projected on their first two principal
// components (which Evaluate Model computes: docs/formats.md, 4.3),
// coloured by cluster.

import { useMemo, type ReactNode } from 'react';
import type { VisualizationSpec } from 'vega-embed';

import { VegaChart } from '../components/VegaChart';
import { MetricsTable } from './MetricsTable';
import { fmt, type ClusteringModel, type EvaluationReport } from './report';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

const clusterName = (c: number) => `Cluster ${c}`;

function sizeSpec(m: ClusteringModel): VisualizationSpec {
  const names = m.clusters.map((c) => clusterName(c.cluster));
  return {
    $schema: SCHEMA,
    title: 'Cluster sizes',
    width: 'container',
    height: 220,
    data: { values: m.clusters.map((c) => ({ cluster: clusterName(c.cluster), count: c.count })) },
    mark: { type: 'bar', cornerRadiusEnd: 3, width: { band: 0.6 } },
    encoding: {
      x: { field: 'cluster', type: 'nominal', sort: names, axis: { title: null, labelAngle: 0 } },
      y: { field: 'count', type: 'quantitative', axis: { title: 'Points', tickMinStep: 1 } },
      color: { field: 'cluster', type: 'nominal', sort: names, legend: null },
      tooltip: [
        { field: 'cluster', title: 'Cluster' },
        { field: 'count', title: 'Points' },
      ],
    },
  } as VisualizationSpec;
}

function distanceSpec(m: ClusteringModel): VisualizationSpec {
  const names = m.clusters.map((c) => clusterName(c.cluster));
  const kinds: [keyof ClusteringModel['clusters'][number], string][] = [
    ['average_distance_to_cluster_center', 'Mean to own centre'],
    ['maximal_distance_to_cluster_center', 'Max. to own centre'],
    ['average_distance_to_other_centers', 'Mean to other centres'],
  ];
  const values = m.clusters.flatMap((c) => kinds.map(([k, label]) => ({ cluster: clusterName(c.cluster), distance: label, value: c[k] })));
  return {
    $schema: SCHEMA,
    title: 'Distances',
    width: 'container',
    height: 220,
    data: { values },
    transform: [{ filter: 'datum.value !== null' }],
    mark: { type: 'bar', cornerRadiusEnd: 2 },
    encoding: {
      x: { field: 'cluster', type: 'nominal', sort: names, axis: { title: null, labelAngle: 0 } },
      xOffset: { field: 'distance', sort: kinds.map((k) => k[1]) },
      y: { field: 'value', type: 'quantitative', axis: { title: 'Distance' } },
      color: { field: 'distance', type: 'nominal', sort: kinds.map((k) => k[1]), title: null, scale: { range: ['#2563eb', '#93b4f5', '#e67e22'] }, legend: { columns: 2, labelLimit: 160 } },
      tooltip: [
        { field: 'cluster', title: 'Cluster' },
        { field: 'distance', title: 'Distance' },
        { field: 'value', title: 'Value', format: '.4f' },
      ],
    },
  } as VisualizationSpec;
}

function projectionSpec(m: ClusteringModel): VisualizationSpec | null {
  const p = m.charts?.projection;
  if (!p || p.points.length === 0) return null;
  const names = m.clusters.map((c) => clusterName(c.cluster));
  const pct = (r: number | null) => (r === null ? '' : ` (${(100 * r).toFixed(1)}% of variance)`);
  return {
    $schema: SCHEMA,
    title: {
      text: 'Principal components',
      subtitle: p.space === 'features' ? `${p.columns.length} standardised numeric columns` : 'distances to the cluster centres',
      subtitleColor: '#667085',
    },
    width: 'container',
    height: 320,
    data: { values: p.points.filter(([x, y]) => x !== null && y !== null).map(([x, y, c]) => ({ pc1: x, pc2: y, cluster: clusterName(c) })) },
    mark: { type: 'point', filled: true, size: 36, opacity: 0.75 },
    encoding: {
      x: { field: 'pc1', type: 'quantitative', scale: { zero: false }, axis: { title: `PC1${pct(p.explained_variance_ratio[0])}` } },
      y: { field: 'pc2', type: 'quantitative', scale: { zero: false }, axis: { title: `PC2${pct(p.explained_variance_ratio[1])}` } },
      color: { field: 'cluster', type: 'nominal', sort: names, title: null },
      shape: { field: 'cluster', type: 'nominal', sort: names, title: null },
      tooltip: [
        { field: 'cluster', title: 'Cluster' },
        { field: 'pc1', title: 'PC1', format: '.3f' },
        { field: 'pc2', title: 'PC2', format: '.3f' },
      ],
    },
  } as VisualizationSpec;
}

function ModelPanels({ m, name, many, index, lead }: { m: ClusteringModel; name: string; many: boolean; index: number; lead?: ReactNode }) {
  const specs = useMemo(() => ({ size: sizeSpec(m), distance: distanceSpec(m), projection: projectionSpec(m) }), [m]);
  return (
    <section className="report-model" aria-label={name}>
      {many ? (
        <h3>
          <span className={`model-swatch model-${index}`} aria-hidden="true" />
          {name}
        </h3>
      ) : null}
      <div className="report-grid three">
        {lead}
        <div className="report-panel">
          <VegaChart spec={specs.size} label={`Cluster sizes of ${name}`} testId="chart-cluster-sizes" height={250} />
        </div>
        <div className="report-panel">
          <VegaChart spec={specs.distance} label={`Distances of ${name}`} testId="chart-cluster-distances" height={250} />
        </div>
      </div>
      <div className="report-grid">
        <div className="report-panel">
          {specs.projection ? (
            <VegaChart spec={specs.projection} label={`Principal components of ${name}`} testId="chart-projection" height={360} />
          ) : (
            <p className="muted">No projection: the report has no points to project (no numeric columns, or made by an older weft).</p>
          )}
        </div>
        <div className="report-panel">
          <table className="metrics" data-testid="clusters-table">
            <thead>
              <tr>
                <th scope="col">Cluster</th>
                <th scope="col" className="num">
                  Points
                </th>
                <th scope="col" className="num">
                  Avg. to centre
                </th>
                <th scope="col" className="num">
                  Max. to centre
                </th>
                <th scope="col" className="num">
                  Avg. to others
                </th>
              </tr>
            </thead>
            <tbody>
              {m.clusters.map((c) => (
                <tr key={c.cluster} data-cluster={c.cluster}>
                  <th scope="row">{clusterName(c.cluster)}</th>
                  <td className="num">{c.count}</td>
                  <td className="num">{fmt(c.average_distance_to_cluster_center)}</td>
                  <td className="num">{fmt(c.maximal_distance_to_cluster_center)}</td>
                  <td className="num">{fmt(c.average_distance_to_other_centers)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </section>
  );
}

export function ClusteringReport({ report, names }: { report: EvaluationReport; names: string[] }) {
  const models = report.models as ClusteringModel[];
  const overall = (
    <section className="report-panel" aria-label="Metrics">
      <h3>Overall</h3>
      <MetricsTable models={models} names={names} />
    </section>
  );
  return (
    <div className="report report-clustering">
      <p className="report-lede">
        Clustering evaluation: {models[0]?.clusters.length ?? 0} clusters, {fmt(models[0]?.metrics.count)} points.
      </p>
      {models.length > 1 ? overall : null}
      {models.map((m, k) => (
        <ModelPanels key={k} m={m} name={names[k]!} many={models.length > 1} index={k} lead={models.length === 1 ? overall : undefined} />
      ))}
    </div>
  );
}
