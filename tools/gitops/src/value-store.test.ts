import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { JSON_CODEC, storeWritesSettled, ValueStore } from './value-store.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function cacheDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-value-store-'));
  dirs.push(dir);
  return dir;
}

it('reads an entry back in the same run before it is on disk, and from disk once the writes settle', async () => {
  const dir = cacheDir();
  const store = new ValueStore<{ n: number[] }>(dir, 'things', JSON_CODEC);
  store.set('a', { n: [1, 2] });
  store.set('b', { n: [3] });
  // Nothing has been awaited: the writes cannot have landed yet.
  expect(store.get('a')).toEqual({ n: [1, 2] });
  expect(new ValueStore(dir, 'things', JSON_CODEC).get('b')).toEqual({ n: [3] });

  await storeWritesSettled();
  const files = readdirSync(join(dir, 'things'));
  expect(files).toHaveLength(2);
  expect(files.every((f) => f.endsWith('.bin'))).toBe(true);
  // A later run (a new store over the same directory) reads what this one wrote.
  const later = new ValueStore<{ n: number[] }>(dir, 'things', JSON_CODEC);
  expect(later.get('a')).toEqual({ n: [1, 2] });
  expect(later.get('c')).toBeUndefined();
});

it('keeps the last value set for a key, in memory and on disk', async () => {
  const dir = cacheDir();
  const store = new ValueStore<string>(dir, 'things');
  store.set('k', 'first');
  store.set('k', 'second');
  expect(store.get('k')).toBe('second');
  await storeWritesSettled();
  expect(new ValueStore<string>(dir, 'things').get('k')).toBe('second');
});

it('a cache it cannot write costs only the entry', async () => {
  // A file where the cache directory should be: every write fails.
  const notADir = join(cacheDir(), 'cache');
  writeFileSync(notADir, 'not a directory');
  const store = new ValueStore<string>(notADir, 'things');
  store.set('k', 'v');
  await expect(storeWritesSettled()).resolves.toBeUndefined();
  expect(new ValueStore<string>(notADir, 'things').get('k')).toBeUndefined();
});
