// The column selection language of docs/formats.md §2, on the client: the
// picker's two modes ("by name" and "with rules") read and write it, and
// `applySelection` shows which columns a selection picks from a schema, as
// tbl_selection_from_json would.

import type { ColumnRole, ColumnType, SchemaColumn } from '../api/types';

export type RuleKind = 'names' | 'type' | 'role' | 'indices' | 'all';

export interface Rule {
  op: 'include' | 'exclude';
  kind: RuleKind;
  names: string[];
  type: ColumnType;
  role: ColumnRole;
  indices: string;
}

export interface RulesSelection {
  start: 'all' | 'none';
  rules: Rule[];
}

export const COLUMN_TYPES: ColumnType[] = ['numeric', 'integer', 'boolean', 'string', 'categorical', 'datetime'];
export const COLUMN_ROLES: ColumnRole[] = ['feature', 'label', 'weight', 'score', 'clear'];

export function newRule(op: Rule['op'] = 'include', kind: RuleKind = 'names'): Rule {
  return { op, kind, names: [], type: 'numeric', role: 'feature', indices: '' };
}

type JsonRule = Record<string, unknown>;

function ruleFromJson(op: Rule['op'], r: JsonRule): Rule | null {
  const rule = newRule(op);
  const keys = Object.keys(r).filter((k) => k !== 'op');
  if (keys.length !== 1) return null;
  const [key] = keys as [string];
  const v = r[key];
  switch (key) {
    case 'names':
      rule.kind = 'names';
      rule.names = typeof v === 'string' ? [v] : Array.isArray(v) ? v.map(String) : [];
      return rule;
    case 'type':
      rule.kind = 'type';
      rule.type = v as ColumnType;
      return rule;
    case 'role':
      rule.kind = 'role';
      rule.role = v as ColumnRole;
      return rule;
    case 'indices':
      rule.kind = 'indices';
      rule.indices = Array.isArray(v) ? v.map(String).join(',') : String(v);
      return rule;
    case 'all':
      rule.kind = 'all';
      return rule;
    default:
      return null;
  }
}

/** The selection JSON as rules (both forms), or null when it is not one. */
export function parseSelection(json: unknown): RulesSelection | null {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return null;
  const o = json as Record<string, unknown>;
  const rules: Rule[] = [];
  if (Array.isArray(o.rules)) {
    for (const r of o.rules as JsonRule[]) {
      const op = r.op === 'exclude' ? 'exclude' : 'include';
      const rule = ruleFromJson(op, r);
      if (!rule) return null;
      rules.push(rule);
    }
    return { start: o.start === 'all' ? 'all' : 'none', rules };
  }
  const include = Array.isArray(o.include) ? (o.include as JsonRule[]) : [];
  const exclude = Array.isArray(o.exclude) ? (o.exclude as JsonRule[]) : [];
  for (const r of include) {
    const rule = ruleFromJson('include', r);
    if (!rule) return null;
    rules.push(rule);
  }
  for (const r of exclude) {
    const rule = ruleFromJson('exclude', r);
    if (!rule) return null;
    rules.push(rule);
  }
  const start = o.start === 'all' || o.start === 'none' ? o.start : include.length === 0 && exclude.length > 0 ? 'all' : 'none';
  return { start, rules };
}

/** The names a plain "by name" selection lists, or null for anything else. */
export function byNameColumns(json: unknown): string[] | null {
  const s = parseSelection(json);
  if (!s || s.start !== 'none') return null;
  if (s.rules.length === 0) return [];
  if (s.rules.length !== 1) return null;
  const [r] = s.rules as [Rule];
  return r.op === 'include' && r.kind === 'names' ? r.names : null;
}

function ruleToJson(r: Rule): JsonRule {
  switch (r.kind) {
    case 'names':
      return { names: r.names };
    case 'type':
      return { type: r.type };
    case 'role':
      return { role: r.role };
    case 'indices':
      return { indices: r.indices.trim() };
    case 'all':
      return { all: true };
  }
}

export function byNameJson(names: string[]): unknown {
  return { include: [{ names }] };
}

export function rulesJson(s: RulesSelection): unknown {
  return { start: s.start, rules: s.rules.map((r) => ({ op: r.op, ...ruleToJson(r) })) };
}

/** 1-based indices from "1-3,7". */
function parseIndices(text: string, count: number): Set<number> | string {
  const out = new Set<number>();
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    if (!m) return `"${part}" is not an index or a range such as 2-5`;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo < 1 || hi < lo) return `"${part}" is not a valid range`;
    if (hi > count) return `index ${hi} is past the last column (${count})`;
    for (let i = lo; i <= hi; i++) out.add(i - 1);
  }
  return out;
}

function matches(r: Rule, c: SchemaColumn, i: number, indices: Set<number> | null): boolean {
  switch (r.kind) {
    case 'names':
      return r.names.includes(c.name);
    case 'type':
      // "numeric" also matches integer columns, as Azure's "Numeric" does.
      return c.type === r.type || (r.type === 'numeric' && c.type === 'integer');
    case 'role':
      return c.role === r.role;
    case 'indices':
      return indices?.has(i) ?? false;
    case 'all':
      return true;
  }
}

/** The columns a selection picks, in table order, or the first problem. */
export function applySelection(s: RulesSelection, schema: readonly SchemaColumn[]): { columns: string[] } | { error: string } {
  const chosen = new Set<number>(s.start === 'all' ? schema.map((_, i) => i) : []);
  for (const [k, r] of s.rules.entries()) {
    let indices: Set<number> | null = null;
    if (r.kind === 'indices') {
      const parsed = parseIndices(r.indices, schema.length);
      if (typeof parsed === 'string') return { error: `rule ${k + 1}: ${parsed}` };
      indices = parsed;
    }
    if (r.kind === 'names') {
      const missing = r.names.find((n) => !schema.some((c) => c.name === n));
      if (missing !== undefined) return { error: `rule ${k + 1}: column "${missing}" is not in the table` };
    }
    schema.forEach((c, i) => {
      if (!matches(r, c, i, indices)) return;
      if (r.op === 'include') chosen.add(i);
      else chosen.delete(i);
    });
  }
  return { columns: schema.filter((_, i) => chosen.has(i)).map((c) => c.name) };
}

/** A short description of a selection for the properties pane. */
export function describeSelection(json: unknown): string {
  if (json === undefined || json === null) return 'No columns selected';
  const names = byNameColumns(json);
  if (names) return names.length === 0 ? 'No columns selected' : names.join(', ');
  const s = parseSelection(json);
  if (!s) return 'A selection this designer cannot show';
  const parts = s.rules.map((r) => {
    const what =
      r.kind === 'names'
        ? r.names.join(', ')
        : r.kind === 'type'
          ? `type ${r.type}`
          : r.kind === 'role'
            ? `role ${r.role}`
            : r.kind === 'indices'
              ? `indices ${r.indices}`
              : 'all columns';
    return `${r.op} ${what}`;
  });
  return [`start with ${s.start === 'all' ? 'all columns' : 'no columns'}`, ...parts].join('; ');
}
