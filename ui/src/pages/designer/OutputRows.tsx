// The rows of a fetched window of a table, virtualised: every row is one
// fixed height, so only the rows in view (and a few either side) are in the
// DOM, between two spacer rows that keep the scrollbar true to the window.

import { useEffect, useLayoutEffect, useRef, useState } from 'react';

import type { Cell, SchemaColumn } from '../../api/types';

/** The height of a row; .data-grid.virtual in styles.css matches it. */
const ROW_HEIGHT = 24;
/** Rows rendered beyond each edge of the view, so fast scrolls do not flash. */
const OVERSCAN = 8;

export function cellText(c: Cell): string {
  if (c === null) return '';
  if (typeof c === 'number') return Number.isInteger(c) ? String(c) : String(Number(c.toPrecision(8)));
  return String(c);
}

/** Stands for the rows out of view; a row without cells would collapse. */
function Spacer({ height, span }: { height: number; span: number }) {
  return (
    <tr className="spacer" aria-hidden="true">
      <td colSpan={span} style={{ height }} />
    </tr>
  );
}

interface RowsProps {
  schema: SchemaColumn[];
  rows: Cell[][];
  /** The number of the window's first row, from 0. */
  offset: number;
  label: string;
  onColumn: (name: string) => void;
}

export function OutputRows({ schema, rows, offset, label, onColumn }: RowsProps) {
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);

  // A new window starts at its top.
  useLayoutEffect(() => {
    if (box.current) box.current.scrollTop = 0;
    setScrollTop(0);
  }, [offset, rows]);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    setHeight(el.clientHeight);
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const before = first * ROW_HEIGHT;
  const after = (rows.length - last) * ROW_HEIGHT;

  return (
    <div
      ref={box}
      className="data-grid virtual"
      tabIndex={0}
      aria-label={label}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
    >
      <table data-testid="preview-table" aria-rowcount={rows.length + 1}>
        <thead>
          <tr>
            <th scope="col" className="rownum">
              #
            </th>
            {schema.map((c) => (
              <th scope="col" key={c.name}>
                <button
                  type="button"
                  className="col-head"
                  title={`Profile of ${c.name}`}
                  onClick={() => onColumn(c.name)}
                >
                  <div>{c.name}</div>
                  <div className="col-meta">
                    {c.type}
                    {c.role !== 'feature' ? ` · ${c.role}` : ''}
                  </div>
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {before > 0 ? <Spacer height={before} span={schema.length + 1} /> : null}
          {rows.slice(first, last).map((r, i) => {
            const n = offset + first + i + 1;
            return (
              <tr key={n} data-row={n} aria-rowindex={first + i + 2}>
                <td className="rownum">{n}</td>
                {r.map((c, k) => (
                  <td key={k} className={c === null ? 'missing' : typeof c === 'number' ? 'num' : undefined}>
                    {c === null ? '—' : cellText(c)}
                  </td>
                ))}
              </tr>
            );
          })}
          {after > 0 ? <Spacer height={after} span={schema.length + 1} /> : null}
        </tbody>
      </table>
    </div>
  );
}
