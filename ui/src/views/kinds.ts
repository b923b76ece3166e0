// Which view a table output gets, decided without loading the views.

import type { SchemaColumn } from '../api/types';

export type TableViewKind = 'sweep' | 'importance';

export const FEATURE = 'Feature Name';
export const SCORE = 'Score';

/** Which result view fits a table output, if any: by module, port and columns. */
export function tableViewKind(module: string | undefined, port: string, schema: SchemaColumn[]): TableViewKind | null {
  const names = new Set(schema.map((c) => c.name));
  const name = module?.replace(/@\d+$/, '');
  if (names.has(FEATURE) && names.has(SCORE) && (name === 'permutation-feature-importance' || schema.length === 2)) return 'importance';
  if (port === 'sweep_results' || (name === 'tune-model-hyperparameters' && port.includes('sweep'))) return 'sweep';
  return null;
}

