// The module catalogue for views outside the designer (run pages, reports):
// fetched once per page load and shared.

import { useEffect, useState } from 'react';

import { api } from './client';
import type { ModuleDescriptor } from './types';

let catalogue: Promise<ModuleDescriptor[]> | null = null;

export function fetchModules(): Promise<ModuleDescriptor[]> {
  catalogue ??= api('GET /api/modules')
    .then((r) => r.modules)
    .catch((e: unknown) => {
      catalogue = null; // try again next time
      throw e;
    });
  return catalogue;
}

/** The catalogue, or null until it arrives. */
export function useModules(): ModuleDescriptor[] | null {
  const [modules, setModules] = useState<ModuleDescriptor[] | null>(null);
  useEffect(() => {
    let gone = false;
    fetchModules()
      .then((m) => {
        if (!gone) setModules(m);
      })
      .catch(() => {
        // Views fall back to module ids.
      });
    return () => {
      gone = true;
    };
  }, []);
  return modules;
}
