// The compute-target page of issue #12, by address; it loads with its
// first visit.

import { lazy, Suspense, type ReactElement } from 'react';

const ComputePage = lazy(() => import('./ComputePage').then((m) => ({ default: m.ComputePage })));

/** The page at `path`, or null when the address is not this page. */
export function computePage(path: string): ReactElement | null {
  if (!/^\/compute\/?$/.test(path)) return null;
  return (
    <Suspense fallback={<div className="page-message" role="status">Loading…</div>}>
      <ComputePage />
    </Suspense>
  );
}
