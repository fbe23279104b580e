/**
 * What the conformance suite runs: a loopback OCI registry with the charts published to it,
 * the Argo CD harness (tools/conformance) and `gitops render --format json`, each over a
 * repository copied to a temp dir whose URLs point at the copy and the registry.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import type { TestRepo } from '../helpers/git-repo.js';
import { startRegistry as startOciRegistry } from '../helpers/oci-registry.js';
import { runCli, toolRoot } from '../helpers/run-cli.js';
import type { ArgoReport, ToolReport } from './compare.js';

export const repoRoot = join(toolRoot, '..', '..');
export const harnessBin = join(repoRoot, 'tools', 'conformance', 'bin', 'argocd-conformance');
const pin = JSON.parse(readFileSync(join(toolRoot, 'helm-pin.json'), 'utf8')) as { version: string };
export const helmBin = process.env.GITOPS_HELM_BIN ?? join(toolRoot, '.helm', pin.version, 'helm');

/** The URLs the repository is written with, and what the suite points them at. */
export const PUBLIC_REPO = 'https://github.com/acme/platform-gitops.git';
export const PUBLIC_REGISTRY = 'ghcr.io/acme/charts';

export interface Registry {
  host: string; // 127.0.0.1:PORT/charts
  stop(): Promise<void>;
}

/** The tests' loopback OCI registry (go-containerregistry), named as the fixtures' chart registry. */
export async function startRegistry(): Promise<Registry> {
  const registry = await startOciRegistry();
  return { host: `127.0.0.1:${registry.host.split(':')[1]}/charts`, stop: async () => registry.stop() };
}

/**
 * Points the copy at itself and at the registry (plain HTTP, as Argo CD's
 * insecureOCIForceHttp), and commits that.
 */
export function localise(repo: TestRepo, registry: Registry): void {
  const files = repo.git('ls-files', '-z').split('\0').filter((f) => /^(gitops\.yaml|argocd\/|services\/|environments\/)/.test(f));
  const url = `file://${repo.dir}`;
  const changes: Record<string, string> = {};
  for (const f of files) {
    const text = readFileSync(join(repo.dir, f), 'utf8');
    let next = text.split(PUBLIC_REPO).join(url).split(PUBLIC_REGISTRY).join(registry.host);
    if (/^argocd\/repositories\/.*\.ya?ml$/.test(f)) {
      const doc = parseDocument(next);
      if (doc.getIn(['data'])) doc.setIn(['data', 'insecureOCIForceHttp'], Buffer.from('true').toString('base64'));
      else doc.setIn(['stringData', 'insecureOCIForceHttp'], 'true');
      next = doc.toString();
    }
    if (next !== text) changes[f] = next;
  }
  repo.commit('point the repository at its local copy and the loopback registry', changes);
}

/** Whether any ApplicationSet reads charts from the registry. */
export function usesRegistry(repo: TestRepo, registry: Registry): boolean {
  try {
    return repo.git('grep', '-l', '-F', registry.host, '--', 'argocd').trim() !== '';
  } catch {
    return false; // git grep exits 1 when nothing matches
  }
}

/**
 * Publishes every chart version to the registry: with `gitops chart release` where the CLI has
 * it, else as the release design defines a version (the chart at the first commit whose
 * Chart.yaml carries it, dependencies built, `helm package`, `helm push`).
 */
export function publishCharts(repo: TestRepo, registry: Registry): string {
  const help = runCli(['chart', 'release', '--help'], { cwd: repo.dir });
  if (help.exitCode === 0) {
    const r = runCli(['chart', 'release', '--registry', `oci://${registry.host}`, '--plain-http'], { cwd: repo.dir });
    if (r.exitCode !== 0) throw new Error(`gitops chart release failed (${r.exitCode}):\n${r.stderr}`);
    return 'gitops chart release';
  }
  const work = mkdtempSync(join(tmpdir(), 'gitops-conformance-charts-'));
  const helmHome = { XDG_CACHE_HOME: join(work, '.cache'), XDG_CONFIG_HOME: join(work, '.config'), XDG_DATA_HOME: join(work, '.data') };
  const helm = (cwd: string, ...args: string[]) => execFileSync(helmBin, args, { cwd, encoding: 'utf8', env: { ...process.env, ...helmHome }, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const published = new Set<string>();
    const commits = repo.git('log', '--reverse', '--format=%H', 'HEAD', '--', 'platform-charts/*/Chart.yaml').split('\n').filter(Boolean);
    for (const commit of commits) {
      const charts = repo.git('ls-tree', '--name-only', `${commit}:platform-charts`).split('\n').filter(Boolean);
      for (const chart of charts) {
        let chartYaml: string;
        try {
          chartYaml = repo.git('show', `${commit}:platform-charts/${chart}/Chart.yaml`);
        } catch {
          continue;
        }
        const meta = parseDocument(chartYaml).toJS() as { version?: string; type?: string };
        const key = `${chart}@${meta.version}`;
        if (!meta.version || meta.type === 'library' || published.has(key)) continue;
        const dir = join(work, commit.slice(0, 12));
        if (!existsSync(dir)) {
          execFileSync('sh', ['-c', `mkdir -p "${dir}" && git archive ${commit} platform-charts | tar -x -C "${dir}"`], { cwd: repo.dir });
        }
        const chartDir = join(dir, 'platform-charts', chart);
        helm(chartDir, 'dependency', 'build', '--skip-refresh');
        const out = helm(dir, 'package', chartDir, '--destination', dir);
        const tgz = /saved it to: (.*\.tgz)/.exec(out)?.[1]?.trim();
        if (!tgz) throw new Error(`helm package printed no package path: ${out}`);
        helm(dir, 'push', tgz, `oci://${registry.host}`, '--plain-http');
        published.add(key);
      }
    }
    return `helm package + helm push (${published.size} versions)`;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Runs Argo CD's code over the repository. */
export function runArgo(repo: TestRepo): ArgoReport {
  const out = join(repo.dir, '..', `argocd-${process.pid}-${Date.now()}.json`);
  const r = spawnSync(harnessBin, ['--repo', repo.dir, '--out', out], {
    encoding: 'utf8',
    env: { ...process.env, GITOPS_HELM_BIN: helmBin },
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`argocd-conformance failed (${r.status ?? r.signal}):\n${r.stderr}`);
  try {
    return JSON.parse(readFileSync(out, 'utf8')) as ArgoReport;
  } finally {
    rmSync(out, { force: true });
  }
}

/** Runs `gitops render --format json=FILE`; a report or why there is none. */
export function runTool(repo: TestRepo): { report?: ToolReport; problem?: string } {
  const out = join(repo.dir, '..', `gitops-${process.pid}-${Date.now()}.json`);
  const r = runCli(['render', '--format', `json=${out}`], { cwd: repo.dir, env: { GITOPS_HELM_BIN: helmBin } });
  try {
    if (!existsSync(out)) return { problem: `gitops render --format json wrote no report (exit ${r.exitCode}): ${r.stderr.trim().split('\n').slice(0, 5).join(' / ')}` };
    return { report: JSON.parse(readFileSync(out, 'utf8')) as ToolReport };
  } finally {
    rmSync(out, { force: true });
  }
}

/** Writes a fixture's history and files as commits of a fresh repository. */
export function writeFixture(repo: TestRepo, fixture: { files: Record<string, string>; history?: Array<{ files: Record<string, string>; tag?: string }> }): void {
  for (const [i, step] of (fixture.history ?? []).entries()) {
    repo.commit(`history ${i + 1}`, step.files);
    if (step.tag) repo.tag(step.tag);
  }
  repo.commit('fixture', fixture.files);
}

