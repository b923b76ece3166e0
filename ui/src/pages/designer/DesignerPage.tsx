// The designer: palette, canvas, properties pane and run panel around one
// draft. It loads the draft, the catalogue and the datasets, then wires the
// graph (with undo), autosave, validation and the run together.

import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';

import { api, errorMessage, routeUrl } from '../../api/client';
import type { DatasetVersion, Draft, ModuleDescriptor } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import { Link } from '../../router';
import { Catalogue } from '../../pipeline/catalogue';
import type { DesignEdge, DesignNode } from '../../pipeline/graph';
import { addItem, Canvas } from './Canvas';
import { DesignerContext, type DesignerContextValue, type NodeMenuRequest } from './context';
import { NodeMenu, type MenuItem } from './NodeMenu';
import { LogDialog, OutputDialog } from './OutputDialog';
import { Palette, type PaletteItem } from './Palette';
import { ProductionActions } from './ProductionActions';
import { PropertiesPane } from './PropertiesPane';
import { RunPanel } from './RunPanel';
import { SubmitDialog } from './SubmitDialog';
import { useAutosave, type SaveStatus } from './useAutosave';
import { documentTextOf, useGraph, type Clip } from './useGraph';
import { useRun } from './useRun';
import { SHORTCUTS, useShortcuts } from './useShortcuts';
import { useValidation } from './useValidation';

const SAVE_TEXT: Record<SaveStatus, string> = {
  saved: 'All changes saved',
  pending: 'Unsaved changes…',
  saving: 'Saving…',
  error: 'Not saved',
  conflict: 'Save conflict',
};

interface Toast {
  id: number;
  text: string;
  tone: 'error' | 'info';
}

function useToasts() {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(1);
  const push = useCallback((text: string, tone: Toast['tone'] = 'info') => {
    const id = next.current++;
    setToasts((t) => [...t.slice(-3), { id, text, tone }]);
    window.setTimeout(() => setToasts((t) => t.filter((x) => x.id !== id)), 6000);
  }, []);
  return { toasts, push };
}

interface DesignerProps {
  draft: Draft;
  catalogue: Catalogue;
  datasets: DatasetVersion[] | null;
  datasetsError: string | null;
  initialRun: number | null;
}

function Designer({ draft, catalogue, datasets, datasetsError, initialRun }: DesignerProps) {
  const flow = useReactFlow<DesignNode, DesignEdge>();
  const graph = useGraph(draft.document);
  const save = useAutosave(draft.id, draft.revision, graph.documentText, graph.dragging);
  const validation = useValidation(draft.id, save.revision);
  const run = useRun();
  const { toasts, push } = useToasts();
  const [menu, setMenu] = useState<NodeMenuRequest | null>(null);
  const [output, setOutput] = useState<{ node: string; port: string } | null>(null);
  const [logOf, setLogOf] = useState<string | null>(null);
  const [submitOpen, setSubmitOpen] = useState(false);
  const [helpOpen, setHelpOpen] = useState(false);
  const clip = useRef<Clip | null>(null);
  const pastes = useRef(0);

  const { watch } = run;
  useEffect(() => {
    if (initialRun !== null) watch(initialRun, '');
  }, [initialRun, watch]);

  useEffect(() => {
    const name = graph.graph.meta.name || 'Untitled pipeline';
    document.title = `${name} · weft`;
  }, [graph.graph.meta.name]);

  const steps = run.run?.steps ?? {};
  const ctx: DesignerContextValue = useMemo(
    () => ({ catalogue, issues: validation.byNode, steps, openMenu: setMenu, openLog: setLogOf }),
    [catalogue, validation.byNode, steps],
  );

  const issues = validation.issues;
  const blocked: string | null =
    save.status === 'conflict'
      ? 'Resolve the save conflict first'
      : run.active
        ? 'A run is in progress'
        : graph.graph.nodes.length === 0
          ? 'Add datasets and modules first'
          : save.status === 'error'
            ? `The draft is not saved: ${save.error ?? ''}`
            : save.status !== 'saved' || validation.checking || issues === null
              ? 'Checking the pipeline…'
              : issues.length > 0
                ? `Fix ${issues.length} problem${issues.length > 1 ? 's' : ''} first: ${issues[0]!.node ? `${issues[0]!.node}: ` : ''}${issues[0]!.message}`
                : null;

  const addAtCentre = (item: PaletteItem) => {
    const box = document.querySelector('.canvas')?.getBoundingClientRect();
    const at = box ? flow.screenToFlowPosition({ x: box.left + box.width / 2, y: box.top + box.height / 2 }) : { x: 0, y: 0 };
    addItem(graph, item, { x: at.x - 110 + (graph.graph.nodes.length % 5) * 12, y: at.y - 30 });
  };

  const selectNode = (id: string) => {
    graph.select([id]);
    const n = graph.graph.nodes.find((x) => x.id === id);
    if (n) void flow.setCenter(n.position.x + 110, n.position.y + 40, { duration: 300, zoom: flow.getZoom() });
  };

  const fit = () => void flow.fitView({ padding: 0.2, maxZoom: 1.2, duration: 300 });

  const doCopy = () => {
    const c = graph.copy();
    if (c) {
      clip.current = c;
      pastes.current = 0;
    }
    return c;
  };
  const doPaste = () => {
    if (!clip.current) return;
    pastes.current += 1;
    graph.paste(clip.current, { x: 40 * pastes.current, y: 40 * pastes.current });
  };

  const openSubmit = () => {
    if (blocked) push(blocked, 'error');
    else setSubmitOpen(true);
  };

  useShortcuts(
    {
      delete: graph.deleteSelected,
      undo: graph.undo,
      redo: graph.redo,
      copy: () => void doCopy(),
      cut: () => {
        if (doCopy()) graph.deleteSelected();
      },
      paste: doPaste,
      duplicate: () => {
        if (doCopy()) doPaste();
      },
      selectAll: graph.selectAll,
      layout: () => {
        graph.layout();
        window.setTimeout(fit, 50);
      },
      fit,
      zoomIn: () => void flow.zoomIn({ duration: 150 }),
      zoomOut: () => void flow.zoomOut({ duration: 150 }),
      submit: openSubmit,
      escape: () => graph.select([]),
      help: () => setHelpOpen(true),
    },
    !submitOpen && !output && logOf === null && !helpOpen,
  );

  const menuItems = (req: NodeMenuRequest): MenuItem[] => {
    const node = graph.graph.nodes.find((n) => n.id === req.node);
    const m = node ? catalogue.get(node.data.module) : undefined;
    const step = steps[req.node];
    const has = step && (step.status === 'completed' || step.status === 'reused');
    const why = !run.run ? 'Run the pipeline first' : !has ? `This step is ${step?.status ?? 'not part of the run'}` : undefined;
    const outs = (m?.outputs ?? []).filter((p) => !req.port || p.name === req.port);
    const items: MenuItem[] = outs.map((p) => ({
      label: `${p.kind === 'table' ? 'Preview data' : p.kind === 'report' ? 'Visualize' : 'View output'}: ${p.name}`,
      disabled: !has,
      hint: why,
      action: () => setOutput({ node: req.node, port: p.name }),
    }));
    items.push({ label: 'View log', disabled: !step, hint: why, action: () => setLogOf(req.node) });
    if (!req.port) {
      items.push({
        label: 'Duplicate',
        action: () => {
          graph.select([req.node]);
          window.setTimeout(() => {
            if (doCopy()) doPaste();
          }, 0);
        },
      });
      items.push({
        label: 'Delete',
        action: () => {
          graph.select([req.node]);
          window.setTimeout(graph.deleteSelected, 0);
        },
      });
    }
    return items;
  };

  const takeTheirs = () => {
    const theirs = save.takeTheirs();
    if (!theirs) return;
    save.markSaved(documentTextOf(theirs.document));
    graph.replace(theirs.document);
    push(`Loaded revision ${theirs.revision}. Undo (Ctrl+Z) brings your version back.`);
  };

  const stepError = logOf ? steps[logOf]?.message : undefined;

  return (
    <DesignerContext.Provider value={ctx}>
      <div className="designer">
        <header className="toolbar" role="toolbar" aria-label="Designer">
          <Link to="/" className="brand" aria-label="weft: pipelines home">
            weft
          </Link>
          <input
            className="pipeline-name"
            aria-label="Pipeline name"
            value={graph.graph.meta.name}
            placeholder="Untitled pipeline"
            onChange={(e) => graph.setMeta({ name: e.target.value }, 'name')}
          />
          <span className={`save-status save-${save.status}`} role="status" data-testid="save-status" title={save.error ?? undefined}>
            {SAVE_TEXT[save.status]}
            {save.status === 'error' ? (
              <button type="button" className="link-button small" onClick={() => void save.retry()}>
                Retry
              </button>
            ) : null}
          </span>
          <span className="toolbar-gap" />
          <button type="button" onClick={graph.undo} disabled={!graph.canUndo} title="Undo (Ctrl+Z)">
            Undo
          </button>
          <button type="button" onClick={graph.redo} disabled={!graph.canRedo} title="Redo (Ctrl+Shift+Z)">
            Redo
          </button>
          <button
            type="button"
            onClick={() => {
              graph.layout();
              window.setTimeout(fit, 50);
            }}
            title="Auto-layout (L)"
          >
            Auto-layout
          </button>
          <button type="button" onClick={fit} title="Fit to view (F)">
            Fit
          </button>
          <a className="button" href={routeUrl('GET /api/pipelines/{id}/export', { id: draft.id })} download title="Download the pipeline document">
            Export
          </a>
          <button type="button" onClick={() => setHelpOpen(true)} title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts">
            ?
          </button>
          <ProductionActions
            draftId={draft.id}
            name={graph.graph.meta.name}
            description={graph.graph.meta.description}
            modules={graph.graph.nodes.map((n) => n.data.module)}
            run={run.run}
            flush={save.flush}
          />
          {run.active ? (
            <button type="button" className="danger" onClick={() => void run.cancel()} disabled={run.run?.canceling}>
              {run.run?.canceling ? 'Canceling…' : 'Cancel run'}
            </button>
          ) : null}
          <span className="submit-wrap">
            <button
              type="button"
              className="primary"
              onClick={openSubmit}
              aria-disabled={blocked !== null}
              aria-describedby="submit-why"
              data-testid="submit"
            >
              Submit
            </button>
            <span id="submit-why" className="submit-why" data-testid="submit-why">
              {blocked ?? 'Ready to run'}
            </span>
          </span>
        </header>
        {save.conflict ? (
          <div className="conflict-banner" role="alert" data-testid="conflict">
            <span>
              This pipeline was saved elsewhere (now revision {save.conflict.theirs.revision}) since you began editing. Your
              changes are kept here but not saved.
            </span>
            <button type="button" onClick={save.keepMine}>
              Keep my version
            </button>
            <button type="button" onClick={takeTheirs}>
              Load the saved version
            </button>
          </div>
        ) : null}
        <div className="designer-body">
          <Palette catalogue={catalogue} datasets={datasets} datasetsError={datasetsError} onAdd={addAtCentre} />
          <main className="centre">
            <Canvas graph={graph} readOnly={false} onRefused={(r) => push(`Connection refused: ${r}`, 'error')} />
            <RunPanel
              issues={issues}
              checking={validation.checking}
              validationError={validation.error}
              run={run.run}
              runError={run.error}
              onSelectNode={selectNode}
              onOpenLog={setLogOf}
            />
          </main>
          <PropertiesPane
            graph={graph}
            descriptor={(m) => catalogue.get(m)}
            draftId={draft.id}
            revision={save.revision}
            settled={save.status === 'saved'}
            flush={save.flush}
            issues={validation.byNode}
            datasets={datasets}
            readOnly={false}
          />
        </div>
        <div className="toasts" aria-live="assertive">
          {toasts.map((t) => (
            <div key={t.id} className={`toast toast-${t.tone}`} role={t.tone === 'error' ? 'alert' : 'status'}>
              {t.text}
            </div>
          ))}
        </div>
        {menu ? <NodeMenu x={menu.x} y={menu.y} title={menu.port ? `${menu.node}.${menu.port}` : menu.node} items={menuItems(menu)} onClose={() => setMenu(null)} /> : null}
        {submitOpen ? (
          <SubmitDialog
            parameters={graph.graph.meta.parameters}
            submitting={run.submitting}
            error={run.error}
            onClose={() => setSubmitOpen(false)}
            onSubmit={async (experiment, values, compute) => {
              try {
                await save.flush();
              } catch (e) {
                push(errorMessage(e), 'error');
                return;
              }
              const id = await run.submit(draft.id, experiment, values, compute);
              if (id !== null) setSubmitOpen(false);
            }}
          />
        ) : null}
        {output && run.run ? <OutputDialog runId={run.run.id} node={output.node} port={output.port} onClose={() => setOutput(null)} /> : null}
        {logOf !== null && run.run ? <LogDialog runId={run.run.id} node={logOf} error={stepError} onClose={() => setLogOf(null)} /> : null}
        {helpOpen ? (
          <Dialog title="Keyboard shortcuts" onClose={() => setHelpOpen(false)}>
            <table className="shortcuts">
              <tbody>
                {SHORTCUTS.map((s) => (
                  <tr key={s.keys}>
                    <th scope="row">
                      <kbd>{s.keys}</kbd>
                    </th>
                    <td>{s.what}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Dialog>
        ) : null}
      </div>
    </DesignerContext.Provider>
  );
}

interface Loaded {
  draft: Draft;
  modules: ModuleDescriptor[];
}

export function DesignerPage({ id, run }: { id: number; run: number | null }) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [datasets, setDatasets] = useState<DatasetVersion[] | null>(null);
  const [datasetsError, setDatasetsError] = useState<string | null>(null);

  useEffect(() => {
    const abort = new AbortController();
    setLoaded(null);
    setError(null);
    Promise.all([
      api('GET /api/pipelines/{id}', { params: { id }, signal: abort.signal }),
      api('GET /api/modules', { signal: abort.signal }),
    ])
      .then(([draft, cat]) => setLoaded({ draft, modules: cat.modules }))
      .catch((e: unknown) => {
        if (!abort.signal.aborted) setError(errorMessage(e));
      });
    api('GET /api/datasets', { signal: abort.signal })
      .then((r) => setDatasets(r.datasets))
      .catch((e: unknown) => {
        if (!abort.signal.aborted) setDatasetsError(errorMessage(e));
      });
    return () => abort.abort();
  }, [id]);

  const catalogue = useMemo(() => (loaded ? new Catalogue(loaded.modules) : null), [loaded]);

  if (error) {
    return (
      <div className="page-message">
        <h1>This pipeline cannot be opened</h1>
        <p className="error">{error}</p>
        <Link to="/">Back to the pipelines</Link>
      </div>
    );
  }
  if (!loaded || !catalogue) {
    return (
      <div className="page-message" role="status">
        Loading the designer…
      </div>
    );
  }
  return (
    <ReactFlowProvider>
      <Designer key={loaded.draft.id} draft={loaded.draft} catalogue={catalogue} datasets={datasets} datasetsError={datasetsError} initialRun={run} />
    </ReactFlowProvider>
  );
}
