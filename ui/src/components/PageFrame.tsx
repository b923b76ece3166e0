// The frame of a workspace page: the toolbar with the brand, the pages and
// the page's own actions, then the page's body in a readable column.

import { useEffect, type ReactNode } from 'react';

import { Link } from '../router';
import { NavBar } from './NavBar';
import './PageFrame.css';

interface PageFrameProps {
  /** The window title's first part: "Endpoints". */
  title: string;
  actions?: ReactNode;
  children: ReactNode;
  wide?: boolean;
}

export function PageFrame({ title, actions, children, wide }: PageFrameProps) {
  useEffect(() => {
    document.title = `${title} · weft`;
  }, [title]);
  return (
    <div className="page">
      <header className="toolbar">
        <Link to="/" className="brand" aria-label="weft: pipelines home">
          weft
        </Link>
        <NavBar />
        <span className="toolbar-gap" />
        {actions}
      </header>
      <main className={`page-body${wide ? ' page-body-wide' : ''}`}>{children}</main>
    </div>
  );
}
