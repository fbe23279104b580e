#!/usr/bin/env node
// Prints how long the gitops commands take on the example fleet: render cold (empty render
// cache), warm (nothing changed), after one values edit and with one helm process at a time;
// lint, validate with each engine, policy and check on a warm cache; diff of a one-service
// change. Cold renders run with each helm renderer (GITOPS_HELM_RENDERER: a helm process per
// Application, or the long-lived helm renderer), with a per-Application figure for each.
// Figures only; nothing here asserts a duration.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchFleet } from './bench-fleet.mjs';

const toolRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = join(toolRoot, '..', '..');
const bin = join(toolRoot, 'bin', 'gitops.js');
const work = mkdtempSync(join(tmpdir(), 'gitops-bench-'));

function run(label, args, cacheDir, env = {}) {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, GITOPS_CACHE_DIR: cacheDir, CI: 'true', ...env } });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) {
    process.stderr.write(r.stderr);
    throw new Error(`${label}: gitops ${args.join(' ')} exited ${r.status}`);
  }
  const summary = r.stderr.trim().split('\n').pop();
  console.log(`${label.padEnd(44)} ${(ms / 1000).toFixed(2).padStart(6)}s   ${summary}`);
  return { ms, apps: Number(/rendered (\d+)\//.exec(summary)?.[1] ?? 0) };
}

/**
 * Per Application, one at a time: a cold render at --concurrency 1 less a warm one (which
 * plans, reads Git and writes the same output, but renders nothing), over the Applications.
 */
function perApplication(mode) {
  const cache = join(work, `cache-per-app-${mode}`);
  const cold = run(`render fleet, cold, --concurrency 1 (${mode})`, ['render', '--out', join(work, 'out-per-app'), '--concurrency', '1'], cache, { GITOPS_HELM_RENDERER: mode });
  const warm = run(`render fleet, warm, --concurrency 1 (${mode})`, ['render', '--out', join(work, 'out-per-app'), '--concurrency', '1'], cache, { GITOPS_HELM_RENDERER: mode });
  return (cold.ms - warm.ms) / Math.max(cold.apps, 1);
}

const valuesFile = join(repoRoot, 'services/orders/values.yaml');
const original = readFileSync(valuesFile, 'utf8');
try {
  const cache = join(work, 'cache');
  const out = join(work, 'out');
  for (const mode of ['binary', 'server']) {
    run(`render fleet, cold cache (${mode})`, ['render', '--out', out], join(work, `cache-cold-${mode}`), { GITOPS_HELM_RENDERER: mode });
  }
  const perApp = Object.fromEntries(['binary', 'server'].map((mode) => [mode, perApplication(mode)]));
  console.log(`${'helm template per Application'.padEnd(44)} binary ${perApp.binary.toFixed(1)} ms, server ${perApp.server.toFixed(1)} ms`);
  // The rows below use the default renderer (the server where it is built).
  run('render fleet, cold cache', ['render', '--out', out], cache);
  run('render fleet, warm cache', ['render', '--out', out], cache);
  writeFileSync(valuesFile, `${original}# bench edit\n`);
  run('render fleet, one service edited', ['render', '--out', out], cache);
  writeFileSync(valuesFile, original);
  run('render fleet, cold, --concurrency 1', ['render', '--out', out, '--concurrency', '1'], join(work, 'cache-serial'));
  run('render one app, cold', ['render', '--env', 'prod', '--service', 'orders'], join(work, 'cache-one'));
  run('lint', ['lint'], cache);
  run('validate, builtin engine (first run)', ['validate'], cache);
  run('validate, builtin engine', ['validate'], cache);
  run('validate, kubeconform engine', ['validate', '--engine', 'kubeconform'], cache);
  run('policy', ['policy'], cache);
  run('check', ['check'], cache);
  // A change in one service's values: orders in staging and prod reads it.
  writeFileSync(valuesFile, original.replace('partOf: commerce', 'partOf: commerce-checkout'));
  run('diff, one service changed, cold', ['diff', '--base', 'HEAD'], join(work, 'cache-diff'));
  run('diff, one service changed, warm', ['diff', '--base', 'HEAD'], join(work, 'cache-diff'));
  writeFileSync(valuesFile, original);
} finally {
  writeFileSync(valuesFile, original);
  rmSync(work, { recursive: true, force: true });
}

await benchFleet({ toolRoot, repoRoot });
