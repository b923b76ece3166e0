// The module catalogue as the designer reads it: descriptors by id, bare
// names resolved to their highest version (as the engine does), and the
// palette's groups in catalogue order.

import type { ModuleDescriptor, PortDescriptor } from '../api/types';

export const DATASET_MODULE = 'dataset@1';

export class Catalogue {
  readonly modules: readonly ModuleDescriptor[];
  private readonly byId = new Map<string, ModuleDescriptor>();
  private readonly latest = new Map<string, ModuleDescriptor>();

  constructor(modules: readonly ModuleDescriptor[]) {
    this.modules = modules;
    for (const m of modules) {
      this.byId.set(m.id, m);
      const best = this.latest.get(m.name);
      if (!best || best.version < m.version) this.latest.set(m.name, m);
    }
  }

  /** The descriptor a node's `module` names ("split-data@1" or "split-data"). */
  get(module: string): ModuleDescriptor | undefined {
    return this.byId.get(module) ?? (module.includes('@') ? undefined : this.latest.get(module));
  }

  input(module: string, port: string): PortDescriptor | undefined {
    return this.get(module)?.inputs.find((p) => p.name === port);
  }

  output(module: string, port: string): PortDescriptor | undefined {
    return this.get(module)?.outputs.find((p) => p.name === port);
  }

  /** Categories in the order their first module appears in the catalogue. */
  groups(filter: (m: ModuleDescriptor) => boolean): { category: string; modules: ModuleDescriptor[] }[] {
    const groups = new Map<string, ModuleDescriptor[]>();
    for (const m of this.modules) {
      if (!filter(m)) continue;
      const list = groups.get(m.category) ?? [];
      list.push(m);
      groups.set(m.category, list);
    }
    return [...groups].map(([category, modules]) => ({ category, modules }));
  }
}

/** Whether a module matches a palette search (every word somewhere). */
export function matchesSearch(m: ModuleDescriptor, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const text = `${m.display_name} ${m.name} ${m.category}`.toLowerCase();
  return words.every((w) => text.includes(w));
}
