import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Snapshot } from '../core/repo/snapshot.js';
import type { Git } from './git.js';

/** Files larger than this are not read as YAML (a 50 MB values file is a mistake, not input). */
export const MAX_FILE_BYTES = 5 * 1024 * 1024;

export function workTreeSnapshot(root: string, git: Git): Snapshot {
  let files: Promise<string[]> | undefined;
  return {
    label: 'working tree',
    listFiles: () => (files ??= git.listWorkTreeFiles().then((list) => list.sort())),
    async readFiles(paths) {
      const entries = await Promise.all(
        paths.map(async (p): Promise<[string, string | undefined]> => {
          try {
            return [p, await readFile(join(root, p), 'utf8')];
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'EISDIR') return [p, undefined];
            throw err;
          }
        }),
      );
      return new Map(entries);
    },
  };
}

export function commitSnapshot(git: Git, commit: string, label: string): Snapshot {
  let files: Promise<string[]> | undefined;
  return {
    label,
    commit,
    listFiles: () => (files ??= git.listCommitFiles(commit).then((list) => list.sort())),
    async readFiles(paths) {
      const blobs = await git.readBlobs(paths.map((p) => `${commit}:${p}`));
      return new Map(paths.map((p) => [p, blobs.get(`${commit}:${p}`)]));
    },
  };
}
