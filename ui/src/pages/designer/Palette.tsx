// The palette: the registered datasets, then the catalogue's modules grouped
// by category, with a search box. An entry is dragged onto the canvas, or
// added at the centre with Enter or a double click; hovering or focusing it
// shows its help beside the palette.

import { useMemo, useState, type DragEvent } from 'react';

import type { DatasetVersion, ModuleDescriptor } from '../../api/types';
import { Markdown } from '../../components/Markdown';
import { DATASET_MODULE, matchesSearch, type Catalogue } from '../../pipeline/catalogue';

export const PALETTE_MIME = 'application/x-weft-palette';

export interface PaletteItem {
  module: string;
  params: Record<string, unknown>;
  idBase: string;
}

interface Hover {
  title: string;
  help: string;
  top: number;
}

interface PaletteProps {
  catalogue: Catalogue;
  datasets: DatasetVersion[] | null;
  datasetsError: string | null;
  onAdd: (item: PaletteItem) => void;
}

function datasetItem(d: DatasetVersion): PaletteItem {
  return { module: DATASET_MODULE, params: { dataset: d.name, version: 'latest' }, idBase: d.name };
}

function moduleItem(m: ModuleDescriptor): PaletteItem {
  return { module: m.id, params: {}, idBase: m.name };
}

function datasetHelp(d: DatasetVersion): string {
  return `${d.description || 'A registered dataset.'}\n\n- **Version**: ${d.version}\n- **Size**: ${d.rows} rows × ${d.columns} columns\n- **Source**: \`${d.source}\``;
}

export function Palette({ catalogue, datasets, datasetsError, onAdd }: PaletteProps) {
  const [query, setQuery] = useState('');
  const [hover, setHover] = useState<Hover | null>(null);

  const groups = useMemo(
    () => catalogue.groups((m) => m.id !== DATASET_MODULE && matchesSearch(m, query)),
    [catalogue, query],
  );
  const shownDatasets = useMemo(() => {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    return (datasets ?? []).filter((d) => words.every((w) => `${d.name} ${d.description} dataset`.toLowerCase().includes(w)));
  }, [datasets, query]);

  const startDrag = (e: DragEvent, item: PaletteItem) => {
    e.dataTransfer.setData(PALETTE_MIME, JSON.stringify(item));
    e.dataTransfer.effectAllowed = 'copy';
    setHover(null);
  };

  const show = (el: HTMLElement, title: string, help: string) => {
    const r = el.getBoundingClientRect();
    setHover({ title, help, top: Math.max(8, Math.min(r.top, window.innerHeight - 320)) });
  };

  const entry = (key: string, label: string, sub: string | null, item: PaletteItem, help: string, kind: string) => (
    <li key={key}>
      <button
        type="button"
        className={`palette-item palette-${kind}`}
        draggable
        onDragStart={(e) => startDrag(e, item)}
        onDoubleClick={() => onAdd(item)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            onAdd(item);
          }
        }}
        onMouseEnter={(e) => show(e.currentTarget, label, help)}
        onMouseLeave={() => setHover(null)}
        onFocus={(e) => show(e.currentTarget, label, help)}
        onBlur={() => setHover(null)}
        aria-describedby={hover?.title === label ? 'palette-help' : undefined}
        data-testid={`palette-${kind}-${key}`}
      >
        <span className="palette-label">{label}</span>
        {sub ? <span className="palette-sub">{sub}</span> : null}
      </button>
    </li>
  );

  const nothing = groups.length === 0 && shownDatasets.length === 0;

  return (
    <aside className="palette" aria-label="Palette">
      <input
        type="search"
        className="palette-search"
        placeholder="Search modules and datasets"
        aria-label="Search modules and datasets"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      <div className="palette-groups">
        <details open className="palette-group">
          <summary>Datasets</summary>
          {datasets === null && !datasetsError ? <p className="muted small">Loading datasets…</p> : null}
          {datasetsError ? <p className="error small">{datasetsError}</p> : null}
          <ul>
            {shownDatasets.map((d) => entry(d.name, d.name, `${d.rows} × ${d.columns}`, datasetItem(d), datasetHelp(d), 'dataset'))}
          </ul>
        </details>
        {groups.map((g) => (
          <details open key={g.category} className="palette-group">
            <summary>{g.category}</summary>
            <ul>{g.modules.map((m) => entry(m.id, m.display_name, null, moduleItem(m), m.help, 'module'))}</ul>
          </details>
        ))}
        {nothing ? <p className="muted small palette-none">Nothing matches “{query}”.</p> : null}
      </div>
      {hover ? (
        <div className="help-card" id="palette-help" role="tooltip" style={{ top: hover.top }}>
          <h3>{hover.title}</h3>
          <Markdown text={hover.help} />
        </div>
      ) : null}
    </aside>
  );
}
