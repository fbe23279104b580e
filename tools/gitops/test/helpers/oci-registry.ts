import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface OciRegistry {
  /** host:port on loopback, as Helm OCI repoURLs name it. */
  host: string;
  stop(): void;
}

/**
 * A real OCI registry on loopback (go-containerregistry's `registry`, which CI installs),
 * in memory, gone when stopped. Without the binary the test fails: it never skips.
 *
 * Its log goes to a file, not a pipe: a pipe is drained by Node's event loop, which a test's
 * `spawnSync` blocks, and a registry whose log pipe is full blocks every request it serves.
 */
export async function startRegistry(): Promise<OciRegistry> {
  const bin = registryBin();
  const dir = mkdtempSync(join(tmpdir(), 'gitops-registry-'));
  const logFile = join(dir, 'registry.log');
  const fd = openSync(logFile, 'a');
  const child = spawn(bin, ['-port', '0'], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  let failed: Error | undefined;
  child.on('error', (err) => (failed = new Error(`cannot run ${bin} (go install github.com/google/go-containerregistry/cmd/registry@v0.22.1): ${err.message}`)));
  child.on('exit', (code, signal) => (failed ??= new Error(`registry exited (${code ?? signal}) before serving`)));
  const stop = () => {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(25)) {
    if (failed) break;
    const m = /serving on port (\d+)/.exec(readFileSync(logFile, 'utf8'));
    if (m) return { host: `localhost:${m[1]}`, stop };
  }
  const log = readFileSync(logFile, 'utf8');
  stop();
  throw new Error(`${failed?.message ?? 'registry did not start within 20 s'}: ${log}`);
}

function registryBin(): string {
  // npm ci installs it (go-tools-pin.json) where Go is present.
  if (process.env.GITOPS_REGISTRY_BIN) return process.env.GITOPS_REGISTRY_BIN;
  const gopath = spawnSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).stdout?.trim();
  const installed = gopath ? join(gopath, 'bin', 'registry') : '';
  return installed && existsSync(installed) ? installed : 'registry';
}
