import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ToolError, UsageError } from '../core/errors.js';

/** Marks a directory as written by `gitops render --out`, so it may be replaced. */
const MARKER = '.gitops-render';

/**
 * Writes files under `out`, replacing it as a whole: built in a sibling temp directory and
 * renamed into place, so `out` is never half-written. A non-empty directory we did not write
 * is never replaced.
 */
export async function writeRenderTree(out: string, files: { path: string; text: string }[]): Promise<void> {
  const target = resolve(out);
  if (existsSync(target)) {
    const entries = await readdir(target);
    if (entries.length > 0 && !entries.includes(MARKER)) {
      throw new UsageError('USAGE', `--out ${out} exists and was not written by gitops render`, { hint: 'Pass a new or empty directory; gitops replaces its output directory as a whole.' });
    }
  }
  const suffix = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  const tmp = join(dirname(target), `.${basename(target)}.tmp-${suffix}`);
  const old = join(dirname(target), `.${basename(target)}.old-${suffix}`);
  try {
    await mkdir(tmp, { recursive: true });
    await writeFile(join(tmp, MARKER), 'Written by gitops render; replaced as a whole on the next run.\n');
    for (const file of files) {
      await mkdir(dirname(join(tmp, file.path)), { recursive: true });
      await writeFile(join(tmp, file.path), file.text);
    }
    if (existsSync(target)) await rename(target, old);
    await rename(tmp, target);
  } catch (err) {
    if (err instanceof ToolError) throw err;
    throw new ToolError('OUTPUT_WRITE_FAILED', `could not write ${out}: ${(err as Error).message}`, { cause: err, hint: 'Check that the parent directory exists and is writable.' });
  } finally {
    await rm(tmp, { recursive: true, force: true });
    await rm(old, { recursive: true, force: true });
  }
}
