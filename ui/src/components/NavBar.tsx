// The workspace's pages, as links in a page's toolbar. The current page is
// marked for screen readers and styled as such.

import { Link, useLocation } from '../router';

const PAGES: { to: string; label: string; match: RegExp }[] = [
  { to: '/', label: 'Pipelines', match: /^\/(pipelines(\/.*)?)?$/ },
  // -- pages of #9 (datasets, experiments and runs, models) --
  { to: '/datasets', label: 'Datasets', match: /^\/datasets(\/.*)?$/ },
  { to: '/experiments', label: 'Experiments', match: /^\/(experiments|runs|compare)(\/.*)?$/ },
  { to: '/models', label: 'Models', match: /^\/models(\/.*)?$/ },
  // -- pages of #10 (published pipelines, endpoints) --
  { to: '/published', label: 'Published', match: /^\/published(\/.*)?$/ },
  { to: '/endpoints', label: 'Endpoints', match: /^\/endpoints(\/.*)?$/ },
  // -- pages of #12 (compute targets) --
  { to: '/compute', label: 'Compute', match: /^\/compute(\/.*)?$/ },
];

export function NavBar() {
  const { path } = useLocation();
  return (
    <nav className="nav-bar" aria-label="Workspace">
      {PAGES.map((p) => (
        <Link key={p.to} to={p.to} className="nav-link" aria-current={p.match.test(path) ? 'page' : undefined}>
          {p.label}
        </Link>
      ))}
    </nav>
  );
}
