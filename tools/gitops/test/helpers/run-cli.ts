import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';

export const toolRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(toolRoot, 'bin', 'gitops.js');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI as a user would. Each call gets its own render cache unless one is
 * given, colour is off, and the temp root is replaced by <root> in stderr.
 */
export function runCli(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; cacheDir?: string }): CliResult {
  let cacheDir = options.cacheDir;
  if (!cacheDir) {
    const dir = mkdtempSync(join(tmpdir(), 'gitops-cache-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    cacheDir = dir;
  }
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: options.cwd, encoding: 'utf8', env: cliEnv(cacheDir, options.env), maxBuffer: 256 * 1024 * 1024 });
  const clean = (s: string) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').split(options.cwd).join('<root>');
  return { exitCode: r.status ?? -1, stdout: r.stdout, stderr: clean(r.stderr) };
}

/**
 * No colour, CI mode, the given render cache, a schema cache of its own and no schema
 * downloads (nothing downloads in tests), then the test's own variables.
 */
function cliEnv(cacheDir: string, env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    FORCE_COLOR: '0',
    NO_COLOR: '1',
    CI: 'true',
    GITOPS_CACHE_DIR: cacheDir,
    GITOPS_SCHEMA_CACHE: join(cacheDir, 'user-schemas'),
    GITOPS_SCHEMA_LOCATIONS: 'none',
    ...env,
  };
}

/** A fresh cache directory that lives until the test ends (to share between runs). */
export function tempCache(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-cache-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** runCli without blocking the event loop, for tests that serve the CLI's HTTP requests in-process. */
export function runCliAsync(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<CliResult> {
  const cacheDir = tempCache();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: options.cwd, env: cliEnv(cacheDir, options.env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ exitCode: code ?? -1, stdout, stderr: stderr.split(options.cwd).join('<root>') }));
  });
}
