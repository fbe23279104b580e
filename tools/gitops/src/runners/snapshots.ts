import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, readlinkSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { checkRepoPath, decodeText, MAX_SYMLINK_HOPS, notRegular, resolveSymlinkTarget, symlinkLoop, tooLarge } from '../core/repo/file-guard.js';
import { FILE_LIMITS } from '../core/repo/file-limits.js';
import { readOrThrow, type FileRead, type Snapshot } from '../core/repo/snapshot.js';
import type { Git, TreeEntry } from './git.js';

/** The largest file any role may have; kept for callers that check a size themselves. */
export const MAX_FILE_BYTES = Math.max(...Object.values(FILE_LIMITS));

const MISSING: FileRead = { kind: 'missing' };

/**
 * The working tree, read through the guard: each path is walked from the repository root one
 * segment at a time; a symlink on the way is followed only when Argo CD would follow it
 * (relative, never above the root), sizes are checked before reading, and the bytes must be
 * UTF-8 text. Reads are synchronous: repository files are small and in the page cache, where
 * a thread-pool round trip per system call costs more than the call.
 */
export function workTreeSnapshot(root: string, git: Git): Snapshot {
  let files: Promise<string[]> | undefined;
  // One read per path and run: lint, values and render all ask for the same files.
  const reads = new Map<string, FileRead>();
  // And one lstat per path: every file of a directory walks the same directories.
  const stats = new Map<string, Stats | undefined>();
  const stat: LstatOnce = (here) => {
    if (!stats.has(here)) {
      try {
        stats.set(here, lstatSync(join(root, here)));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
        stats.set(here, undefined);
      }
    }
    return stats.get(here);
  };
  const read = (p: string) => {
    let hit = reads.get(p);
    if (!hit) {
      hit = readWorkTreeFile(root, p, stat);
      reads.set(p, hit);
    }
    return hit;
  };
  const readFilesChecked = async (paths: readonly string[]) => new Map(paths.map((p) => [p, read(p)] as const));
  return {
    label: 'working tree',
    listFiles: () => (files ??= git.listWorkTreeFiles().then((list) => existing(list, stat).sort())),
    readFilesChecked,
    readFiles: (paths) => readOrThrow({ readFilesChecked }, paths),
  };
}

/** git lists a tracked file deleted in the work tree: the work tree no longer has it (a symlink, even dangling, it has). */
function existing(list: string[], stat: LstatOnce): string[] {
  return list.filter((p) => {
    try {
      return stat(p) !== undefined;
    } catch {
      return false;
    }
  });
}

/** lstat of a repository-relative path, undefined where nothing is; once per path and run. */
type LstatOnce = (path: string) => Stats | undefined;

function readWorkTreeFile(root: string, file: string, lstatOnce: LstatOnce): FileRead {
  const bad = checkRepoPath(file);
  if (bad) return { kind: 'refused', refusal: bad };
  let pending = file.split('/');
  let walked: string[] = [];
  let hops = 0;
  let last: Stats | undefined;
  for (;;) {
    const segment = pending.shift();
    if (segment === undefined) break;
    const here = [...walked, segment].join('/');
    const stat = lstatOnce(here);
    if (!stat) return MISSING;
    if (stat.isSymbolicLink()) {
      if (++hops > MAX_SYMLINK_HOPS) return { kind: 'refused', refusal: symlinkLoop(file) };
      const target = resolveSymlinkTarget(file, here, readlinkSync(join(root, here)));
      if ('refusal' in target) return { kind: 'refused', refusal: target.refusal };
      // The target may itself pass through symlinks: walk it again from the root.
      pending = [...target.path.split('/'), ...pending];
      walked = [];
      continue;
    }
    walked.push(segment);
    last = stat;
    if (pending.length > 0 && !stat.isDirectory()) return MISSING;
  }
  if (!last || last.isDirectory()) return MISSING;
  // Before open(): opening a FIFO for reading waits for a writer, forever.
  if (!last.isFile()) return { kind: 'refused', refusal: notRegular(file, 'a device, socket or pipe') };
  let fd: number;
  try {
    // Non-blocking: a file swapped for a FIFO since the lstat does not wait for a writer.
    fd = openSync(join(root, ...walked), constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return MISSING;
    throw err;
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) return MISSING;
    if (!stat.isFile()) return { kind: 'refused', refusal: notRegular(file, 'a device, socket or pipe') };
    const large = tooLarge(file, stat.size);
    if (large) return { kind: 'refused', refusal: large };
    const decoded = decodeText(file, readFileSync(fd));
    return 'refusal' in decoded ? { kind: 'refused', refusal: decoded.refusal } : { kind: 'text', text: decoded.text };
  } finally {
    closeSync(fd);
  }
}

/**
 * A commit, read through the same guard. Git stores a symlink as a blob holding its target
 * (and `cat-file` would hand that text over as the file), so links are resolved here on the
 * commit's own tree with Argo CD's rules, as a checkout would see them.
 */
export function commitSnapshot(git: Git, commit: string, label: string): Snapshot {
  let tree: Promise<CommitTree> | undefined;
  const index = () => (tree ??= git.listCommitTree(commit).then(indexTree));
  const readFilesChecked = async (paths: readonly string[]) => {
    const t = await index();
    const located = await Promise.all(paths.map((p) => locateInCommit(git, t, p)));
    const wanted = located.filter((l): l is { entry: TreeEntry } => 'entry' in l).map((l) => l.entry.object);
    const blobs = await git.readBlobBuffers([...new Set(wanted)]);
    return new Map(
      paths.map((p, i): [string, FileRead] => {
        const l = located[i]!;
        if (!('entry' in l)) return [p, l.read];
        const bytes = blobs.get(l.entry.object);
        if (!bytes) return [p, MISSING];
        const decoded = decodeText(p, bytes);
        return [p, 'refusal' in decoded ? { kind: 'refused', refusal: decoded.refusal } : { kind: 'text', text: decoded.text }];
      }),
    );
  };
  return {
    label,
    commit,
    listFiles: () => index().then((t) => t.files),
    readFilesChecked,
    readFiles: (paths) => readOrThrow({ readFilesChecked }, paths),
  };
}

interface CommitTree {
  entries: Map<string, TreeEntry>;
  dirs: Set<string>;
  /** Paths as listFiles gives them: blobs and symlinks, sorted. */
  files: string[];
}

function indexTree(list: TreeEntry[]): CommitTree {
  const entries = new Map<string, TreeEntry>();
  const dirs = new Set<string>();
  for (const entry of list) {
    if (entry.mode === '160000') continue;
    entries.set(entry.path, entry);
    for (let i = entry.path.indexOf('/'); i >= 0; i = entry.path.indexOf('/', i + 1)) dirs.add(entry.path.slice(0, i));
  }
  return { entries, dirs, files: [...entries.keys()].sort() };
}

async function locateInCommit(git: Git, tree: CommitTree, file: string): Promise<{ entry: TreeEntry } | { read: FileRead }> {
  const bad = checkRepoPath(file);
  if (bad) return { read: { kind: 'refused', refusal: bad } };
  let pending = file.split('/');
  let walked: string[] = [];
  let hops = 0;
  let found: TreeEntry | undefined;
  for (;;) {
    const segment = pending.shift();
    if (segment === undefined) break;
    const here = [...walked, segment].join('/');
    const entry = tree.entries.get(here);
    if (!entry) {
      if (!tree.dirs.has(here)) return { read: MISSING };
      walked.push(segment);
      continue;
    }
    if (entry.mode === '120000') {
      if (++hops > MAX_SYMLINK_HOPS) return { read: { kind: 'refused', refusal: symlinkLoop(file) } };
      const link = (await git.readBlobBuffers([entry.object])).get(entry.object)?.toString('utf8') ?? '';
      const target = resolveSymlinkTarget(file, here, link);
      if ('refusal' in target) return { read: { kind: 'refused', refusal: target.refusal } };
      pending = [...target.path.split('/'), ...pending];
      walked = [];
      continue;
    }
    if (pending.length > 0) return { read: MISSING };
    walked.push(segment);
    found = entry;
  }
  if (!found) return { read: MISSING };
  const large = tooLarge(file, found.size);
  if (large) return { read: { kind: 'refused', refusal: large } };
  return { entry: found };
}
