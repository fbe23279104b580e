// The fleet-scale benchmark: a synthetic fleet made from the example fleet's own services
// (synthetic-fleet.mjs: whole replicas of the fleet under new names, history replayed, as
// clean as the example), about 1,000 Applications by default (GITOPS_BENCH_APPS), and a table of
// gitops check cold and warm, check and diff after one service changed, and the loop a team
// writes without this tool (helm template | kubeconform -strict per Application, two at a
// time) on the same fleet. Median of GITOPS_BENCH_RUNS runs (default 3) for the warm rows,
// peak RSS of the gitops process. Figures only; nothing here asserts a duration.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeFleet } from './synthetic-fleet.mjs';

export async function benchFleet({ toolRoot, repoRoot }) {
  const bin = join(toolRoot, 'bin', 'gitops.js');
  const targetApps = Number(process.env.GITOPS_BENCH_APPS ?? 1000);
  const runs = Number(process.env.GITOPS_BENCH_RUNS ?? 3);
  const work = mkdtempSync(join(tmpdir(), 'gitops-bench-fleet-'));
  const repo = join(work, 'repo');
  const cache = join(work, 'cache');
  // The clone lives in a temp dir: point it at the repository's schemas explicitly.
  const schemaDir = process.env.GITOPS_SCHEMA_DIR ?? join(repoRoot, '..', 'shared', 'schemas');
  try {
    const { services, apps } = makeFleet(repoRoot, repo, targetApps);
    console.log(`\nsynthetic fleet: ${services} services, ${apps} Applications (GITOPS_BENCH_APPS=${targetApps}), ${runs} runs for warm figures`);
    const rows = [];
    const env = { GITOPS_CACHE_DIR: cache, GITOPS_SCHEMA_DIR: schemaDir, CI: 'true' };
    const gitops = (args) => timed(process.execPath, [bin, ...args], repo, env);

    rows.push(['check, cold', [await gitops(['check'])]]);
    rows.push(['check, warm (nothing changed)', await repeat(runs, () => gitops(['check']))]);
    const values = join(repo, 'services/orders/values.yaml');
    const original = readFileSync(values, 'utf8');
    let edit = 0;
    const editOne = () => writeFileSync(values, `${original}# bench edit ${++edit}\n`);
    rows.push(['check, one service changed', await repeat(runs, () => (editOne(), gitops(['check'])))]);
    rows.push(['diff --base HEAD, one service changed', await repeat(runs, () => (editOne(), gitops(['diff', '--base', 'HEAD'])))]);
    writeFileSync(values, original);
    const hasImpact = /^\s+impact\s/m.test(spawnSync(process.execPath, [bin, 'chart', '--help'], { cwd: repo, encoding: 'utf8' }).stdout);
    if (hasImpact) rows.push(['chart impact microservice (every consumer)', [await gitops(['chart', 'impact', 'microservice'])]]);
    const baseline = await baselineLoop(bin, repo, env, work, schemaDir);
    rows.push(['baseline: helm template | kubeconform -strict', [baseline]]);

    const base = baseline.seconds;
    console.log(`${'what'.padEnd(46)} ${'median'.padStart(8)} ${'peak RSS'.padStart(10)} ${'vs baseline'.padStart(12)}  exit`);
    for (const [label, samples] of rows) {
      const med = median(samples.map((s) => s.seconds));
      const rss = Math.max(...samples.map((s) => s.rssMiB ?? 0));
      console.log(
        `${label.padEnd(46)} ${`${med.toFixed(2)}s`.padStart(8)} ${(rss ? `${rss.toFixed(0)} MiB` : 'n/a').padStart(10)} ${`${(base / med).toFixed(2)}x`.padStart(12)}  ${[...new Set(samples.map((s) => s.exitCode))].join(',')}`,
      );
    }
    if (!hasImpact) console.log('chart impact: not available in this build');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * What a team without the tool runs: per Application, the same helm template argv in the
 * chart directory (dependencies built once, untimed) piped into kubeconform -strict with the
 * same schemas, two Applications at a time on two cores.
 */
async function baselineLoop(bin, repo, env, work, schemaDir) {
  const out = join(work, 'render.json');
  run(process.execPath, [bin, 'render', '--format', `json=${out}`], repo, { ...process.env, ...env }, true);
  const apps = JSON.parse(readFileSync(out, 'utf8')).applications.filter((a) => a.manifests !== null);
  const helm = join(bin, '..', '..', '.helm', JSON.parse(readFileSync(join(bin, '..', '..', 'helm-pin.json'), 'utf8')).version, 'helm');
  const charts = join(work, 'charts');
  cpSync(join(repo, 'platform-charts'), charts, { recursive: true });
  for (const chart of readdirSync(charts)) if (existsSync(join(charts, chart, 'Chart.lock'))) run(helm, ['dependency', 'build', '--skip-refresh'], join(charts, chart), helmEnv(work));
  const locations = [`${schemaDir}/kubernetes/{{.NormalizedKubernetesVersion}}-standalone/{{.ResourceKind}}{{.KindSuffix}}.json`, `${schemaDir}/crds/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json`];
  const started = process.hrtime.bigint();
  let next = 0;
  const worker = async () => {
    while (next < apps.length) {
      const app = apps[next++];
      const args = app.command.slice(1).map((arg, i, all) => (all[i - 1] === '--values' && arg !== '<inline values>' ? join(repo, arg) : arg));
      const rendered = await pipe(helm, args, join(charts, app.chart.name), helmEnv(work));
      await pipe('kubeconform', ['-strict', '-summary', '-kubernetes-version', args[args.indexOf('--kube-version') + 1] ?? '1.34.0', ...locations.flatMap((l) => ['-schema-location', l]), '-'], repo, process.env, rendered);
    }
  };
  await Promise.all([worker(), worker()]);
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, exitCode: 0 };
}

function helmEnv(work) {
  const home = join(work, 'helm-home');
  return { PATH: process.env.PATH, HOME: home, HELM_CACHE_HOME: join(home, 'c'), HELM_CONFIG_HOME: join(home, 'f'), HELM_DATA_HOME: join(home, 'd') };
}

function pipe(cmd, args, cwd, env, input) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out = [];
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', () => resolve(Buffer.concat(out)));
    child.stdin.end(input ?? '');
  });
}

/** Runs a command under /usr/bin/time (when present) for its peak RSS. */
function timed(cmd, args, cwd, env) {
  const time = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  const [file, argv] = time ? [time, ['-f', 'RSS_KIB %M', cmd, ...args]] : [cmd, args];
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn(file, argv, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const rss = /RSS_KIB (\d+)/.exec(stderr);
      if (code === 2) process.stderr.write(stderr);
      resolve({ seconds, exitCode: code, rssMiB: rss ? Number(rss[1]) / 1024 : undefined });
    });
  });
}

async function repeat(n, fn) {
  const samples = [];
  for (let i = 0; i < n; i++) samples.push(await fn());
  return samples;
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function run(cmd, args, cwd, env = process.env, allowFindings = false) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 });
  if (r.status !== 0 && !(allowFindings && r.status === 1)) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}
