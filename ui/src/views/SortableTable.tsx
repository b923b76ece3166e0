// A table whose rows sort by any column: a click on a heading sorts by it,
// a second click reverses the order. Missing values sort last either way.

import { useMemo, useState, type ReactNode } from 'react';

import type { Cell } from '../api/types';

export interface SortColumn {
  key: string;
  label: string;
  numeric?: boolean;
  /** How a cell reads; default its text. */
  render?: (v: Cell, row: Record<string, Cell>) => ReactNode;
}

interface SortableTableProps {
  columns: SortColumn[];
  rows: Record<string, Cell>[];
  initial?: { key: string; descending: boolean };
  label: string;
  testId?: string;
  /** A class for a row (to mark the best, say). */
  rowClass?: (row: Record<string, Cell>) => string | undefined;
}

function compare(a: Cell, b: Cell): number {
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : 1;
  if (b === null || b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

export function SortableTable({ columns, rows, initial, label, testId, rowClass }: SortableTableProps) {
  const [sort, setSort] = useState(initial ?? { key: columns[0]?.key ?? '', descending: false });
  const sorted = useMemo(() => {
    const out = [...rows];
    out.sort((x, y) => {
      const a = x[sort.key] ?? null;
      const b = y[sort.key] ?? null;
      if (a === null || b === null) return compare(a, b);
      return sort.descending ? compare(b, a) : compare(a, b);
    });
    return out;
  }, [rows, sort]);
  return (
    <div className="sortable-wrap">
      <table className="metrics sortable" aria-label={label} data-testid={testId}>
        <thead>
          <tr>
            {columns.map((c) => {
              const on = sort.key === c.key;
              return (
                <th key={c.key} scope="col" className={c.numeric ? 'num' : undefined} aria-sort={on ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
                  <button
                    type="button"
                    className="sort-button"
                    onClick={() => setSort({ key: c.key, descending: on ? !sort.descending : !!c.numeric })}
                    title={`Sort by ${c.label}`}
                  >
                    {c.label}
                    <span className="sort-mark" aria-hidden="true">
                      {on ? (sort.descending ? '▼' : '▲') : '↕'}
                    </span>
                  </button>
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {sorted.map((r, i) => (
            <tr key={i} className={rowClass?.(r)}>
              {columns.map((c) => {
                const v = r[c.key] ?? null;
                return (
                  <td key={c.key} className={c.numeric ? 'num' : undefined}>
                    {c.render ? c.render(v, r) : v === null ? '—' : typeof v === 'number' ? String(Number(v.toPrecision(6))) : String(v)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
