import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Socket } from 'node:net';
import { ExternalToolError } from '../core/errors.js';
import { lastLines, startProcess } from './exec.js';

/** How long an idle `cat-file` process is kept for the next read. */
const IDLE_MS = 2_000;
/** An object or commit named by its full id (SHA-1 or SHA-256), not by a ref that can move: what it names never changes. */
export const FULL_OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
/** Bytes of blobs kept for reads again; past it, reads go to git again. */
const KNOWN_BYTES = 64 * 1024 * 1024;

/** One object as `cat-file --batch` names it: its id, its type, its bytes. */
export interface GitObject {
  id: string;
  type: string;
  bytes: Buffer;
  /** The bytes as UTF-8, decoded on first use (see textOf). */
  text?: string;
}

/**
 * An object's bytes as UTF-8, decoded once: a run reads one chart's values.schema.json for
 * every Application of its version, and the same string also keys the compiled validator.
 */
export function textOf(object: GitObject): string {
  object.text ??= object.bytes.toString('utf8');
  return object.text;
}

interface Waiting {
  resolve: (object: GitObject | undefined) => void;
  reject: (error: Error) => void;
}

/**
 * One `git cat-file --batch` kept running for every object read of a run: a render reads its
 * chart's and values' files from Git, names its chart by tree ids and resolves refs, and a
 * process per read costs more than the read (a fork of a large Node process each). Answers
 * come in request order, so concurrent callers share the process; it holds the CLI open only
 * while a read waits.
 */
export class ObjectReader {
  private child?: ChildProcessWithoutNullStreams;
  private readonly waiting: Waiting[] = [];
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** The size of the blob whose bytes are awaited, after its header was read. */
  private body?: { size: number; id: string; type: string };
  private stderr = '';
  private idle?: NodeJS.Timeout;
  /** Objects of immutable specs already read this run: many Applications read the same value files at the same commit. */
  private readonly known = new Map<string, Promise<GitObject | undefined>>();
  private knownBytes = 0;

  constructor(
    private readonly cwd: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly notFoundHint: string,
  ) {}

  /** The blobs named by `specs` (`<commit>:<path>` or object ids); a missing one, or one that is not a blob, is undefined. */
  async read(specs: readonly string[]): Promise<Map<string, Buffer | undefined>> {
    const objects = await this.objects(specs);
    return new Map([...objects].map(([spec, object]) => [spec, object?.type === 'blob' ? object.bytes : undefined]));
  }

  /** The objects named by `specs` (any object: blobs, trees, commits); a missing one is undefined. */
  async objects(specs: readonly string[]): Promise<Map<string, GitObject | undefined>> {
    const unique = [...new Set(specs)];
    const pending = new Map<string, Promise<GitObject | undefined>>();
    const fresh: string[] = [];
    for (const spec of unique) {
      const known = this.known.get(spec);
      if (known) pending.set(spec, known);
      else fresh.push(spec);
    }
    if (fresh.length > 0) {
      const asked = this.ask(fresh);
      for (const spec of fresh) {
        const object = asked.then((answers) => answers.get(spec));
        pending.set(spec, object);
        if (FULL_OBJECT_ID.test(spec.split(':', 1)[0]!)) this.remember(spec, object);
      }
    }
    const found = await Promise.all(unique.map((spec) => pending.get(spec)!));
    return new Map(unique.map((spec, i) => [spec, found[i]]));
  }

  /** Keeps a read of an immutable spec for the rest of the run, within the byte budget; a failed read is not kept. */
  private remember(spec: string, object: Promise<GitObject | undefined>): void {
    this.known.set(spec, object);
    object.then(
      (found) => {
        this.knownBytes += found?.bytes.length ?? 0;
        if (this.knownBytes > KNOWN_BYTES) this.known.delete(spec);
      },
      () => this.known.delete(spec),
    );
  }

  private async ask(specs: readonly string[]): Promise<Map<string, GitObject | undefined>> {
    const result = new Map<string, GitObject | undefined>();
    // A newline would end the request early and shift every answer after it: such a path cannot be named to --batch.
    const asked = specs.filter((spec) => {
      if (!spec.includes('\n')) return true;
      result.set(spec, undefined);
      return false;
    });
    if (asked.length === 0) return result;
    const child = this.process();
    const answers = asked.map(() => new Promise<GitObject | undefined>((resolve, reject) => this.waiting.push({ resolve, reject })));
    this.hold(true);
    child.stdin.write(`${asked.join('\n')}\n`);
    const blobs = await Promise.all(answers);
    asked.forEach((spec, i) => result.set(spec, blobs[i]));
    return result;
  }

  private process(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    const child = startProcess('git', ['cat-file', '--batch'], { cwd: this.cwd, env: this.env });
    this.child = child;
    this.stderr = '';
    // A process that failed may still report: only the current one is listened to.
    const current = (): boolean => this.child === child;
    child.stdout.on('data', (chunk: Buffer) => current() && this.onData(chunk));
    child.stderr.on('data', (chunk: Buffer) => (this.stderr = lastLines(this.stderr + chunk.toString('utf8'))));
    // What git says there never keeps the CLI alive; a waiting read does (hold).
    (child.stderr as unknown as Socket).unref();
    child.stdin.on('error', () => {
      // A broken pipe means git died: its exit handler reports that.
    });
    child.on('error', (cause: NodeJS.ErrnoException) =>
      current() &&
      this.fail(
        cause.code === 'ENOENT'
          ? new ExternalToolError('GIT_NOT_FOUND', 'git: command not found', { cmd: 'git', hint: this.notFoundHint, cause })
          : new ExternalToolError('INTERNAL', `could not start git: ${cause.message}`, { cmd: 'git', cause }),
      ),
    );
    // 'close', not 'exit': by then all git wrote on stderr has been read.
    child.on('close', (code, signal) => {
      if (!current()) return;
      if (this.waiting.length > 0) {
        this.fail(new ExternalToolError('GIT_FAILED', `git cat-file --batch ${signal ? `was stopped by ${signal}` : `exited with code ${code}`} in ${this.cwd}`, { cmd: 'git cat-file --batch', exitCode: code ?? undefined, stderr: this.stderr }));
      } else this.reset();
    });
    return child;
  }

  /** Keeps the CLI alive while reads wait; lets it exit (and git with it, on end of input) when none do. */
  private hold(waiting: boolean): void {
    const child = this.child;
    if (!child) return;
    clearTimeout(this.idle);
    // A process idle for a while is ended (end of input ends git): long-lived callers do not gather them.
    if (!waiting) {
      this.idle = setTimeout(() => {
        this.reset();
        child.stdin.end();
      }, IDLE_MS);
      this.idle.unref();
    }
    for (const target of [child, child.stdin as unknown as Socket, child.stdout as unknown as Socket]) {
      if (waiting) target.ref();
      else target.unref();
    }
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (!this.body) {
        // A header: `<id> blob <size>`, `<spec> missing`, `<spec> ambiguous`.
        const joined = this.joined();
        const eol = joined.indexOf(0x0a);
        if (eol < 0) return;
        const header = joined.subarray(0, eol).toString('utf8');
        this.keep(joined.subarray(eol + 1));
        if (header.endsWith(' missing') || header.endsWith(' ambiguous')) {
          this.answer(undefined);
          continue;
        }
        const [id, type, size] = header.split(' ');
        const length = Number(size);
        if (!Number.isFinite(length)) return this.fail(new ExternalToolError('GIT_FAILED', `git cat-file --batch sent an unreadable header: ${header.slice(0, 200)}`, { cmd: 'git cat-file --batch' }));
        this.body = { size: length, id: id!, type: type! };
      }
      // The bytes and their closing newline; joined once, when all have come.
      if (this.buffered < this.body.size + 1) return;
      const joined = this.joined();
      const object = { id: this.body.id, type: this.body.type, bytes: Buffer.from(joined.subarray(0, this.body.size)) };
      this.keep(joined.subarray(this.body.size + 1));
      this.body = undefined;
      this.answer(object);
    }
  }

  private joined(): Buffer {
    if (this.chunks.length !== 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!;
  }

  private keep(rest: Buffer): void {
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
  }

  private answer(object: GitObject | undefined): void {
    const next = this.waiting.shift();
    if (!next) return this.fail(new ExternalToolError('GIT_FAILED', 'git cat-file --batch answered a request it was not sent', { cmd: 'git cat-file --batch' }));
    next.resolve(object);
    if (this.waiting.length === 0) this.hold(false);
  }

  private fail(error: Error): void {
    const waiting = this.waiting.splice(0);
    this.child?.kill('SIGKILL');
    this.reset();
    for (const w of waiting) w.reject(error);
  }

  private reset(): void {
    clearTimeout(this.idle);
    this.child = undefined;
    this.chunks = [];
    this.buffered = 0;
    this.body = undefined;
  }
}
