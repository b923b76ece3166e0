// The app's pages, by address.

import { computePage } from './pages/compute/routes';
import { DesignerPage } from './pages/designer/DesignerPage';
import { HomePage } from './pages/home/HomePage';
import { productionPage } from './pages/production';
import { workspacePage } from './pages/routes';
import { Link, useLocation } from './router';

export function App() {
  const { path, query } = useLocation();
  const designer = /^\/pipelines\/(\d+)\/?$/.exec(path);
  if (designer) {
    const run = Number(query.get('run'));
    return <DesignerPage id={Number(designer[1])} run={Number.isInteger(run) && run > 0 ? run : null} />;
  }
  if (path === '/' || path === '/index.html') return <HomePage />;
  // -- pages of #9 (datasets, experiments and runs, compare, models) --
  const workspace = workspacePage(path, query);
  if (workspace) return workspace;
  // -- pages of #10 (published pipelines, endpoints) --
  const production = productionPage(path);
  if (production) return production;
  // -- pages of #12 (compute targets) --
  const compute = computePage(path);
  if (compute) return compute;
  return (
    <div className="page-message">
      <h1>Nothing is here</h1>
      <p>
        <Link to="/">Go to the pipelines</Link>
      </p>
    </div>
  );
}
