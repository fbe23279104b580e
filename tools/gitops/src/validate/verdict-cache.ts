import { hash } from 'node:crypto';
import { statSync } from 'node:fs';
import { MemoTable } from '../memo-table.js';
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
  private readonly store: MemoTable<EngineVerdict>;
  private readonly stamps = new Map<string, string>();

  constructor(
    private readonly inner: ValidationEngine,
    /** What else shapes a verdict (the kubeconform version). */
    identity: string,
    cacheDir: string,
  ) {
    this.name = inner.name;
    this.store = new MemoTable(cacheDir, 'verdicts', `${inner.name}\0${identity}`, MAX_VERDICTS, isVerdict);
  }

  async validate(inputs: readonly EngineInput[]): Promise<EngineVerdict[]> {
    const keys = inputs.map((input) => this.keyOf(input));
    const verdicts: (EngineVerdict | undefined)[] = keys.map((key) => this.store.get(key));
    const misses = inputs.flatMap((input, i) => (verdicts[i] ? [] : [{ input, i }]));
    if (misses.length > 0) {
      const fresh = await this.inner.validate(misses.map((m) => m.input));
      misses.forEach(({ i }, j) => {
        const verdict = fresh[j]!;
        verdicts[i] = verdict;
        if (verdict.status !== 'error') this.store.set(keys[i]!, verdict);
      });
    }
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
}

/** A kept verdict: only valid and invalid ones are kept. */
function isVerdict(value: unknown): boolean {
  const v = value as Partial<EngineVerdict> | null;
  return typeof v === 'object' && v !== null && (v.status === 'valid' || v.status === 'invalid') && Array.isArray(v.errors);
}
