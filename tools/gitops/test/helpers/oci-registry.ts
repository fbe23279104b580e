import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface OciRegistry {
  /** host:port on loopback, as Helm OCI repoURLs name it. */
  host: string;
  stop(): void;
}

/**
 * A real OCI registry on loopback (go-containerregistry's `registry`, which CI installs),
 * in memory, gone when stopped. Without the binary the test fails: it never skips.
 */
export async function startRegistry(): Promise<OciRegistry> {
  const bin = registryBin();
  const child = spawn(bin, ['-port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const port = await new Promise<number>((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`registry did not start: ${log}`)), 20_000);
    child.on('error', (err) => reject(new Error(`cannot run ${bin} (go install github.com/google/go-containerregistry/cmd/registry@v0.22.1): ${err.message}`)));
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const m = /serving on port (\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
  return { host: `localhost:${port}`, stop: () => child.kill('SIGTERM') };
}

function registryBin(): string {
  // npm ci installs it (go-tools-pin.json) where Go is present.
  if (process.env.GITOPS_REGISTRY_BIN) return process.env.GITOPS_REGISTRY_BIN;
  const gopath = spawnSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).stdout?.trim();
  const installed = gopath ? join(gopath, 'bin', 'registry') : '';
  return installed && existsSync(installed) ? installed : 'registry';
}
