// An endpoint's Test tab: a form with one field per column of the input
// schema (a choice list for categorical and boolean columns), or the raw
// request as JSON for several rows. Submitting scores through the
// management API's test route (no key needed: the workspace token is
// enough) and shows the prediction, the other output columns, and the raw
// reply.

import { useEffect, useId, useState } from 'react';

import { api, ApiError, errorMessage } from '../../api/client';
import type { EndpointColumn, EndpointDetail, NativeScoringReply } from '../../api/production';
import type { ExampleRow } from './useExampleRow';
import { nativeBody, type Row } from './samples';
import { formatMs } from './StateBadge';

type Mode = 'form' | 'json';

function toText(v: Row[string] | undefined): string {
  if (v === null || v === undefined) return '';
  return String(v);
}

/** A field's text as the JSON value a request carries (empty: missing). */
function fromText(c: EndpointColumn, text: string): Row[string] {
  const t = text.trim();
  if (t === '') return null;
  if (c.type === 'numeric' || c.type === 'integer') {
    const n = Number(t);
    // A value that is not a number goes as typed: the server names it.
    return Number.isFinite(n) ? n : text;
  }
  if (c.type === 'boolean') return t === 'true' ? true : t === 'false' ? false : text;
  return text;
}

function Field({ c, value, onChange }: { c: EndpointColumn; value: string; onChange: (v: string) => void }) {
  const id = useId();
  const control =
    c.type === 'boolean' ? (
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">(missing)</option>
        <option value="true">true</option>
        <option value="false">false</option>
      </select>
    ) : c.type === 'categorical' && c.levels && c.levels.length > 0 ? (
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">(missing)</option>
        {c.levels.map((l) => (
          <option key={l} value={l}>
            {l}
          </option>
        ))}
        {value !== '' && !c.levels.includes(value) ? <option value={value}>{value} (not seen in training)</option> : null}
      </select>
    ) : (
      <input
        id={id}
        type="text"
        inputMode={c.type === 'numeric' || c.type === 'integer' ? 'decimal' : undefined}
        value={value}
        placeholder={c.type === 'datetime' ? '2024-01-31T12:00:00' : '(missing)'}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  return (
    <div className="test-field" data-column={c.name}>
      <label htmlFor={id}>
        {c.name} <span className="type-tag">{c.type}</span>
      </label>
      {control}
    </div>
  );
}

/** A prediction for people: numbers to six significant digits. */
function display(v: Row[string] | undefined): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
  return v === null || v === undefined ? 'missing' : String(v);
}

interface Result {
  rows: NativeScoringReply['Results']['WebServiceOutput0'];
  raw: string;
  ms: number;
}

interface TestTabProps {
  endpoint: EndpointDetail;
  example: ExampleRow | null;
  /** Told the row of a form scored without error. */
  onTested: (row: Row) => void;
}

export function TestTab({ endpoint: e, example, onTested }: TestTabProps) {
  const columns = e.input_schema?.columns ?? [];
  const [mode, setMode] = useState<Mode>('form');
  const [values, setValues] = useState<Record<string, string> | null>(null);
  const [touched, setTouched] = useState(false);
  const [json, setJson] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Result | null>(null);
  const [error, setError] = useState<string | null>(null);

  const fill = (row: Row) => setValues(Object.fromEntries(columns.map((c) => [c.name, toText(row[c.name])])));

  // The form follows the example row (typical values, then a row of the
  // training data once it is read) until the person edits it.
  useEffect(() => {
    if (!touched && example) fill(example.row);
  }, [example]);

  const formRow = (): Row => Object.fromEntries(columns.map((c) => [c.name, fromText(c, values?.[c.name] ?? '')]));

  const switchTo = (m: Mode) => {
    if (m === 'json' && mode === 'form') setJson(JSON.stringify(nativeBody([formRow()]), null, 2));
    setMode(m);
  };

  const submit = async () => {
    let body: unknown;
    let row: Row | null = null;
    if (mode === 'json') {
      try {
        body = JSON.parse(json);
      } catch (err) {
        setError(`The request is not JSON: ${errorMessage(err)}`);
        return;
      }
    } else {
      row = formRow();
      body = nativeBody([row]);
    }
    setBusy(true);
    setError(null);
    const t0 = performance.now();
    try {
      const reply = await api('POST /api/endpoints/{name}/score', { params: { name: e.name }, body });
      setResult({ rows: reply.Results.WebServiceOutput0, raw: JSON.stringify(reply, null, 2), ms: performance.now() - t0 });
      if (row) onTested(row);
    } catch (err) {
      setResult(null);
      setError(err instanceof ApiError && err.status ? `${err.status}: ${err.message}` : errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  if (e.state !== 'healthy') {
    return <p className="muted">The endpoint can be tested once it is healthy (it is {e.state} now).</p>;
  }

  const outColumns = result && result.rows.length > 0 ? Object.keys(result.rows[0]!) : [];
  const scoreRoles = new Set((e.output_schema?.columns ?? []).filter((c) => c.role === 'score').map((c) => c.name));
  const scored = outColumns.filter((k) => scoreRoles.has(k) || (scoreRoles.size === 0 && k.startsWith('Scored')));

  return (
    <div className="test-layout">
      <section className="card" aria-labelledby="test-input-title">
        <h2 id="test-input-title" className="card-title">
          Input
          <span className="segmented" role="group" aria-label="Input as">
            <button type="button" aria-pressed={mode === 'form'} onClick={() => switchTo('form')}>
              Form
            </button>
            <button type="button" aria-pressed={mode === 'json'} onClick={() => switchTo('json')}>
              JSON
            </button>
          </span>
        </h2>
        <form
          data-testid="test-form"
          onSubmit={(ev) => {
            ev.preventDefault();
            void submit();
          }}
        >
          {mode === 'form' ? (
            <>
              <p className="muted small">
                One row, {columns.length} columns.{' '}
                {example ? (
                  <>
                    Filled with {example.source}.{' '}
                    <button
                      type="button"
                      className="link-button small"
                      onClick={() => {
                        fill(example.row);
                        setTouched(false);
                      }}
                    >
                      Reset
                    </button>
                  </>
                ) : null}
              </p>
              <div className="test-fields">
                {columns.map((c) => (
                  <Field key={c.name} c={c} value={values?.[c.name] ?? ''} onChange={(v) => {
                      setValues({ ...(values ?? {}), [c.name]: v });
                      setTouched(true);
                    }} />
                ))}
              </div>
            </>
          ) : (
            <>
              <p className="muted small">The request body, as clients send it: add rows to score several at once.</p>
              <textarea className="mono json-input" aria-label="Request body" spellCheck={false} rows={16} value={json} onChange={(ev) => setJson(ev.target.value)} />
            </>
          )}
          <div className="form-actions">
            <button type="submit" className="primary" disabled={busy}>
              {busy ? 'Scoring…' : 'Test'}
            </button>
          </div>
        </form>
      </section>

      <section className="card" aria-labelledby="test-result-title" aria-live="polite">
        <h2 id="test-result-title" className="card-title">
          Result
          {result ? <span className="muted small card-note">{formatMs(result.ms)} round trip</span> : null}
        </h2>
        {error ? (
          <p className="error" role="alert" data-testid="test-error">
            {error}
          </p>
        ) : null}
        {!result && !error ? <p className="muted">Fill in the input and choose Test to see the prediction.</p> : null}
        {result ? (
          <>
            {result.rows.length === 1 && scored.length > 0 ? (
              <div className="prediction" data-testid="prediction">
                {scored.map((k) => (
                  <div key={k} className="prediction-item">
                    <div className="prediction-label">{k}</div>
                    <div className="prediction-value" data-testid="prediction-value" data-column={k} data-value={String(result.rows[0]![k])}>
                      {display(result.rows[0]![k])}
                    </div>
                    {typeof result.rows[0]![k] === 'number' && display(result.rows[0]![k]) !== String(result.rows[0]![k]) ? (
                      <div className="muted small mono">{String(result.rows[0]![k])}</div>
                    ) : null}
                  </div>
                ))}
              </div>
            ) : null}
            {result.rows.length === 1 ? (
              <table className="list result-table" data-testid="test-result">
                <thead>
                  <tr>
                    <th scope="col">Output column</th>
                    <th scope="col">Value</th>
                  </tr>
                </thead>
                <tbody>
                  {outColumns.map((k) => (
                    <tr key={k} className={scored.includes(k) ? 'scored' : undefined}>
                      <td>
                        <code>{k}</code>
                      </td>
                      <td>{result.rows[0]![k] === null ? <span className="muted">missing</span> : String(result.rows[0]![k])}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <div className="result-table-wrap">
                <p className="muted small">{result.rows.length} rows scored.</p>
                <table className="list result-table" data-testid="test-result">
                  <thead>
                    <tr>
                      {outColumns.map((k) => (
                        <th key={k} scope="col" className={scored.includes(k) ? 'scored' : undefined}>
                          {k}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {result.rows.map((r, i) => (
                      <tr key={i}>
                        {outColumns.map((k) => (
                          <td key={k} className={scored.includes(k) ? 'scored' : undefined}>
                            {r[k] === null ? <span className="muted">missing</span> : String(r[k])}
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <details className="raw-reply">
              <summary>Raw reply</summary>
              <pre data-testid="raw-reply">{result.raw}</pre>
            </details>
          </>
        ) : null}
      </section>
    </div>
  );
}
