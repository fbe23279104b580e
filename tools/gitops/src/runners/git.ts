import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExternalToolError } from '../core/errors.js';
import { exec, lastLines, type ExecResult } from './exec.js';
import { ObjectReader, textOf } from './git-objects.js';

const GIT_HINT = 'Install git (https://git-scm.com) and make sure it is on PATH.';

/** One function per git verb we use; `cwd` is always the repository. */
export class Git {
  private readonly objects: ObjectReader;
  private fixedHistory?: boolean;

  constructor(readonly cwd: string) {
    this.objects = new ObjectReader(cwd, gitEnv(), GIT_HINT);
  }

  private async run(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv; allowFail?: boolean } = {}): Promise<ExecResult> {
    const result = await exec('git', args, {
      cwd: this.cwd,
      input: options.input,
      env: gitEnv(options.env),
      notFoundCode: 'GIT_NOT_FOUND',
      notFoundHint: GIT_HINT,
    });
    if (result.exitCode !== 0 && !options.allowFail) {
      throw new ExternalToolError('GIT_FAILED', `git ${args[0]} failed in ${this.cwd}`, {
        cmd: `git ${args.join(' ')}`,
        exitCode: result.exitCode,
        stderr: lastLines(result.stderr),
      });
    }
    return result;
  }

  /** The top directory of the work tree, or undefined outside a repository. */
  async root(): Promise<string | undefined> {
    const r = await this.run(['rev-parse', '--show-toplevel'], { allowFail: true });
    return r.exitCode === 0 ? r.stdout.trim() : undefined;
  }

  /** The commit a ref names, or undefined when it names none. */
  async resolveCommit(ref: string): Promise<string | undefined> {
    // Through the run's cat-file process, which reads refs afresh for every request (a tag made mid-run resolves).
    const spec = `${ref}^{commit}`;
    const object = (await this.objects.objects([spec])).get(spec);
    return object?.type === 'commit' ? object.id : undefined;
  }

  /** The commit of tag `name`, or undefined. Only tags: a branch of the same name must not win. */
  async tagCommit(name: string): Promise<string | undefined> {
    return this.resolveCommit(`refs/tags/${name}`);
  }

  /** Creates annotated tag `name` at `commit` (annotated, so `git push --follow-tags` carries it). */
  async createTag(name: string, commit: string, message: string): Promise<void> {
    await this.run(['tag', '--annotate', '--message', message, '--end-of-options', name, commit]);
  }

  /** Object id of the tree at `commit:path`, or undefined when the path does not exist there. */
  async treeId(commit: string, path: string): Promise<string | undefined> {
    // Through the run's cat-file process: a chart's key names the trees of its directories.
    const spec = `${commit}:${path}`;
    return (await this.objects.objects([spec])).get(spec)?.id;
  }

  /** Files git knows in the work tree: tracked plus untracked-but-not-ignored. */
  async listWorkTreeFiles(): Promise<string[]> {
    const r = await this.run(['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--deduplicate']);
    return splitZ(r.stdout);
  }

  /** Files of a commit. */
  async listCommitFiles(commit: string): Promise<string[]> {
    const r = await this.run(['ls-tree', '-r', '-z', '--name-only', '--full-tree', commit]);
    return splitZ(r.stdout);
  }

  /**
   * Paths that differ between commit `base` and commit `head`, or the work tree (staged,
   * unstaged and untracked) when `head` is undefined. Renames count as both paths.
   */
  async changedFiles(base: string, head?: string): Promise<string[]> {
    const diff = await this.run(['diff', '--name-only', '-z', '--no-renames', '--end-of-options', base, ...(head ? [head] : [])]);
    const files = splitZ(diff.stdout);
    if (!head) files.push(...splitZ((await this.run(['ls-files', '-z', '--others', '--exclude-standard'])).stdout));
    return [...new Set(files)].sort();
  }

  /** Commits of `ref` that touched `path`, oldest first. */
  async commitsTouching(ref: string, path: string): Promise<string[]> {
    const r = await this.run(['log', '--format=%H', '--reverse', ref, '--', path]);
    return r.stdout.split('\n').filter(Boolean);
  }

  /** The newest commit of `ref` that touched any of `paths`, or undefined when none did. */
  async lastCommitTouching(ref: string, paths: readonly string[]): Promise<string | undefined> {
    const r = await this.run(['log', '-1', '--format=%H', '--end-of-options', ref, '--', ...paths]);
    return r.stdout.trim() || undefined;
  }

  /** Commits of `ref` that touched `path`, newest first, with their committer time (when they landed). */
  async historyOf(ref: string, path: string): Promise<{ commit: string; time: Date }[]> {
    const r = await this.run(['log', '--format=%H %ct', '--end-of-options', ref, '--', path]);
    return r.stdout.split('\n').filter(Boolean).map((line) => {
      const [commit, seconds] = line.split(' ');
      return { commit: commit!, time: new Date(Number(seconds) * 1000) };
    });
  }

  /** When a commit landed (committer time). */
  async commitTime(commit: string): Promise<Date> {
    const r = await this.run(['log', '-1', '--format=%ct', '--end-of-options', commit]);
    return new Date(Number(r.stdout.trim()) * 1000);
  }

  /** Commits in `to` and not in `from` that touched any of `paths`. */
  async countCommits(from: string, to: string, paths: readonly string[]): Promise<number> {
    const r = await this.run(['rev-list', '--count', `${from}..${to}`, '--', ...paths]);
    return Number(r.stdout.trim());
  }

  /** Whether `paths` hold the same content at both commits. */
  async sameFiles(a: string, b: string, paths: readonly string[]): Promise<boolean> {
    const r = await this.run(['diff', '--quiet', '--no-renames', a, b, '--', ...paths], { allowFail: true });
    if (r.exitCode > 1) throw new ExternalToolError('GIT_FAILED', `git diff ${a} ${b} failed in ${this.cwd}`, { exitCode: r.exitCode, stderr: lastLines(r.stderr) });
    return r.exitCode === 0;
  }

  /** Whether `ancestor` is `commit` or one of its ancestors. */
  async isAncestor(ancestor: string, commit: string): Promise<boolean> {
    const r = await this.run(['merge-base', '--is-ancestor', ancestor, commit], { allowFail: true });
    return r.exitCode === 0;
  }

  /**
   * A commit on top of `parent` with `files` replaced, made without touching the working tree
   * or the index (a temporary index file): the user's checkout stays as it was.
   */
  async commitFiles(parent: string, files: ReadonlyMap<string, string>, message: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'gitops-index-'));
    const env = { GIT_INDEX_FILE: join(dir, 'index') };
    try {
      await this.run(['read-tree', parent], { env });
      for (const [path, text] of files) {
        const blob = (await this.run(['hash-object', '-w', '--stdin'], { input: text })).stdout.trim();
        await this.run(['update-index', '--add', '--cacheinfo', `100644,${blob},${path}`], { env });
      }
      const tree = (await this.run(['write-tree'], { env })).stdout.trim();
      return (await this.run(['commit-tree', tree, '-p', parent, '-m', message])).stdout.trim();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Points branch `branch` of `remote` at `commit`, replacing what it held (a re-run of the same promotion). */
  async forcePush(remote: string, commit: string, branch: string): Promise<void> {
    await this.run(['push', '--quiet', '--force', remote, `${commit}:refs/heads/${branch}`]);
  }

  /**
   * Every entry of a commit's tree with its mode and size (`ls-tree -r -l`): symlinks
   * (mode 120000) and submodules (160000) included, so a reader can tell them from files.
   */
  async listCommitTree(commit: string): Promise<TreeEntry[]> {
    const r = await this.run(['ls-tree', '-r', '-l', '-z', '--full-tree', commit]);
    return splitZ(r.stdout).map((line) => {
      const tab = line.indexOf('\t');
      const [mode, type, object, size] = line.slice(0, tab).split(/ +/);
      return { mode: mode!, type: type!, object: object!, size: size === '-' ? 0 : Number(size), path: line.slice(tab + 1) };
    });
  }

  /**
   * Reads many blobs through the run's one `cat-file --batch` process; a missing object maps to undefined.
   * Specs are `<commit>:<path>`.
   */
  async readBlobs(specs: readonly string[]): Promise<Map<string, string | undefined>> {
    const objects = await this.objects.objects(specs);
    return new Map([...objects].map(([spec, object]) => [spec, object?.type === 'blob' ? textOf(object) : undefined]));
  }

  /** readBlobs, bytes as they are (for callers that check the encoding). Specs: `<commit>:<path>` or object ids. */
  readBlobBuffers(specs: readonly string[]): Promise<Map<string, Buffer | undefined>> {
    return this.objects.read(specs);
  }

  /**
   * Commits of `ref` that touched any of `pathspecs` (git pathspecs, globs allowed),
   * newest first, with author, the date each landed and the files each touched, in one process. `limit`
   * keeps the history of a long-lived repository bounded.
   */
  async log(ref: string, pathspecs: readonly string[], limit?: number): Promise<LogEntry[]> {
    // Control characters as separators: subjects and names may hold anything printable.
    const format = '%x1e%H%x1f%an%x1f%ae%x1f%cI%x1f%s';
    const r = await this.run(['log', `--format=${format}`, '--name-only', '-z', '--no-renames', ...(limit ? [`--max-count=${limit}`] : []), '--end-of-options', ref, '--', ...pathspecs]);
    return r.stdout
      .split('\x1e')
      .filter(Boolean)
      .map((chunk) => {
        const end = chunk.indexOf('\0');
        const [commit, author, email, date, subject] = (end < 0 ? chunk : chunk.slice(0, end)).split('\x1f') as [string, string, string, string, string];
        const files = end < 0 ? [] : chunk.slice(end + 1).replace(/^\n/, '').split('\0').filter(Boolean);
        return { commit, author, email, date, subject, files };
      });
  }

  /**
   * Writes the tree at `commit:path` into `dest` without touching the user's index or work
   * tree: a throwaway index file is loaded with the tree and checked out under a prefix.
   */
  async exportTree(commit: string, path: string, dest: string): Promise<void> {
    const indexDir = await mkdtemp(join(tmpdir(), 'gitops-index-'));
    const env = { GIT_INDEX_FILE: join(indexDir, 'index') };
    try {
      await this.run(['read-tree', `${commit}:${path}`], { env });
      await this.run(['checkout-index', '--all', '--force', `--prefix=${dest.endsWith('/') ? dest : dest + '/'}`], { env });
    } finally {
      await rm(indexDir, { recursive: true, force: true });
    }
  }

  /** The best common ancestor of two commits; undefined when they share no history. */
  async mergeBase(a: string, b: string): Promise<string | undefined> {
    const r = await this.run(['merge-base', '--end-of-options', a, b], { allowFail: true });
    return r.exitCode === 0 ? r.stdout.trim() : undefined;
  }

  /**
   * Whether the history behind a commit id is fixed in this repository, so that a question
   * about it (which commits touched a file) has one answer for all runs. Not in a shallow clone
   * (a fetch deepens it), nor with grafts or replace refs; not known (false) unless `.git` is
   * the repository's own directory.
   */
  historyIsFixed(): boolean {
    if (this.fixedHistory === undefined) {
      const dir = join(this.cwd, '.git');
      try {
        const packed = existsSync(join(dir, 'packed-refs')) ? readFileSync(join(dir, 'packed-refs'), 'utf8') : '';
        this.fixedHistory = statSync(dir).isDirectory() && !existsSync(join(dir, 'shallow')) && !existsSync(join(dir, 'info', 'grafts')) && !existsSync(join(dir, 'refs', 'replace')) && !packed.includes(' refs/replace/');
      } catch {
        this.fixedHistory = false;
      }
    }
    return this.fixedHistory;
  }

  /** True when the repository is a shallow clone (history may be missing). */
  async isShallow(): Promise<boolean> {
    const r = await this.run(['rev-parse', '--is-shallow-repository'], { allowFail: true });
    return r.stdout.trim() === 'true';
  }
}

/** Never prompt, never page, never let a user's config change what we parse. */
function gitEnv(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', LC_ALL: 'C', ...extra };
}

/** One commit of `Git.log`. */
export interface LogEntry {
  commit: string;
  /** Author name and e-mail, as the commit records them. */
  author: string;
  email: string;
  /** Committer date (when the commit landed, rebased or not), ISO 8601 with its offset. */
  date: string;
  subject: string;
  /** The files of the pathspecs this commit touched. */
  files: string[];
}

/** One entry of `git ls-tree -r -l`. */
export interface TreeEntry {
  /** 100644, 100755, 120000 (symlink), 160000 (submodule). */
  mode: string;
  type: string;
  object: string;
  /** Bytes; 0 for a submodule. */
  size: number;
  path: string;
}

function splitZ(text: string): string[] {
  return text.split('\0').filter(Boolean);
}
