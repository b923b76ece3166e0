// What the canvas's nodes read besides their own data: the catalogue, the
// validation issues and the run's step states, by node id; and the actions
// a node offers (open an output, its log).

import { createContext, useContext } from 'react';

import type { ValidationIssue } from '../../api/types';
import type { Catalogue } from '../../pipeline/catalogue';
import type { StepState } from './useRun';

export interface NodeMenuRequest {
  node: string;
  /** An output port when the menu was opened on one. */
  port?: string;
  x: number;
  y: number;
}

export interface DesignerContextValue {
  catalogue: Catalogue;
  issues: Map<string, ValidationIssue[]>;
  steps: Record<string, StepState>;
  openMenu: (req: NodeMenuRequest) => void;
  openLog: (node: string) => void;
}

export const DesignerContext = createContext<DesignerContextValue | null>(null);

export function useDesigner(): DesignerContextValue {
  const value = useContext(DesignerContext);
  if (!value) throw new Error('useDesigner outside the designer');
  return value;
}
