import { ConfigError } from '../errors.js';
import type { Finding } from '../findings.js';

/**
 * A read-only view of the repository's files: the working tree, or a commit. Every stage
 * reads the repo through this port, so that rendering a base ref never touches the user's
 * working tree, and every read passes the same guard: no path or symlink that leaves the
 * repository, no file over its size limit, nothing that is not UTF-8 text.
 */
export interface Snapshot {
  /** "working tree" or the ref, for messages. */
  readonly label: string;
  /** The commit, when the snapshot is one. */
  readonly commit?: string;
  /** Repository-relative paths, sorted, forward slashes. */
  listFiles(): Promise<readonly string[]>;
  /**
   * File contents, or undefined for a missing file (or a directory). A file the guard refuses
   * throws FileRefusedError: callers that can report it as a finding use readFilesChecked.
   */
  readFiles(paths: readonly string[]): Promise<Map<string, string | undefined>>;
  /** The same reads, with refusals returned instead of thrown. */
  readFilesChecked(paths: readonly string[]): Promise<Map<string, FileRead>>;
}

export type FileRead = { kind: 'text'; text: string } | { kind: 'missing' } | { kind: 'refused'; refusal: FileRefusal };

/** Why the guard would not read a file. Codes are finding codes (public API). */
export type FileRefusalCode = 'FILE_OUTSIDE_REPO' | 'FILE_TOO_LARGE' | 'FILE_NOT_TEXT' | 'FILE_NOT_REGULAR';

export interface FileRefusal {
  /** Repository-relative path as asked for. */
  file: string;
  code: FileRefusalCode;
  /** What is wrong, without absolute paths of the machine. */
  message: string;
  hint: string;
}

/** A refusal as a finding at the file. */
export function refusalFinding(refusal: FileRefusal): Finding {
  return { code: refusal.code, severity: 'error', message: refusal.message, hint: refusal.hint, location: { file: refusal.file } };
}

/** Thrown by Snapshot.readFiles for a refused file: the run stops, naming the file. */
export class FileRefusedError extends ConfigError {
  constructor(readonly refusal: FileRefusal) {
    super('FILE_REFUSED', `${refusal.file}: ${refusal.message}`, { hint: refusal.hint });
  }
}

/** readFiles on top of readFilesChecked: refusals thrown. */
export async function readOrThrow(snapshot: Pick<Snapshot, 'readFilesChecked'>, paths: readonly string[]): Promise<Map<string, string | undefined>> {
  const reads = await snapshot.readFilesChecked(paths);
  const out = new Map<string, string | undefined>();
  for (const [path, read] of reads) {
    if (read.kind === 'refused') throw new FileRefusedError(read.refusal);
    out.set(path, read.kind === 'text' ? read.text : undefined);
  }
  return out;
}
