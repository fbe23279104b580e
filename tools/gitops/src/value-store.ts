import { hash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { toolBuildId } from './build-id.js';
import { saveTables } from './memo-table.js';
import { writeAtomic } from './write-atomic.js';

/** How entries are written: V8's serialization keeps every value as it was (Uint8Array, Set, -0). */
export interface Codec {
  encode(value: unknown): Uint8Array | string;
  decode(bytes: Buffer): unknown;
}

export const V8_CODEC: Codec = { encode: serialize, decode: deserialize };
/** For plain JSON data: reads back about twice as fast as V8's. */
export const JSON_CODEC: Codec = { encode: (value) => JSON.stringify(value), decode: (bytes) => JSON.parse(bytes.toString('utf8')) as unknown };

/**
 * Entries being written, by file: the last value set and its write, which follows any earlier
 * write of the same file. Read back from here until they are on disk.
 */
const writing = new Map<string, { bytes: Uint8Array | string; written: Promise<void> }>();

/** Resolves when every entry set so far is on disk (or failed to be written); the CLI waits for it before it exits. */
export async function storeWritesSettled(): Promise<void> {
  await saveTables();
  while (writing.size > 0) await Promise.all([...writing.values()].map((w) => w.written));
}

/**
 * What the tool computed, kept in the user cache between runs: one file per key and build of
 * the tool, written atomically. A missing or damaged entry reads as none; a read-only cache
 * only costs the next run the work. Reads are synchronous (entries are small and read in
 * loops); writes are not, so a cold run's thousands of entries cost the thread that computes
 * them nothing.
 */
export class ValueStore<T> {
  private readonly dir: string;

  constructor(
    cacheDir: string,
    name: string,
    private readonly codec: Codec = V8_CODEC,
  ) {
    this.dir = join(cacheDir, name);
  }

  get(key: string): T | undefined {
    const file = this.file(key);
    try {
      const pending = writing.get(file);
      return this.codec.decode(pending === undefined ? readFileSync(file) : Buffer.from(pending.bytes)) as T;
    } catch {
      return undefined;
    }
  }

  set(key: string, value: T): void {
    const file = this.file(key);
    const bytes = this.codec.encode(value);
    // After any earlier write of the same entry, so the last value set is the one that stays.
    const entry = { bytes, written: Promise.resolve() };
    entry.written = (writing.get(file)?.written ?? Promise.resolve())
      .then(() => writeAtomic(file, bytes))
      .catch(() => {
        // Read-only or full: the next run computes it again.
      })
      .finally(() => {
        if (writing.get(file) === entry) writing.delete(file);
      });
    writing.set(file, entry);
  }

  private file(key: string): string {
    return join(this.dir, `${hash('sha256', `${toolBuildId()}\0${key}`, 'base64url')}.bin`);
  }
}
