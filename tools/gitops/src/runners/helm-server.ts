import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Socket } from 'node:net';
import { ExternalToolError } from '../core/errors.js';
import { lastLines, startProcess } from './exec.js';

/** One helm command line's outcome, as a helm process started in `cwd` would give it. */
export interface HelmServerResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface HelmServerOptions {
  /** The helm version the renderer must report (the pin). */
  version: string;
  /** Processes at most; requests beyond wait for one to be free. */
  maxProcesses: number;
  /** A request running longer is failed and its process killed. */
  timeoutMs: number;
  /** A process with no request for this long is stopped; the next request starts another. */
  idleMs: number;
}

/** The line protocol of tools/helm-renderer (see its main.go). */
const PROTOCOL = 1;

interface Ready {
  ready: true;
  version: string;
  protocol: number;
}

interface Response {
  id: number;
  exitCode: number;
  /** base64: helm's bytes, exactly. */
  stdout: string;
  stderr: string;
  error?: string;
}

const START_TIMEOUT_MS = 30_000;

const HINT = 'This is not a problem in the chart. Re-run with GITOPS_HELM_RENDERER=binary to render with the helm binary, or run `npm ci` to rebuild the renderer.';

/**
 * A pool of helm-renderer processes, each serving one `helm …` command line at a time. Started
 * lazily and grown up to maxProcesses as requests arrive, so a pool used by N concurrent
 * renders holds N processes. A process that dies is replaced by the next request; the request
 * it was serving fails as HELM_FAILED. The processes never keep the CLI alive, exit when the
 * CLI does (their stdin closes), and are killed on exit should one still be running.
 */
export class HelmServerPool {
  private readonly idle: RendererProcess[] = [];
  private readonly live = new Set<RendererProcess>();
  private readonly waiting: ((proc: RendererProcess | undefined) => void)[] = [];
  private nextId = 1;

  constructor(
    readonly bin: string,
    private readonly options: HelmServerOptions,
  ) {}

  /** Runs `helm <args>` in cwd with exactly env, as the helm binary at argv0 would. */
  async run(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv, argv0: string): Promise<HelmServerResult> {
    const proc = await this.acquire();
    try {
      return await proc.request({ id: this.nextId++, cwd, args: [...args], env: definedEnv(env), argv0 }, this.options.timeoutMs);
    } finally {
      this.release(proc);
    }
  }

  /** Ends every process; in-flight requests fail. */
  stop(): void {
    for (const proc of this.live) proc.stop();
    this.live.clear();
    this.idle.length = 0;
  }

  private async acquire(): Promise<RendererProcess> {
    while (this.idle.length > 0) {
      const proc = this.idle.pop()!;
      if (proc.alive) {
        proc.busy();
        return proc;
      }
    }
    if (this.live.size >= this.options.maxProcesses) {
      const handed = await new Promise<RendererProcess | undefined>((resolve) => this.waiting.push(resolve));
      if (handed) return handed;
      // The process this request waited for died: start its replacement.
    }
    const proc = new RendererProcess(this.bin, this.options.version, () => this.forget(proc));
    this.live.add(proc);
    await proc.started;
    proc.busy();
    return proc;
  }

  private release(proc: RendererProcess): void {
    if (!proc.alive) {
      this.forget(proc);
      this.waiting.shift()?.(undefined);
      return;
    }
    const next = this.waiting.shift();
    if (next) return next(proc);
    proc.idleFor(this.options.idleMs);
    this.idle.push(proc);
  }

  private forget(proc: RendererProcess): void {
    this.live.delete(proc);
    const i = this.idle.indexOf(proc);
    if (i >= 0) this.idle.splice(i, 1);
  }
}

interface Pending {
  id: number;
  cmd: string;
  resolve: (r: HelmServerResult) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

class RendererProcess {
  readonly started: Promise<void>;
  alive = true;
  private readonly child: ChildProcessWithoutNullStreams;
  private onReady!: { resolve: () => void; reject: (e: Error) => void };
  private isReady = false;
  private pending: Pending | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private chunks: Buffer[] = [];
  private diagnostics = '';
  private readonly startTimer: NodeJS.Timeout;

  constructor(
    private readonly bin: string,
    private readonly version: string,
    private readonly onExit: () => void,
  ) {
    this.started = new Promise((resolve, reject) => (this.onReady = { resolve, reject }));
    // Ref'ed, like a request's timer: the CLI waits for the greeting, but not forever.
    this.startTimer = setTimeout(() => this.fail(new ExternalToolError('HELM_FAILED', `the helm renderer ${bin} did not start within ${START_TIMEOUT_MS / 1000}s`, { cmd: bin, stderr: this.diagnostics, hint: HINT })), START_TIMEOUT_MS);
    // The environment of each request is sent with it; the process itself needs none.
    this.child = startProcess(bin, [], { cwd: '/', env: { PATH: process.env.PATH, TMPDIR: process.env.TMPDIR } });
    for (const stream of [this.child.stdin, this.child.stdout, this.child.stderr]) (stream as unknown as Socket).unref();
    tracked.add(this.child);
    this.child.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    // What the renderer writes on its own stderr is about itself (a fatal error), never a render's.
    this.child.stderr.on('data', (chunk: Buffer) => (this.diagnostics = lastLines(this.diagnostics + chunk.toString('utf8'), 40)));
    this.child.stdin.on('error', () => {
      // A broken pipe means the process died; its exit handler reports that.
    });
    this.child.on('error', (cause) => this.die(new ExternalToolError('HELM_NOT_FOUND', `the helm renderer ${bin} cannot be run: ${cause.message}`, { cmd: bin, hint: HINT, cause })));
    this.child.on('exit', (code, signal) => {
      const how = signal ? `was stopped by ${signal}` : `exited with code ${code}`;
      this.die(new ExternalToolError('HELM_FAILED', `the helm renderer ${how}${this.isReady ? ' while rendering' : ' before it was ready'}`, { cmd: bin, exitCode: code, stderr: this.diagnostics, hint: HINT }));
    });
  }

  busy(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  idleFor(ms: number): void {
    this.idleTimer = setTimeout(() => this.stop(), ms);
    this.idleTimer.unref();
  }

  request(req: { id: number; cwd: string; args: string[]; env: Record<string, string>; argv0: string }, timeoutMs: number): Promise<HelmServerResult> {
    return new Promise((resolve, reject) => {
      if (!this.alive) return reject(new ExternalToolError('HELM_FAILED', 'the helm renderer is not running', { cmd: this.bin, stderr: this.diagnostics, hint: HINT }));
      // A ref'ed timer: it is what keeps the CLI waiting for the answer.
      const timer = setTimeout(() => {
        this.die(new ExternalToolError('HELM_FAILED', `helm ${req.args[0] ?? ''} ran past its time limit of ${timeoutMs / 1000}s in the helm renderer`, { cmd: `helm ${req.args.join(' ')}`, hint: HINT }));
        this.child.kill('SIGKILL');
      }, timeoutMs);
      this.pending = { id: req.id, cmd: `helm ${req.args.join(' ')}`, resolve, reject, timer };
      this.child.stdin.write(`${JSON.stringify(req)}\n`);
    });
  }

  /** Closing stdin ends the renderer's loop; it exits on its own. */
  stop(): void {
    this.busy();
    if (!this.alive) return;
    this.alive = false;
    this.child.stdin.end();
    this.onExit();
  }

  private onData(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
      this.chunks.push(chunk.subarray(start, nl));
      const line = Buffer.concat(this.chunks).toString('utf8');
      this.chunks = [];
      start = nl + 1;
      this.onLine(line);
    }
    if (start < chunk.length) this.chunks.push(chunk.subarray(start));
  }

  private onLine(line: string): void {
    let message: Ready | Response;
    try {
      message = JSON.parse(line) as Ready | Response;
    } catch {
      return this.protocolError(`an unreadable line: ${line.slice(0, 200)}`);
    }
    if (!this.isReady) {
      const ready = message as Ready;
      if (ready.ready !== true || ready.protocol !== PROTOCOL) return this.protocolError(`no protocol ${PROTOCOL} greeting: ${line.slice(0, 200)}`);
      if (ready.version !== this.version) {
        return this.fail(
          new ExternalToolError('HELM_VERSION_MISMATCH', `the helm renderer ${this.bin} is helm ${ready.version}, the pinned version is ${this.version}`, {
            hint: 'Run `npm ci` to rebuild it, or set GITOPS_HELM_RENDERER=binary.',
          }),
        );
      }
      this.isReady = true;
      clearTimeout(this.startTimer);
      return this.onReady.resolve();
    }
    const response = message as Response;
    const pending = this.pending;
    if (!pending || response.id !== pending.id) return this.protocolError(`an answer to request ${response.id}, which is not the one it was sent`);
    clearTimeout(pending.timer);
    this.pending = undefined;
    if (response.error) {
      return pending.reject(new ExternalToolError('INTERNAL', `could not run helm: ${response.error}`, { cmd: pending.cmd }));
    }
    pending.resolve({
      exitCode: response.exitCode,
      stdout: Buffer.from(response.stdout ?? '', 'base64').toString('utf8'),
      stderr: Buffer.from(response.stderr ?? '', 'base64').toString('utf8'),
    });
  }

  private protocolError(what: string): void {
    this.fail(new ExternalToolError('HELM_FAILED', `the helm renderer sent ${what}`, { cmd: this.bin, stderr: this.diagnostics, hint: HINT }));
  }

  /** Fails what is waiting on this process and kills it. */
  private fail(error: Error): void {
    this.die(error);
    this.child.kill('SIGKILL');
  }

  private die(error: Error): void {
    const wasAlive = this.alive;
    this.alive = false;
    this.busy();
    tracked.delete(this.child);
    clearTimeout(this.startTimer);
    if (!this.isReady) this.onReady.reject(error);
    // The start promise may have no listener left (its request already failed).
    this.started.catch(() => {});
    if (this.pending) {
      clearTimeout(this.pending.timer);
      this.pending.reject(error);
      this.pending = undefined;
    }
    if (wasAlive) this.onExit();
  }
}

/** Every renderer still running, killed if the CLI exits without stopping them. */
const tracked = new Set<ChildProcessWithoutNullStreams>();
process.on('exit', () => {
  for (const child of tracked) child.kill('SIGTERM');
});

function definedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}
