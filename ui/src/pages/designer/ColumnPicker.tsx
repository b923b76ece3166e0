// The column picker, as in the Azure designer: "By name" ticks columns of
// the schema propagated to the input port; "With rules" starts from all or
// no columns and includes or excludes by name, type, role and index. It
// writes the selection JSON of docs/formats.md §2 and shows what it picks.

import { useMemo, useState } from 'react';

import type { SchemaColumn } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import {
  applySelection,
  byNameColumns,
  byNameJson,
  COLUMN_ROLES,
  COLUMN_TYPES,
  newRule,
  parseSelection,
  rulesJson,
  type Rule,
  type RuleKind,
  type RulesSelection,
} from '../../pipeline/selection';

interface ColumnPickerProps {
  title: string;
  /** null: the schema is not known before running. */
  schema: SchemaColumn[] | null;
  loading: boolean;
  error: string | null;
  value: unknown;
  onSave: (json: unknown) => void;
  onClose: () => void;
}

const KIND_LABEL: Record<RuleKind, string> = {
  names: 'Column names',
  type: 'Column type',
  role: 'Column role',
  indices: 'Column indices',
  all: 'All columns',
};

function ByName({ schema, chosen, setChosen }: { schema: SchemaColumn[] | null; chosen: string[]; setChosen: (c: string[]) => void }) {
  const [filter, setFilter] = useState('');
  if (schema === null) {
    return (
      <label className="field">
        <span className="field-label">Column names, separated by commas</span>
        <input
          type="text"
          value={chosen.join(', ')}
          onChange={(e) => setChosen(e.target.value.split(',').map((s) => s.trim()).filter(Boolean))}
        />
        <span className="field-help">The columns of this input are not known until it runs, so type their names.</span>
      </label>
    );
  }
  const shown = schema.filter((c) => c.name.toLowerCase().includes(filter.toLowerCase()));
  const toggle = (name: string, on: boolean) => {
    const set = new Set(chosen);
    if (on) set.add(name);
    else set.delete(name);
    setChosen(schema.map((c) => c.name).filter((n) => set.has(n)));
  };
  return (
    <div className="by-name">
      <div className="by-name-tools">
        <input type="search" placeholder="Filter columns" aria-label="Filter columns" value={filter} onChange={(e) => setFilter(e.target.value)} />
        <button type="button" onClick={() => setChosen([...new Set([...chosen, ...shown.map((c) => c.name)])].filter((n) => schema.some((c) => c.name === n)))}>
          Select shown
        </button>
        <button type="button" onClick={() => setChosen(chosen.filter((n) => !shown.some((c) => c.name === n)))}>
          Clear shown
        </button>
      </div>
      <table className="column-table">
        <thead>
          <tr>
            <th scope="col" aria-label="Selected" />
            <th scope="col">Column</th>
            <th scope="col">Type</th>
            <th scope="col">Role</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((c) => (
            <tr key={c.name}>
              <td>
                <input
                  type="checkbox"
                  id={`pick-${c.name}`}
                  checked={chosen.includes(c.name)}
                  onChange={(e) => toggle(c.name, e.target.checked)}
                  aria-label={c.name}
                />
              </td>
              <td>
                <label htmlFor={`pick-${c.name}`}>{c.name}</label>
              </td>
              <td className="muted">{c.type}</td>
              <td className="muted">{c.role}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {chosen.filter((n) => !schema.some((c) => c.name === n)).length > 0 ? (
        <p className="error small">
          Not in this input: {chosen.filter((n) => !schema.some((c) => c.name === n)).join(', ')}
        </p>
      ) : null}
    </div>
  );
}

function RuleRow({ rule, index, schema, onChange, onRemove }: { rule: Rule; index: number; schema: SchemaColumn[] | null; onChange: (r: Rule) => void; onRemove: () => void }) {
  return (
    <li className="rule-row">
      <select aria-label={`Rule ${index + 1}: include or exclude`} value={rule.op} onChange={(e) => onChange({ ...rule, op: e.target.value as Rule['op'] })}>
        <option value="include">Include</option>
        <option value="exclude">Exclude</option>
      </select>
      <select aria-label={`Rule ${index + 1}: what`} value={rule.kind} onChange={(e) => onChange({ ...rule, kind: e.target.value as RuleKind })}>
        {(Object.keys(KIND_LABEL) as RuleKind[]).map((k) => (
          <option key={k} value={k}>
            {KIND_LABEL[k]}
          </option>
        ))}
      </select>
      {rule.kind === 'names' ? (
        schema ? (
          <select
            multiple
            aria-label={`Rule ${index + 1}: columns`}
            value={rule.names}
            onChange={(e) => onChange({ ...rule, names: [...e.target.selectedOptions].map((o) => o.value) })}
          >
            {schema.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name}
              </option>
            ))}
          </select>
        ) : (
          <input
            type="text"
            aria-label={`Rule ${index + 1}: column names`}
            value={rule.names.join(', ')}
            onChange={(e) => onChange({ ...rule, names: e.target.value.split(',').map((s) => s.trim()).filter(Boolean) })}
          />
        )
      ) : null}
      {rule.kind === 'type' ? (
        <select aria-label={`Rule ${index + 1}: type`} value={rule.type} onChange={(e) => onChange({ ...rule, type: e.target.value as Rule['type'] })}>
          {COLUMN_TYPES.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      ) : null}
      {rule.kind === 'role' ? (
        <select aria-label={`Rule ${index + 1}: role`} value={rule.role} onChange={(e) => onChange({ ...rule, role: e.target.value as Rule['role'] })}>
          {COLUMN_ROLES.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      ) : null}
      {rule.kind === 'indices' ? (
        <input type="text" placeholder="1-3,7" aria-label={`Rule ${index + 1}: indices`} value={rule.indices} onChange={(e) => onChange({ ...rule, indices: e.target.value })} />
      ) : null}
      <button type="button" className="icon-button" aria-label={`Remove rule ${index + 1}`} onClick={onRemove}>
        ×
      </button>
    </li>
  );
}

function WithRules({ schema, value, setValue }: { schema: SchemaColumn[] | null; value: RulesSelection; setValue: (s: RulesSelection) => void }) {
  const setRule = (i: number, r: Rule) => setValue({ ...value, rules: value.rules.map((x, k) => (k === i ? r : x)) });
  return (
    <div className="with-rules">
      <label className="inline-field">
        Begin with
        <select value={value.start} onChange={(e) => setValue({ ...value, start: e.target.value as RulesSelection['start'] })}>
          <option value="none">No columns</option>
          <option value="all">All columns</option>
        </select>
      </label>
      <ol className="rules">
        {value.rules.map((r, i) => (
          <RuleRow key={i} rule={r} index={i} schema={schema} onChange={(n) => setRule(i, n)} onRemove={() => setValue({ ...value, rules: value.rules.filter((_, k) => k !== i) })} />
        ))}
      </ol>
      <button type="button" onClick={() => setValue({ ...value, rules: [...value.rules, newRule()] })}>
        Add rule
      </button>
    </div>
  );
}

export function ColumnPicker({ title, schema, loading, error, value, onSave, onClose }: ColumnPickerProps) {
  const initialNames = byNameColumns(value);
  const [mode, setMode] = useState<'name' | 'rules'>(initialNames !== null || value == null ? 'name' : 'rules');
  const [names, setNames] = useState<string[]>(initialNames ?? []);
  const [rules, setRules] = useState<RulesSelection>(() => parseSelection(value) ?? { start: 'none', rules: [newRule()] });

  const result = useMemo(() => {
    const sel: RulesSelection =
      mode === 'name' ? { start: 'none', rules: [{ ...newRule('include', 'names'), names }] } : rules;
    return schema ? applySelection(sel, schema) : null;
  }, [mode, names, rules, schema]);

  const save = () => onSave(mode === 'name' ? byNameJson(names) : rulesJson(rules));
  const blocked = result !== null && 'error' in result;

  return (
    <Dialog
      title={title}
      onClose={onClose}
      wide
      testId="column-picker"
      footer={
        <>
          <span className="picker-result" role="status">
            {result === null
              ? 'The columns are known once the input has run.'
              : 'error' in result
                ? result.error
                : `${result.columns.length} column${result.columns.length === 1 ? '' : 's'} selected${result.columns.length ? `: ${result.columns.join(', ')}` : ''}`}
          </span>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="primary" onClick={save} disabled={blocked}>
            Save
          </button>
        </>
      }
    >
      <div className="tabs" role="tablist" aria-label="How to select columns">
        <button type="button" role="tab" aria-selected={mode === 'name'} onClick={() => setMode('name')}>
          By name
        </button>
        <button type="button" role="tab" aria-selected={mode === 'rules'} onClick={() => setMode('rules')}>
          With rules
        </button>
      </div>
      {loading ? <p className="muted">Reading the columns of this input…</p> : null}
      {error ? <p className="error">{error}</p> : null}
      <div role="tabpanel">
        {mode === 'name' ? <ByName schema={schema} chosen={names} setChosen={setNames} /> : <WithRules schema={schema} value={rules} setValue={setRules} />}
      </div>
    </Dialog>
  );
}
