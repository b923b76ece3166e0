// The workspace pages of issue #9 (datasets, experiments and runs, compare,
// models), by address. Each page loads with its first visit, so the
// designer's first paint does not wait for them.

import { lazy, Suspense, type ReactElement } from 'react';

const DatasetsPage = lazy(() => import('./datasets/DatasetsPage').then((m) => ({ default: m.DatasetsPage })));
const ExperimentsPage = lazy(() => import('./experiments/ExperimentsPage').then((m) => ({ default: m.ExperimentsPage })));
const RunPage = lazy(() => import('./runs/RunPage').then((m) => ({ default: m.RunPage })));
const ComparePage = lazy(() => import('./compare/ComparePage').then((m) => ({ default: m.ComparePage })));
const ModelsPage = lazy(() => import('./models/ModelsPage').then((m) => ({ default: m.ModelsPage })));

function positive(text: string | null): number | null {
  const n = Number(text);
  return text !== null && Number.isInteger(n) && n > 0 ? n : null;
}

function decode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** The page at `path`, or null when the address is not one of these pages. */
export function workspacePage(path: string, query: URLSearchParams): ReactElement | null {
  let page: ReactElement | null = null;
  let m: RegExpExecArray | null;
  if (/^\/datasets\/?$/.test(path)) page = <DatasetsPage name={null} version={null} />;
  else if ((m = /^\/datasets\/([^/]+)\/?$/.exec(path)) && decode(m[1]!) !== null)
    page = <DatasetsPage name={decode(m[1]!)} version={positive(query.get('version'))} />;
  else if (/^\/experiments\/?$/.test(path)) page = <ExperimentsPage experiment={query.get('experiment')} />;
  else if ((m = /^\/runs\/(\d+)\/?$/.exec(path))) page = <RunPage key={m[1]} id={Number(m[1])} node={query.get('node')} />;
  else if (/^\/compare\/?$/.test(path))
    page = (
      <ComparePage
        ids={[...new Set((query.get('runs') ?? '').split(',').map((s) => positive(s.trim())))].filter((n): n is number => n !== null)}
      />
    );
  else if (/^\/models\/?$/.test(path)) page = <ModelsPage name={null} version={null} />;
  else if ((m = /^\/models\/([^/]+)\/?$/.exec(path)) && decode(m[1]!) !== null)
    page = <ModelsPage name={decode(m[1]!)} version={positive(query.get('version'))} />;
  if (!page) return null;
  return <Suspense fallback={<div className="page-message" role="status">Loading…</div>}>{page}</Suspense>;
}
