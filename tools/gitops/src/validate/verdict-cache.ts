import { createHash, hash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { toolBuildId } from '../build-id.js';
import { writeAtomic } from '../write-atomic.js';
import type { EngineInput, EngineVerdict, ValidationEngine } from './engine.js';

/** Verdicts kept per engine: enough for several fleets of 1,000 Applications; the least recently used go first. */
const MAX_VERDICTS = 200_000;

/**
 * An engine that remembers its verdicts between runs, keyed by the object, its schema file
 * (path, size, modification time), the engine and the tool's build: a run over renders that
 * did not change validates nothing. Only `valid` and `invalid` are kept; an object that could
 * not be judged is judged again.
 */
export class CachedEngine implements ValidationEngine {
  readonly name: ValidationEngine['name'];
  private store?: Map<string, EngineVerdict>;
  private readonly stamps = new Map<string, string>();
  private readonly file: string;

  constructor(
    private readonly inner: ValidationEngine,
    /** What else shapes a verdict (the kubeconform version). */
    identity: string,
    cacheDir: string,
  ) {
    this.name = inner.name;
    const id = createHash('sha256').update(`${identity}\0${toolBuildId()}`).digest('hex').slice(0, 16);
    this.file = join(cacheDir, 'verdicts', `${inner.name}-${id}.json`);
  }

  async validate(inputs: readonly EngineInput[]): Promise<EngineVerdict[]> {
    const store = this.load();
    const keys = inputs.map((input) => this.keyOf(input));
    const verdicts: (EngineVerdict | undefined)[] = keys.map((key) => {
      const hit = store.get(key);
      if (hit) {
        // Most recently used last: trimming drops from the front.
        store.delete(key);
        store.set(key, hit);
      }
      return hit;
    });
    const misses = inputs.flatMap((input, i) => (verdicts[i] ? [] : [{ input, i }]));
    if (misses.length > 0) {
      const fresh = await this.inner.validate(misses.map((m) => m.input));
      misses.forEach(({ i }, j) => {
        const verdict = fresh[j]!;
        verdicts[i] = verdict;
        if (verdict.status !== 'error') store.set(keys[i]!, verdict);
      });
    }
    if (misses.length > 0) await this.save(store);
    return verdicts as EngineVerdict[];
  }

  private keyOf({ manifest, schema }: EngineInput): string {
    let stamp = this.stamps.get(schema.source);
    if (stamp === undefined) {
      try {
        const s = statSync(schema.source);
        stamp = `${s.size}:${s.mtimeMs}`;
      } catch {
        stamp = JSON.stringify(schema.schema);
      }
      this.stamps.set(schema.source, stamp);
    }
    // An object read from a render is known by its text's digest: no need to serialize it again.
    // One-shot hash: a fleet keys ten thousand objects, and a Hash object each costs more than the hashing.
    return hash('sha256', `${schema.source}\0${stamp}\0${manifest.identity ?? JSON.stringify(manifest.object)}`, 'base64url');
  }

  private load(): Map<string, EngineVerdict> {
    if (this.store) return this.store;
    try {
      this.store = new Map(Object.entries(JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, EngineVerdict>));
    } catch {
      // None yet, or cut short: judge again.
      this.store = new Map();
    }
    return this.store;
  }

  private async save(store: Map<string, EngineVerdict>): Promise<void> {
    for (const key of store.keys()) {
      if (store.size <= MAX_VERDICTS) break;
      store.delete(key);
    }
    try {
      await writeAtomic(this.file, JSON.stringify(Object.fromEntries(store)));
    } catch {
      // A read-only cache only costs the next run its validation.
    }
  }
}
