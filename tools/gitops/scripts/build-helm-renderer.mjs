#!/usr/bin/env node
// Builds tools/helm-renderer (helm's own commands on the Helm SDK, many renders per process)
// beside the installed helm pin, where Go is installed. It is built to be the pinned binary:
// the same helm module version (go.sum), the same Go toolchain (fetched through the Go module
// proxy when it is not the local one) and the same version stamps, all read from the installed
// helm binary, so that even `.Capabilities.HelmVersion` renders identically. Without Go, or
// when the build fails, renders use the helm binary, as they always could.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const toolRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const sourceDir = join(toolRoot, '..', 'helm-renderer');
const VERSION_PACKAGE = 'helm.sh/helm/v4/internal/version';

/** Returns the renderer's path, or undefined when it is not built (and renders use the binary). */
export async function buildHelmRenderer({ env = process.env, log = console } = {}) {
  const pin = JSON.parse(readFileSync(join(toolRoot, 'helm-pin.json'), 'utf8'));
  const forced = env.GITOPS_HELM_RENDERER === 'server';
  const skip = (why) => {
    const message = `gitops: ${why}`;
    if (forced) throw new Error(`${message} (GITOPS_HELM_RENDERER=server needs it)`);
    log.warn(`${message}; helm renders start the helm binary once per Application.`);
    return undefined;
  };
  if (env.GITOPS_HELM_RENDERER === 'binary') return undefined;
  if (process.platform === 'win32') return skip('the helm renderer is not built on Windows');

  const helm = join(toolRoot, '.helm', pin.version, 'helm');
  if (!existsSync(helm)) return skip(`helm ${pin.version} is not installed, so the helm renderer cannot be built to match it`);
  const ref = spawnSync(helm, ['version', '--template', '{{.Version}} {{.GitCommit}} {{.GitTreeState}} {{.GoVersion}}'], { encoding: 'utf8' });
  const [version, gitCommit, gitTreeState, goVersion] = (ref.stdout ?? '').trim().split(' ');
  if (ref.status !== 0 || version !== pin.version || !goVersion) return skip(`could not read the build of ${helm}`);

  const go = spawnSync('go', ['version'], { encoding: 'utf8', env });
  if (go.error || go.status !== 0) return skip('Go is not installed, so the helm renderer is not built');

  const target = join(toolRoot, '.helm', pin.version, 'helm-renderer');
  const ldflags = ['-s', '-w', `-X ${VERSION_PACKAGE}.version=${version}`, `-X ${VERSION_PACKAGE}.gitCommit=${gitCommit}`, `-X ${VERSION_PACKAGE}.gitTreeState=${gitTreeState}`].join(' ');
  // Everything the binary depends on; an unchanged stamp skips even Go's (warm) link step.
  const stamp = createHash('sha256')
    .update(JSON.stringify([ldflags, goVersion, ...['main.go', 'go.mod', 'go.sum'].map((f) => readFileSync(join(sourceDir, f), 'utf8'))]))
    .digest('hex');
  const stampFile = `${target}.stamp`;
  if (existsSync(target) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return target;

  log.log(`gitops: building the helm renderer (helm ${version}, ${goVersion}); the first build takes a few minutes`);
  const tmp = `${target}.tmp-${process.pid}`;
  mkdirSync(dirname(target), { recursive: true });
  try {
    const build = spawnSync('go', ['build', '-trimpath', '-mod=readonly', '-ldflags', ldflags, '-o', tmp, '.'], {
      cwd: sourceDir,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...env, CGO_ENABLED: '0', GOTOOLCHAIN: goVersion, GOFLAGS: '' },
    });
    if (build.status !== 0) return skip(`building the helm renderer failed (go build in ${sourceDir})`);
    const greeting = await readGreeting(tmp);
    if (greeting.version !== pin.version) return skip(`the helm renderer reports helm ${greeting.version}, not ${pin.version}`);
    renameSync(tmp, target);
    writeFileSync(stampFile, stamp);
  } finally {
    rmSync(tmp, { force: true });
  }
  log.log(`gitops: built the helm renderer at ${target}`);
  return target;
}

/** Starts the renderer, reads its first line and lets it exit by closing its input. */
function readGreeting(bin) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) child.stdin.end();
    });
    child.on('error', reject);
    child.on('close', () => {
      try {
        resolve(JSON.parse(out.split('\n')[0]));
      } catch {
        resolve({});
      }
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildHelmRenderer().catch((err) => {
    console.error(err.message);
    process.exitCode = 1;
  });
}
