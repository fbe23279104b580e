#!/usr/bin/env node
// Builds appset-wasm/ (the ApplicationSet controller's template engine: Go text/template,
// sprig and friends at Argo CD's versions) to dist/wasm/appset.wasm, with Go's own JavaScript
// loader beside it. Go's build cache makes a rebuild with no change take about a second.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const toolRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(toolRoot, 'dist', 'wasm');
const go = process.env.GITOPS_GO_BIN ?? 'go';

function run(args, env) {
  const result = spawnSync(go, args, { cwd: join(toolRoot, 'appset-wasm'), env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (result.error) {
    console.error(`build-appset-wasm: cannot run ${go} (${result.error.message}); install Go >= 1.26 or set GITOPS_GO_BIN.`);
    process.exit(2);
  }
  if (result.status !== 0) {
    console.error(`build-appset-wasm: ${go} ${args.join(' ')} failed (exit ${result.status}).`);
    process.exit(2);
  }
  return result.stdout.trim();
}

mkdirSync(outDir, { recursive: true });
const tmp = join(outDir, `appset.wasm.tmp-${process.pid}`);
run(['build', '-trimpath', '-ldflags=-s -w', '-o', tmp, '.'], { GOOS: 'js', GOARCH: 'wasm', CGO_ENABLED: '0' });
renameSync(tmp, join(outDir, 'appset.wasm'));
// The loader must match the Go release that built the module; .cjs because the package is ESM.
const goroot = run(['env', 'GOROOT']);
copyFileSync(join(goroot, 'lib', 'wasm', 'wasm_exec.js'), join(outDir, 'wasm_exec.cjs'));
