import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { ExternalToolError, type ErrorCode } from '../core/errors.js';

export interface ExecOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Milliseconds; the process is killed after. */
  timeoutMs?: number;
  input?: string | Buffer;
  /** Error code used when the binary cannot be started. */
  notFoundCode?: ErrorCode;
  notFoundHint?: string;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * The only place that starts processes. Takes an argv array (never a shell string)
 * and returns the exit code: callers classify it, because helm and git use 1 both for
 * "your input is wrong" and "I failed".
 */
export function exec(file: string, args: readonly string[], options: ExecOptions): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // Our own timer rather than spawn's `timeout`, which outlives a spawn that failed and
    // keeps the CLI waiting for it.
    const timer = setTimeout(() => child.kill('SIGTERM'), options.timeoutMs ?? 120_000);
    timer.unref();
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (cause: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const missing = cause.code === 'ENOENT';
      reject(
        new ExternalToolError(
          missing ? (options.notFoundCode ?? 'INTERNAL') : 'INTERNAL',
          missing ? `${file}: command not found` : `could not start ${file}: ${cause.message}`,
          { cmd: file, hint: options.notFoundHint, cause },
        ),
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (signal) {
        reject(
          new ExternalToolError('INTERNAL', `${file} was stopped by ${signal}`, {
            cmd: [file, ...args].join(' '),
            stderr: lastLines(stderr),
            hint: signal === 'SIGTERM' ? 'It ran past its time limit.' : undefined,
          }),
        );
        return;
      }
      resolve({ stdout, stderr, exitCode: code ?? 1 });
    });
    // A process may exit without reading its input (e.g. `helm version`): that is not an error.
    child.stdin.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') reject(err);
    });
    child.stdin.end(options.input ?? '');
  });
}

/** The tail of a process's stderr, enough to explain a failure without flooding. */
export function lastLines(text: string, count = 12): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}

export interface StartOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Starts a long-lived process that speaks over its stdin and stdout (e.g. the helm renderer).
 * The caller owns it: it must end it, and it is unref'ed so that it never keeps the CLI alive.
 * A failed start is reported on the child's 'error' event.
 */
export function startProcess(file: string, args: readonly string[], options: StartOptions): ChildProcessWithoutNullStreams {
  const child = spawn(file, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
  child.unref();
  return child;
}
