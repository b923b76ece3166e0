// One parameter in the properties pane, with the control its type calls for:
// numbers with their range, enums, booleans, text, SQL and Python editors,
// column and column-selection pickers, and datasets. Its help and its
// validation message sit beneath it.

import { lazy, Suspense, useEffect, useId, useState, type ReactNode } from 'react';

import type { DatasetVersion, ParamDescriptor, SchemaColumn } from '../../api/types';
import { InlineMarkdown } from '../../components/Markdown';
import { describeSelection } from '../../pipeline/selection';

// CodeMirror loads only when a SQL or Python parameter is shown.
const CodeEditor = lazy(() => import('../../components/CodeEditor').then((m) => ({ default: m.CodeEditor })));

export interface ColumnSource {
  columns: SchemaColumn[] | null;
  loading: boolean;
  error: string | null;
}

interface ParamFieldProps {
  param: ParamDescriptor;
  /** The node's own value (undefined: the default applies). */
  value: unknown;
  onChange: (value: unknown) => void;
  error: string | undefined;
  datasets: DatasetVersion[] | null;
  columns: ColumnSource | null;
  onPickColumns: () => void;
  menu: ReactNode;
}

function rangeText(p: ParamDescriptor): string | null {
  if (p.min !== null && p.max !== null) return `from ${p.min} to ${p.max}`;
  if (p.min !== null) return `at least ${p.min}`;
  if (p.max !== null) return `at most ${p.max}`;
  return null;
}

function NumberInput({ id, param, value, onChange, invalid }: { id: string; param: ParamDescriptor; value: unknown; onChange: (v: unknown) => void; invalid: boolean }) {
  const shown = value === undefined || value === null ? '' : String(value);
  const [text, setText] = useState(shown);
  useEffect(() => setText(shown), [shown]);
  return (
    <input
      id={id}
      type="number"
      inputMode={param.type === 'int' ? 'numeric' : 'decimal'}
      step={param.type === 'int' ? 1 : 'any'}
      min={param.min ?? undefined}
      max={param.max ?? undefined}
      placeholder={param.default === null || param.default === undefined ? '' : String(param.default)}
      value={text}
      aria-invalid={invalid}
      onChange={(e) => {
        setText(e.target.value);
        if (e.target.value.trim() === '') onChange(undefined);
        else if (Number.isFinite(e.target.valueAsNumber)) onChange(e.target.valueAsNumber);
      }}
    />
  );
}

export function ParamField({ param, value, onChange, error, datasets, columns, onPickColumns, menu }: ParamFieldProps) {
  const id = useId();
  const helpId = `${id}-help`;
  const current = value === undefined || value === null ? param.default : value;
  const invalid = error !== undefined;
  const common = { id, 'aria-describedby': helpId, 'aria-invalid': invalid };
  let control: ReactNode;

  switch (param.type) {
    case 'number':
    case 'int':
      control = <NumberInput id={id} param={param} value={value} onChange={onChange} invalid={invalid} />;
      break;
    case 'bool':
      control = (
        <input {...common} type="checkbox" checked={current === true} onChange={(e) => onChange(e.target.checked)} />
      );
      break;
    case 'enum':
      control = (
        <select {...common} value={current === undefined || current === null ? '' : String(current)} onChange={(e) => onChange(e.target.value)}>
          {current === undefined || current === null ? <option value="">Choose…</option> : null}
          {(param.choices ?? []).map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      );
      break;
    case 'text':
      control = (
        <textarea
          {...common}
          className="mono"
          rows={6}
          spellCheck={false}
          value={typeof current === 'string' ? current : ''}
          onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
        />
      );
      break;
    case 'sql':
    case 'python':
      control = (
        <Suspense fallback={<div className="muted small">Loading the editor…</div>}>
          <CodeEditor
            id={id}
            label={param.label}
            language={param.type === 'sql' ? 'sql' : 'python'}
            value={typeof current === 'string' ? current : ''}
            onChange={(v) => onChange(v === '' ? undefined : v)}
          />
        </Suspense>
      );
      break;
    case 'dataset':
      control = (
        <select {...common} value={typeof current === 'string' ? current : ''} onChange={(e) => onChange(e.target.value || undefined)}>
          <option value="">{datasets === null ? 'Loading…' : 'Choose a dataset'}</option>
          {(datasets ?? []).map((d) => (
            <option key={d.name} value={d.name}>
              {d.name}
            </option>
          ))}
          {typeof current === 'string' && current && datasets && !datasets.some((d) => d.name === current) ? (
            <option value={current}>{current} (not registered)</option>
          ) : null}
        </select>
      );
      break;
    case 'column':
      control =
        columns?.columns ? (
          <select {...common} value={typeof current === 'string' ? current : ''} onChange={(e) => onChange(e.target.value || undefined)}>
            <option value="">Choose a column</option>
            {columns.columns.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name} ({c.type})
              </option>
            ))}
            {typeof current === 'string' && current && !columns.columns.some((c) => c.name === current) ? (
              <option value={current}>{current} (not in the input)</option>
            ) : null}
          </select>
        ) : (
          <input {...common} type="text" value={typeof current === 'string' ? current : ''} onChange={(e) => onChange(e.target.value || undefined)} />
        );
      break;
    case 'column-selection':
      control = (
        <div className="selection-field">
          <span className="selection-summary" data-testid={`selection-${param.name}`}>
            {describeSelection(current)}
          </span>
          <button
            id={id}
            type="button"
            aria-describedby={helpId}
            aria-invalid={invalid}
            aria-label={`Edit columns: ${param.label}`}
            onClick={onPickColumns}
          >
            Edit columns
          </button>
        </div>
      );
      break;
    case 'string':
      control = (
        <input
          {...common}
          type="text"
          value={current === undefined || current === null ? '' : String(current)}
          onChange={(e) => onChange(e.target.value === '' && param.default === null ? undefined : e.target.value)}
        />
      );
      break;
    default:
      // A type this designer does not know yet: edit its JSON.
      control = (
        <textarea
          {...common}
          className="mono"
          rows={3}
          defaultValue={current === undefined ? '' : JSON.stringify(current)}
          onBlur={(e) => {
            try {
              onChange(e.target.value.trim() === '' ? undefined : JSON.parse(e.target.value));
            } catch {
              // leave the value as it was; validation will say more
            }
          }}
        />
      );
  }

  const range = rangeText(param);
  return (
    <div className={`field${invalid ? ' field-invalid' : ''}`} data-param={param.name}>
      <div className="field-top">
        <label htmlFor={id} className="field-label">
          {param.label}
          {param.required ? <span className="required" aria-label="required"> *</span> : null}
        </label>
        {menu}
      </div>
      {control}
      <div id={helpId} className="field-help">
        {error ? (
          <span className="field-error" role="alert">
            {error}
          </span>
        ) : null}
        {param.help ? (
          <span>
            <InlineMarkdown text={param.help} />
          </span>
        ) : null}
        {range ? <span className="muted"> ({range})</span> : null}
      </div>
    </div>
  );
}
