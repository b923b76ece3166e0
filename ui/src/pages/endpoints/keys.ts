// The endpoint keys this browser tab has seen. The server keeps only each
// key's hash and shows a key once (at deploy, and when it is regenerated),
// so the app remembers what it was shown for as long as the tab lives
// (sessionStorage: gone when the tab closes, never shared with other tabs)
// to fill the Test tab and the Consume samples. A key the tab never saw
// can be pasted in, or regenerated.

import { useSyncExternalStore } from 'react';

import type { EndpointKeys } from '../../api/production';

export type KeyName = keyof EndpointKeys;

const PREFIX = 'weft.endpoint-keys.';
const listeners = new Set<() => void>();
const cache = new Map<string, Partial<EndpointKeys>>();

function read(endpoint: string): Partial<EndpointKeys> {
  const known = cache.get(endpoint);
  if (known) return known;
  let keys: Partial<EndpointKeys> = {};
  try {
    const text = sessionStorage.getItem(PREFIX + endpoint);
    if (text) keys = JSON.parse(text) as Partial<EndpointKeys>;
  } catch {
    // storage refused or damaged: start without keys
  }
  cache.set(endpoint, keys);
  return keys;
}

/** Records keys of an endpoint (both at deploy; one after a regenerate). */
export function rememberKeys(endpoint: string, keys: Partial<EndpointKeys>) {
  const next = { ...read(endpoint), ...keys };
  cache.set(endpoint, next);
  try {
    sessionStorage.setItem(PREFIX + endpoint, JSON.stringify(next));
  } catch {
    // kept in memory only
  }
  for (const fn of listeners) fn();
}

/** Forgets an endpoint's keys (after it is deleted). */
export function forgetKeys(endpoint: string) {
  cache.delete(endpoint);
  try {
    sessionStorage.removeItem(PREFIX + endpoint);
  } catch {
    // nothing stored
  }
  for (const fn of listeners) fn();
}

function subscribe(fn: () => void) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** The keys of `endpoint` this tab knows, updated when they change. */
export function useKnownKeys(endpoint: string): Partial<EndpointKeys> {
  return useSyncExternalStore(subscribe, () => read(endpoint));
}
