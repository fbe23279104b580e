import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { toolBuildId } from './build-id.js';
import { writeAtomicSync } from './write-atomic.js';

/** How entries are written: V8's serialization keeps every value as it was (Uint8Array, Set, -0). */
export interface Codec {
  encode(value: unknown): Uint8Array | string;
  decode(bytes: Buffer): unknown;
}

export const V8_CODEC: Codec = { encode: serialize, decode: deserialize };
/** For plain JSON data: reads back about twice as fast as V8's. */
export const JSON_CODEC: Codec = { encode: (value) => JSON.stringify(value), decode: (bytes) => JSON.parse(bytes.toString('utf8')) as unknown };

/**
 * What the tool computed, kept in the user cache between runs: one file per key and build of
 * the tool, written atomically. A missing or damaged entry reads as
 * none; a read-only cache only costs the next run the work. Synchronous: entries are small
 * and read in loops.
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
    try {
      return this.codec.decode(readFileSync(this.file(key))) as T;
    } catch {
      return undefined;
    }
  }

  set(key: string, value: T): void {
    try {
      writeAtomicSync(this.file(key), this.codec.encode(value));
    } catch {
      // Read-only or full: the next run computes it again.
    }
  }

  private file(key: string): string {
    return join(this.dir, `${createHash('sha256').update(`${toolBuildId()}\0${key}`).digest('base64url')}.bin`);
  }
}
