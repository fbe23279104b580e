import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Writes to a temp file beside `file` and renames it into place, so a reader never sees half a file. */
export async function writeAtomic(file: string, text: string | Uint8Array): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}

/** writeAtomic for callers that cannot wait (an exit handler, a cache read and written in a loop). */
export function writeAtomicSync(file: string, data: string | Uint8Array): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

/**
 * Writes several files so that either all of them change or none does (as far as a rename
 * can fail): every temp file is written first, and only then are they renamed into place.
 */
export async function writeAtomicAll(files: ReadonlyMap<string, string>): Promise<void> {
  const staged: [string, string][] = [];
  try {
    for (const [file, text] of files) {
      await mkdir(dirname(file), { recursive: true });
      const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
      staged.push([tmp, file]);
      await writeFile(tmp, text);
    }
  } catch (err) {
    await Promise.all(staged.map(([tmp]) => rm(tmp, { force: true })));
    throw err;
  }
  for (const [tmp, file] of staged) await rename(tmp, file);
}
