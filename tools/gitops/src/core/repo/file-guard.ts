import { posix } from 'node:path';
import { formatBytes, maxBytesFor } from './file-limits.js';
import type { FileRefusal } from './snapshot.js';

/** Symlink hops followed before a chain is refused (the kernel's own limit is 40). */
export const MAX_SYMLINK_HOPS = 40;

const OUTSIDE_HINT = 'Argo CD refuses symlinks that leave the repository: commit the file itself.';

/**
 * A repository-relative path the guard accepts: forward slashes, no `.`/`..`/empty segments,
 * not absolute, no NUL, never inside .git (where a checkout keeps its credentials).
 */
export function checkRepoPath(path: string): FileRefusal | undefined {
  const segments = path.split('/');
  const bad =
    path === '' || path.includes('\0') || path.includes('\\') || path.startsWith('/') || segments.some((s) => s === '' || s === '.' || s === '..') || segments[0] === '.git';
  if (!bad) return undefined;
  return refuse(path, 'FILE_OUTSIDE_REPO', `path ${JSON.stringify(path)} is not a plain path inside the repository`, 'Use a path relative to the repository root, without "..".');
}

/**
 * Where the symlink at `linkPath` (repository-relative) points, repository-relative, or a
 * refusal. Argo CD's CheckOutOfBoundsSymlinks rules: an absolute target is refused even when
 * it names a place inside the repository, and a relative one may not step above the root
 * at any point of its walk (`a/../../x` is refused though it might come back).
 */
export function resolveSymlinkTarget(file: string, linkPath: string, target: string): { path: string } | { refusal: FileRefusal } {
  if (target.startsWith('/') || target.includes('\0')) {
    return { refusal: refuse(file, 'FILE_OUTSIDE_REPO', `${describeLink(file, linkPath)} is an absolute symlink`, OUTSIDE_HINT) };
  }
  const parts = posix.dirname(linkPath) === '.' ? [] : posix.dirname(linkPath).split('/');
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.pop() === undefined) return { refusal: refuse(file, 'FILE_OUTSIDE_REPO', `${describeLink(file, linkPath)} is a symlink that points outside the repository`, OUTSIDE_HINT) };
    } else parts.push(part);
  }
  if (parts.length === 0 || parts[0] === '.git') {
    return { refusal: refuse(file, 'FILE_OUTSIDE_REPO', `${describeLink(file, linkPath)} is a symlink to ${parts.length === 0 ? 'the repository root' : 'Git\'s own files'}`, OUTSIDE_HINT) };
  }
  const path = parts.join('/');
  const bad = checkRepoPath(path);
  if (bad) return { refusal: { ...bad, file, message: `${describeLink(file, linkPath)} is a symlink to ${bad.message.replace(/ is not .*/, '')}, not a plain path inside the repository` } };
  return { path };
}

export function tooLarge(file: string, size: number): FileRefusal | undefined {
  const limit = maxBytesFor(file);
  if (size <= limit) return undefined;
  return refuse(file, 'FILE_TOO_LARGE', `file is ${formatBytes(size)}, more than the ${formatBytes(limit)} this kind of file may have`, 'Split it or shrink it: a file this size is a mistake, and helm and Argo CD choke on it too.');
}

export function symlinkLoop(file: string): FileRefusal {
  return refuse(file, 'FILE_OUTSIDE_REPO', `symlinks from ${file} go round in a loop (more than ${MAX_SYMLINK_HOPS} hops)`, OUTSIDE_HINT);
}

export function notRegular(file: string, what: string): FileRefusal {
  return refuse(file, 'FILE_NOT_REGULAR', `is ${what}, not a regular file`, 'Commit a regular file in its place.');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The bytes as text, or a refusal: binary content (a NUL byte) and invalid UTF-8 are not YAML, templates or JSON. */
export function decodeText(file: string, bytes: Uint8Array): { text: string } | { refusal: FileRefusal } {
  const nul = bytes.indexOf(0);
  if (nul >= 0) return { refusal: refuse(file, 'FILE_NOT_TEXT', `file is binary (a NUL byte at offset ${nul}), not text`, 'Commit text files only (UTF-8).') };
  try {
    return { text: utf8.decode(bytes) };
  } catch {
    return { refusal: refuse(file, 'FILE_NOT_TEXT', 'file is not valid UTF-8', 'Save it as UTF-8 (helm and Argo CD read YAML as UTF-8).') };
  }
}

function describeLink(file: string, linkPath: string): string {
  return linkPath === file ? 'file' : `${linkPath} (on the way to ${file})`;
}

function refuse(file: string, code: FileRefusal['code'], message: string, hint: string): FileRefusal {
  return { file, code, message, hint };
}
