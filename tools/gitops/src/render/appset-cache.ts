import type { ExpansionCache, StoredOutcome } from '../core/appset/expand.js';
import { ValueStore } from '../value-store.js';

/**
 * ApplicationSet expansions in the user cache, one entry per set and inputs: a run whose
 * ApplicationSets and generator files did not change never starts the engine.
 */
export function appSetCache(cacheDir: string): ExpansionCache {
  const store = new ValueStore<StoredOutcome>(cacheDir, 'appsets');
  return {
    get: (inputs) => {
      const stored = store.get(inputs);
      // A damaged entry: expand again.
      return Promise.resolve(stored && Array.isArray(stored.applications) && Array.isArray(stored.findings) ? stored : undefined);
    },
    set: (inputs, outcome) => Promise.resolve(store.set(inputs, outcome)),
  };
}
