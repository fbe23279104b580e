#!/usr/bin/env node
// Installs the pinned kubeconform, actionlint and OCI registry (go-containerregistry, the
// chart-release tests' loopback registry) with `go install` where Go is present, so
// that after `npm ci` the whole test suite runs with nothing installed by hand. A binary
// already at the pinned version is kept: a second `npm ci` costs nothing. Without Go (or
// without network) it says so and carries on: the tests that need a binary are then
// reported as skipped with this same command, and fail in CI.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const toolRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const pins = JSON.parse(readFileSync(join(toolRoot, 'go-tools-pin.json'), 'utf8'));

const goEnv = (name) => {
  const r = spawnSync('go', ['env', name], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
};

const gopath = goEnv('GOPATH');
if (gopath === undefined) {
  const commands = Object.values(pins).map((p) => `go install ${p.module}@${p.version}`).join(' && ');
  console.warn(`gitops: Go not found: kubeconform and actionlint not installed; the tests that need them will be skipped (install Go, then: ${commands})`);
  process.exit(0);
}
const bin = goEnv('GOBIN') || join(gopath.split(':')[0], 'bin');

for (const [name, pin] of Object.entries(pins)) {
  const target = join(bin, name);
  // The module version Go recorded in the binary: `go install` builds carry no -v stamp
  // (kubeconform's says "development").
  if (existsSync(target)) {
    const r = spawnSync('go', ['version', '-m', target], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.split('\n').some((line) => /^\s*mod\s/.test(line) && line.trim().split(/\s+/)[2] === pin.version)) continue;
  }
  const r = spawnSync('go', ['install', `${pin.module}@${pin.version}`], { stdio: 'inherit' });
  if (r.status === 0) console.log(`gitops: installed ${name} ${pin.version} at ${target}`);
  else console.warn(`gitops: could not install ${name} ${pin.version} (go install ${pin.module}@${pin.version} failed); the tests that need it will be skipped`);
}
