// An example request row for an endpoint: the first complete row of the
// dataset its inference pipeline keeps connected to Web Service Input (the
// training data, as in the Azure designer), cut to the input schema's
// columns. Without such a dataset, a row of typical values by type.

import { useEffect, useMemo, useState } from 'react';

import { api } from '../../api/client';
import type { EndpointColumn, EndpointDetail } from '../../api/production';
import type { Cell } from '../../api/types';
import type { Row } from './samples';

/** The dataset (name, version) feeding the document's Web Service Input, if any. */
export function inputDataset(e: EndpointDetail | null): { name: string; version: number | null } | null {
  const doc = e?.document;
  if (!doc) return null;
  const input = (doc.nodes ?? []).find((n) => n.module.startsWith('web-service-input@'));
  if (!input) return null;
  const edge = (doc.edges ?? []).find((x) => x.to === `${input.id}.dataset`);
  const from = edge ? (doc.nodes ?? []).find((n) => n.id === edge.from.split('.')[0]) : undefined;
  if (!from || !from.module.startsWith('dataset@')) return null;
  const name = from.params?.dataset;
  const version = from.params?.version;
  if (typeof name !== 'string') return null;
  return { name, version: typeof version === 'number' ? version : null };
}

/** A value a column of this type may hold, for a form with no example. */
function typical(c: EndpointColumn): Cell {
  switch (c.type) {
    case 'numeric':
      return 0;
    case 'integer':
      return 0;
    case 'boolean':
      return false;
    case 'categorical':
      return c.levels?.[0] ?? '';
    case 'datetime':
      return '2024-01-01T00:00:00';
    default:
      return '';
  }
}

export function typicalRow(columns: EndpointColumn[]): Row {
  return Object.fromEntries(columns.map((c) => [c.name, typical(c)]));
}

export interface ExampleRow {
  row: Row;
  /** Where it came from, for people: "the first complete row of cars". */
  source: string;
}

export function useExampleRow(e: EndpointDetail | null): ExampleRow | null {
  const columns = e?.input_schema?.columns ?? null;
  const schemaKey = columns ? JSON.stringify(columns) : '';
  const ds = inputDataset(e);
  const dsName = ds?.name ?? null;
  const dsVersion = ds?.version ?? null;
  const [fromData, setFromData] = useState<{ key: string; row: Row; source: string } | null>(null);
  const key = `${dsName}@${dsVersion}|${schemaKey}`;

  useEffect(() => {
    if (!dsName || !columns) return;
    const abort = new AbortController();
    api('GET /api/datasets/{name}/preview', {
      params: { name: dsName },
      query: { limit: 50, ...(dsVersion !== null ? { version: dsVersion } : {}) },
      signal: abort.signal,
    })
      .then((page) => {
        const at = new Map(page.schema.map((c, i) => [c.name, i]));
        if (!columns.every((c) => at.has(c.name))) return;
        const complete = page.rows.find((r) => columns.every((c) => r[at.get(c.name)!] !== null)) ?? page.rows[0];
        if (!complete) return;
        const row: Row = Object.fromEntries(columns.map((c) => [c.name, complete[at.get(c.name)!] ?? null]));
        setFromData({ key, row, source: `the first complete row of the dataset ${dsName}` });
      })
      .catch(() => {
        // the typical values below serve
      });
    return () => abort.abort();
    // key stands for the columns, whose object changes at every refresh.
  }, [dsName, dsVersion, key]);

  return useMemo(() => {
    if (!columns) return null;
    if (fromData && fromData.key === key) return { row: fromData.row, source: fromData.source };
    return { row: typicalRow(columns), source: 'typical values for each column’s type' };
  }, [schemaKey, fromData, key]);
}
