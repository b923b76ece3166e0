// The properties pane. With one node selected it is generated from the
// node's module descriptor: each visible parameter with its control, help
// and validation message, "Promote to pipeline parameter", and the module's
// help. With nothing selected it edits the pipeline: its name, description
// and pipeline parameters.

import { useEffect, useState } from 'react';

import { api, errorMessage } from '../../api/client';
import type { DatasetVersion, ModuleDescriptor, ParamDescriptor, PipelineParameter, ValidationIssue } from '../../api/types';
import { Markdown } from '../../components/Markdown';
import { DATASET_MODULE } from '../../pipeline/catalogue';
import type { DesignNode, Graph } from '../../pipeline/graph';
import { isRef, isVisible, pipelineTypeOf } from '../../pipeline/params';
import { ColumnPicker } from './ColumnPicker';
import { ParamField, type ColumnSource } from './ParamField';
import type { GraphApi } from './useGraph';
import { datasetTitle } from './ModuleNode';

interface Props {
  graph: GraphApi;
  descriptor: (module: string) => ModuleDescriptor | undefined;
  draftId: number;
  revision: number;
  /** Whether every change is saved. */
  settled: boolean;
  flush: () => Promise<void>;
  issues: Map<string, ValidationIssue[]>;
  datasets: DatasetVersion[] | null;
  readOnly: boolean;
}

/** The columns reaching input `port` of `node`, from the saved draft; asked
 *  only when the draft is saved (`settled`), so the server knows the edge. */
function useInputColumns(
  draftId: number,
  revision: number,
  settled: boolean,
  g: Graph,
  node: string,
  port: string | null,
): ColumnSource | null {
  const edge = port ? g.edges.find((e) => e.target === node && e.targetHandle === port) : undefined;
  const from = edge?.source ?? null;
  const fromPort = edge?.sourceHandle ?? null;
  const [state, setState] = useState<ColumnSource | null>(null);
  useEffect(() => {
    if (port === null) {
      setState(null);
      return;
    }
    if (from === null || fromPort === null) {
      setState({ columns: null, loading: false, error: `input "${port}" is not connected` });
      return;
    }
    if (!settled) return;
    const abort = new AbortController();
    setState((s) => ({ columns: s?.columns ?? null, loading: true, error: null }));
    api('GET /api/pipelines/{id}/schema', { params: { id: draftId }, query: { node: from, port: fromPort }, signal: abort.signal })
      .then((r) => setState({ columns: r.columns, loading: false, error: null }))
      .catch((e: unknown) => {
        // The edge may not be saved yet: the next revision asks again.
        if (!abort.signal.aborted) setState({ columns: null, loading: false, error: errorMessage(e) });
      });
    return () => abort.abort();
  }, [draftId, revision, settled, from, fromPort, port]);
  return state;
}

function uniqueParamName(base: string, taken: Record<string, unknown>): string {
  if (!(base in taken)) return base;
  for (let i = 2; ; i++) if (!(`${base}_${i}` in taken)) return `${base}_${i}`;
}

function ParamMenu({ bound, onPromote, onUnlink, label }: { bound: string | null; onPromote: () => void; onUnlink: () => void; label: string }) {
  return bound ? (
    <button type="button" className="link-button small" onClick={onUnlink} title={`Use a value of its own instead of pipeline parameter "${bound}"`}>
      Unlink
    </button>
  ) : (
    <button type="button" className="link-button small" onClick={onPromote} aria-label={`Promote ${label} to pipeline parameter`} title="Promote to pipeline parameter">
      Promote
    </button>
  );
}

function NodeProperties({ node, m, props }: { node: DesignNode; m: ModuleDescriptor; props: Props }) {
  const { graph, draftId, revision, settled, flush, issues, datasets, readOnly } = props;
  const pipelineParams = graph.graph.meta.parameters;
  const values = node.data.params;
  const nodeIssues = issues.get(node.id) ?? [];
  const [picker, setPicker] = useState<ParamDescriptor | null>(null);
  const [showHelp, setShowHelp] = useState(false);
  const tableInputs = m.inputs.filter((p) => p.kind === 'table');
  const columnPort = (p: ParamDescriptor) => p.input ?? (tableInputs.length === 1 ? tableInputs[0]!.name : null);
  const needsColumns = m.params.find((p) => (p.type === 'column' || p.type === 'column-selection') && columnPort(p));
  const columns = useInputColumns(draftId, revision, settled, graph.graph, node.id, needsColumns ? columnPort(needsColumns) : null);
  const pickerColumns = useInputColumns(draftId, revision, settled, graph.graph, node.id, picker ? columnPort(picker) : null);

  const fieldError = (name: string) => {
    const list = nodeIssues.filter((i) => i.field === name).map((i) => i.message);
    return list.length ? list.join('; ') : undefined;
  };
  const nodeLevel = nodeIssues.filter((i) => i.field === '' || !m.params.some((p) => p.name === i.field));

  const promote = (p: ParamDescriptor) => {
    graph.edit(`promote:${node.id}:${p.name}`, (g) => {
      const name = uniqueParamName(p.name, g.meta.parameters);
      const own = values[p.name];
      const def = own === undefined || own === null ? p.default : own;
      const decl: PipelineParameter = { type: pipelineTypeOf(p.type), default: def ?? null };
      return {
        ...g,
        meta: { ...g.meta, parameters: { ...g.meta.parameters, [name]: decl } },
        nodes: g.nodes.map((n) => (n.id === node.id ? { ...n, data: { ...n.data, params: { ...n.data.params, [p.name]: { $param: name } } } } : n)),
      };
    });
  };
  const unlink = (p: ParamDescriptor) => {
    const v = values[p.name];
    const def = isRef(v) ? pipelineParams[v.$param]?.default : undefined;
    graph.setParam(node.id, p.name, def ?? undefined);
  };

  const openPicker = async (p: ParamDescriptor) => {
    // The schema comes from the saved draft: save what is pending first.
    try {
      await flush();
    } catch {
      // the picker shows what it can; the save error is in the toolbar
    }
    setPicker(p);
  };

  return (
    <div className="props-node">
      <header className="props-head">
        <h2>{m.id === DATASET_MODULE ? datasetTitle(values.dataset) : m.display_name}</h2>
        <div className="muted small">
          {node.id} · <code>{m.id}</code>
        </div>
      </header>
      {nodeLevel.length > 0 ? (
        <ul className="issue-list" aria-label="Problems with this node">
          {nodeLevel.map((i, k) => (
            <li key={k} className="error small">
              {i.field ? `${i.field}: ` : ''}
              {i.message}
            </li>
          ))}
        </ul>
      ) : null}
      <fieldset disabled={readOnly} className="props-fields">
        <legend className="sr-only">Parameters</legend>
        {m.params.length === 0 ? <p className="muted small">This module has no parameters.</p> : null}
        {m.params
          .filter((p) => isVisible(p, m.params, values, pipelineParams))
          .map((p) => {
            const v = values[p.name];
            if (isRef(v)) {
              const decl = pipelineParams[v.$param];
              return (
                <div className="field bound" key={p.name} data-param={p.name}>
                  <div className="field-top">
                    <span className="field-label">{p.label}</span>
                    <ParamMenu bound={v.$param} label={p.label} onPromote={() => promote(p)} onUnlink={() => unlink(p)} />
                  </div>
                  <div className="bound-value">
                    From pipeline parameter <strong>{v.$param}</strong>
                    {decl ? ` (default ${JSON.stringify(decl.default ?? null)})` : ' (not declared)'}
                  </div>
                  {fieldError(p.name) ? <div className="field-error small" role="alert">{fieldError(p.name)}</div> : null}
                </div>
              );
            }
            return (
              <ParamField
                key={p.name}
                param={p}
                value={v}
                onChange={(nv) => graph.setParam(node.id, p.name, nv)}
                error={fieldError(p.name)}
                datasets={datasets}
                columns={p.type === 'column' ? columns : null}
                onPickColumns={() => void openPicker(p)}
                menu={<ParamMenu bound={null} label={p.label} onPromote={() => promote(p)} onUnlink={() => unlink(p)} />}
              />
            );
          })}
      </fieldset>
      <section className="props-help">
        <button type="button" className="link-button" aria-expanded={showHelp} onClick={() => setShowHelp(!showHelp)}>
          {showHelp ? 'Hide help' : 'Show help'}
        </button>
        {showHelp ? <Markdown text={m.help} /> : null}
      </section>
      {picker ? (
        <ColumnPicker
          title={`${picker.label} — ${m.display_name}`}
          schema={pickerColumns?.columns ?? null}
          loading={pickerColumns?.loading ?? false}
          error={pickerColumns?.error ?? null}
          value={values[picker.name]}
          onSave={(json) => {
            graph.setParam(node.id, picker.name, json);
            setPicker(null);
          }}
          onClose={() => setPicker(null)}
        />
      ) : null}
    </div>
  );
}

const PARAM_TYPES = ['number', 'int', 'bool', 'string', 'text', 'dataset', 'column', 'column-selection'];

function parseDefault(type: string, text: string): unknown {
  if (text.trim() === '') return null;
  switch (type) {
    case 'number':
    case 'int': {
      const n = Number(text);
      return Number.isFinite(n) ? n : text;
    }
    case 'bool':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'column-selection':
      try {
        return JSON.parse(text);
      } catch {
        return text;
      }
    default:
      return text;
  }
}

function PipelineProperties({ props }: { props: Props }) {
  const { graph, issues, readOnly } = props;
  const { meta } = graph.graph;
  const pipelineIssues = issues.get('') ?? [];
  const [newName, setNewName] = useState('');
  const [newType, setNewType] = useState('string');
  const setParams = (parameters: Record<string, PipelineParameter>, key: string) => graph.setMeta({ parameters }, key);
  const usedBy = (name: string) =>
    graph.graph.nodes.filter((n) => Object.values(n.data.params).some((v) => isRef(v) && v.$param === name)).map((n) => n.id);

  return (
    <div className="props-pipeline">
      <header className="props-head">
        <h2>Pipeline</h2>
        <div className="muted small">Select a node to edit its parameters.</div>
      </header>
      <fieldset disabled={readOnly} className="props-fields">
        <legend className="sr-only">Pipeline</legend>
        <label className="field">
          <span className="field-label">Name</span>
          <input type="text" value={meta.name} onChange={(e) => graph.setMeta({ name: e.target.value }, 'name')} />
        </label>
        <label className="field">
          <span className="field-label">Description</span>
          <textarea rows={3} value={meta.description} onChange={(e) => graph.setMeta({ description: e.target.value }, 'description')} />
        </label>
        <h3 className="props-sub">Pipeline parameters</h3>
        {Object.keys(meta.parameters).length === 0 ? (
          <p className="muted small">None yet. “Promote” a node's parameter to make one, or add one here.</p>
        ) : null}
        <ul className="pipeline-params">
          {Object.entries(meta.parameters).map(([name, decl]) => {
            const err = pipelineIssues.filter((i) => i.field === name).map((i) => i.message).join('; ');
            const users = usedBy(name);
            return (
              <li key={name} className={`field${err ? ' field-invalid' : ''}`}>
                <div className="field-top">
                  <span className="field-label">
                    {name} <span className="muted small">({decl.type})</span>
                  </span>
                  <button
                    type="button"
                    className="link-button small"
                    aria-label={`Delete pipeline parameter ${name}`}
                    disabled={users.length > 0}
                    title={users.length ? `Used by ${users.join(', ')}: unlink it there first` : 'Delete'}
                    onClick={() => {
                      const rest = { ...meta.parameters };
                      delete rest[name];
                      setParams(rest, `pp-del:${name}`);
                    }}
                  >
                    Delete
                  </button>
                </div>
                <input
                  type="text"
                  aria-label={`Default of ${name}`}
                  value={decl.default === undefined || decl.default === null ? '' : typeof decl.default === 'string' ? decl.default : JSON.stringify(decl.default)}
                  placeholder="no default: give a value when running"
                  onChange={(e) => setParams({ ...meta.parameters, [name]: { ...decl, default: parseDefault(decl.type, e.target.value) } }, `pp:${name}`)}
                />
                <div className="field-help">
                  {err ? <span className="field-error">{err} </span> : null}
                  {users.length ? `Used by ${users.join(', ')}.` : 'Not used by any node.'}
                </div>
              </li>
            );
          })}
        </ul>
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            const name = newName.trim();
            if (!/^[A-Za-z0-9_-]{1,100}$/.test(name) || name in meta.parameters) return;
            setParams({ ...meta.parameters, [name]: { type: newType, default: null } }, `pp-add:${name}`);
            setNewName('');
          }}
        >
          <input type="text" placeholder="new_parameter" aria-label="New pipeline parameter name" value={newName} onChange={(e) => setNewName(e.target.value)} />
          <select aria-label="New pipeline parameter type" value={newType} onChange={(e) => setNewType(e.target.value)}>
            {PARAM_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
          <button type="submit" disabled={!/^[A-Za-z0-9_-]{1,100}$/.test(newName.trim()) || newName.trim() in meta.parameters}>
            Add
          </button>
        </form>
      </fieldset>
    </div>
  );
}

export function PropertiesPane(props: Props) {
  const selected = props.graph.graph.nodes.filter((n) => n.selected);
  const one = selected.length === 1 ? selected[0]! : null;
  const m = one ? props.descriptor(one.data.module) : undefined;
  return (
    <aside className="properties" aria-label="Properties">
      {one && m ? (
        <NodeProperties key={one.id} node={one} m={m} props={props} />
      ) : one ? (
        <div className="props-node">
          <h2>{one.id}</h2>
          <p className="error">Module {one.data.module} is not in this server's catalogue.</p>
        </div>
      ) : selected.length > 1 ? (
        <div className="props-node">
          <h2>{selected.length} nodes selected</h2>
          <p className="muted small">Delete, copy or move them together.</p>
        </div>
      ) : (
        <PipelineProperties props={props} />
      )}
    </aside>
  );
}
