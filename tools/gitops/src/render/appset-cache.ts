import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExpansionCache, StoredOutcome } from '../core/appset/expand.js';
import { toolBuildId } from '../build-id.js';
import { writeAtomic } from '../write-atomic.js';

/**
 * ApplicationSet expansions in the user cache, one file per set and inputs: a run whose
 * ApplicationSets and generator files did not change never starts the engine.
 */
export function appSetCache(cacheDir: string): ExpansionCache {
  const fileOf = (inputs: string) => join(cacheDir, 'appsets', `${createHash('sha256').update(`${toolBuildId()}\0${inputs}`).digest('hex')}.json`);
  return {
    async get(inputs) {
      try {
        return JSON.parse(await readFile(fileOf(inputs), 'utf8')) as StoredOutcome;
      } catch {
        // Missing, or written by a crashed run: expand again.
        return undefined;
      }
    },
    async set(inputs, outcome) {
      try {
        await writeAtomic(fileOf(inputs), JSON.stringify(outcome));
      } catch {
        // A read-only cache only costs the next run an expansion.
      }
    },
  };
}
