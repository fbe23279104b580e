import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toolBuildId } from './build-id.js';
import { writeAtomic } from './write-atomic.js';

/** Tables with entries set since they were read: the CLI saves them before it exits. */
const unsaved = new Set<MemoTable<unknown>>();

/** Writes every table with unsaved entries (see storeWritesSettled). */
export async function saveTables(): Promise<void> {
  await Promise.all([...unsaved].map((table) => table.save()));
}

/**
 * Many small results kept between runs in one JSON file (per name, identity and build of the
 * tool), least recently used dropped first past `max`: a fleet asks for a thousand of them
 * per run, and one file read costs less than a thousand. A missing or damaged file reads as
 * empty; a read-only cache only costs the next run the work. Saved by saveTables, once per run.
 */
export class MemoTable<T> {
  private entries?: Map<string, T>;
  private dirty = false;
  private readonly file: string;

  constructor(
    cacheDir: string,
    name: string,
    /** What else shapes every entry (an engine and its version). */
    identity: string,
    private readonly max: number,
    /** Whether a stored value has the entry's shape: one that has not (a file another build or tool wrote) reads as none. */
    private readonly accepts: (value: unknown) => boolean,
  ) {
    const id = createHash('sha256').update(`${identity}\0${toolBuildId()}`).digest('hex').slice(0, 16);
    this.file = join(cacheDir, name, `${id}.json`);
  }

  get(key: string): T | undefined {
    const entries = this.load();
    const hit = entries.get(key);
    if (hit === undefined) return undefined;
    entries.delete(key);
    if (!this.accepts(hit)) return undefined;
    // Most recently used last: trimming drops from the front.
    entries.set(key, hit);
    return hit;
  }

  set(key: string, value: T): void {
    this.load().set(key, value);
    this.dirty = true;
    unsaved.add(this);
  }

  /** Writes the table when an entry was set since it was read. */
  async save(): Promise<void> {
    unsaved.delete(this);
    if (!this.dirty || !this.entries) return;
    this.dirty = false;
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.max) break;
      this.entries.delete(key);
    }
    try {
      await writeAtomic(this.file, JSON.stringify(Object.fromEntries(this.entries)));
    } catch {
      // Read-only or full: the next run computes them again.
    }
  }

  private load(): Map<string, T> {
    if (this.entries) return this.entries;
    try {
      this.entries = new Map(Object.entries(JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, T>));
    } catch {
      // None yet, or cut short.
      this.entries = new Map();
    }
    return this.entries;
  }
}
