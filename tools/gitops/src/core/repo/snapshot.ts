/**
 * A read-only view of the repository's files: the working tree, or a commit. Every stage
 * reads the repo through this port, so that rendering a base ref never touches the user's
 * working tree.
 */
export interface Snapshot {
  /** "working tree" or the ref, for messages. */
  readonly label: string;
  /** The commit, when the snapshot is one. */
  readonly commit?: string;
  /** Repository-relative paths, sorted, forward slashes. */
  listFiles(): Promise<readonly string[]>;
  /** File contents, or undefined for a missing file. */
  readFiles(paths: readonly string[]): Promise<Map<string, string | undefined>>;
}
