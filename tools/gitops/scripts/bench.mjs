#!/usr/bin/env node
// Prints how long the gitops commands take on the example fleet: render cold (empty render
// cache), warm (nothing changed), after one values edit and with one helm process at a time;
// lint, validate with each engine, policy and check on a warm cache; diff of a one-service
// change. Cold renders run with each helm renderer (GITOPS_HELM_RENDERER: a helm process per
// Application, or the long-lived helm renderer), with a per-Application figure for each;
// objects per second of validate (each engine) and of kubeconform on the same files; then the
// fleet-scale table (bench-fleet.mjs).
// Figures only; nothing here asserts a duration.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
// GITOPS_BENCH_ONLY=fleet: the fleet-scale table alone; =example: the example fleet's rows alone.
if (process.env.GITOPS_BENCH_ONLY !== 'fleet') try {
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
  benchValidateThroughput(out, cache);
} finally {
  writeFileSync(valuesFile, original);
  rmSync(work, { recursive: true, force: true });
}

/**
 * Objects per second of `gitops validate` (each engine) and of kubeconform itself on the same
 * manifest files: the rendered fleet, twenty times over (names made unique), with the same
 * strict schemas; the built-in engine's validators and the schemas already in the cache, each
 * object judged again (no verdict remembered), then with the verdicts an earlier run kept.
 */
function benchValidateThroughput(rendered, cacheDir) {
  const dir = join(work, 'throughput');
  mkdirSync(dir);
  const streams = readdirSync(rendered, { recursive: true }).filter((f) => f.endsWith('.yaml')).map((f) => readFileSync(join(rendered, f), 'utf8'));
  let objects = 0;
  for (let i = 0; i < 20; i++) {
    const text = streams.join('\n---\n').replace(/^( {2}name: .*)$/gm, `$1-${i}`);
    objects += (text.match(/^kind: /gm) ?? []).length;
    writeFileSync(join(dir, `copy-${i}.yaml`), text);
  }
  const version = ['--kubernetes-version', '1.34.0'];
  const timed = (command, args, env = {}) => {
    const started = process.hrtime.bigint();
    const r = spawnSync(command, args, { cwd: repoRoot, encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, GITOPS_CACHE_DIR: cacheDir, CI: 'true', ...env } });
    if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return Number(process.hrtime.bigint() - started) / 1e9;
  };
  const line = (label, seconds) => console.log(`${label.padEnd(40)} ${seconds.toFixed(2).padStart(6)}s   ${objects} objects, ${Math.round(objects / seconds)} objects/s`);
  // Warm: compiled validators and the kubeconform engine's strict schemas in the cache.
  timed(process.execPath, [bin, 'validate', ...version, dir]);
  timed(process.execPath, [bin, 'validate', '--engine', 'kubeconform', ...version, join(dir, 'copy-0.yaml')]);
  // Every object judged again: no verdict remembered from the warm-up run.
  const judged = (args) => {
    rmSync(join(cacheDir, 'verdicts'), { recursive: true, force: true });
    return timed(process.execPath, [bin, 'validate', ...args, ...version, dir]);
  };
  line('validate files, builtin engine', judged([]));
  line('validate files, kubeconform engine', judged(['--engine', 'kubeconform']));
  timed(process.execPath, [bin, 'validate', ...version, dir]);
  line('validate files, builtin, verdicts kept', timed(process.execPath, [bin, 'validate', ...version, dir]));
  const strict = join(cacheDir, 'kubeconform-schemas');
  const locations = readdirSync(strict).filter((d) => !d.endsWith('.tmp')).flatMap((d) => ['-schema-location', `${join(strict, d)}/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json`]);
  const kubeconform = process.env.GITOPS_KUBECONFORM_BIN ?? 'kubeconform';
  line('kubeconform -strict, same files', timed(kubeconform, ['-strict', '-summary', ...locations, dir]));
}

if (process.env.GITOPS_BENCH_ONLY !== 'example') await benchFleet({ toolRoot, repoRoot });
