// The production pages of issue #10 (published pipelines, endpoints), by
// address. Each page loads with its first visit.
//
// The endpoint pages live at /endpoints and /endpoints/{name}: scoring uses
// /endpoints/{name}/score and the like (three segments or more), so the
// server answers these two with the app.

import { lazy, Suspense, type ReactElement } from 'react';

const EndpointsPage = lazy(() => import('./endpoints/EndpointsPage').then((m) => ({ default: m.EndpointsPage })));
const EndpointPage = lazy(() => import('./endpoints/EndpointPage').then((m) => ({ default: m.EndpointPage })));
const PublishedListPage = lazy(() => import('./published/PublishedListPage').then((m) => ({ default: m.PublishedListPage })));
const PublishedPage = lazy(() => import('./published/PublishedPage').then((m) => ({ default: m.PublishedPage })));

function decode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** The page at `path`, or null when the address is not one of these pages. */
export function productionPage(path: string): ReactElement | null {
  let page: ReactElement | null = null;
  let m: RegExpExecArray | null;
  if (/^\/endpoints\/?$/.test(path)) page = <EndpointsPage />;
  else if ((m = /^\/endpoints\/([^/]+)\/?$/.exec(path)) && decode(m[1]!) !== null) {
    const name = decode(m[1]!)!;
    page = <EndpointPage key={name} name={name} />;
  } else if (/^\/published\/?$/.test(path)) page = <PublishedListPage />;
  else if ((m = /^\/published\/(\d+)\/?$/.exec(path))) page = <PublishedPage key={m[1]} id={Number(m[1])} />;
  if (!page) return null;
  return <Suspense fallback={<div className="page-message" role="status">Loading…</div>}>{page}</Suspense>;
}
