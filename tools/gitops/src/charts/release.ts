import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Finding } from '../core/findings.js';
import { ChartStore } from '../render/chart-store.js';
import { diffPackageFiles, packageFiles } from '../render/chart-package.js';
import type { HelmRunner, RegistryAccess } from '../runners/helm.js';
import type { Workspace } from '../workspace.js';

/** One released chart version: the commit that released it and what happened to it in the registry. */
export interface ChartRelease {
  chart: string;
  version: string;
  commit: string;
  /** published: pushed now; present: the registry has the same package; pending: --dry-run would push it; conflict: the registry has other content. */
  status: 'published' | 'present' | 'pending' | 'conflict';
  /** Files that differ, for a conflict. */
  differences?: string[];
  /** The release tag, when this run created it. */
  tagged?: string;
}

export interface RegistryTarget extends RegistryAccess {
  /** oci://host/path */
  registry: string;
}

/** Every version of every chart under charts.dir: version -> the first commit whose Chart.yaml carries it. */
export async function releasedVersions(ws: Workspace, charts: ChartStore, only: readonly string[]): Promise<{ chart: string; path: string; version: string; commit: string }[]> {
  const dir = ws.model.config.charts?.dir ?? 'platform-charts';
  const names = ws.model.files
    .map((f) => new RegExp(`^${escapeRegExp(dir)}/([^/]+)/Chart\\.yaml$`).exec(f)?.[1])
    .filter((n): n is string => n !== undefined && (only.length === 0 || only.includes(n)));
  const out: { chart: string; path: string; version: string; commit: string }[] = [];
  for (const chart of [...new Set(names)].sort()) {
    const path = `${dir}/${chart}`;
    for (const [version, commit] of await charts.releasedVersions(path)) out.push({ chart, path, version, commit });
  }
  return out;
}

/**
 * Publishes every released version the registry lacks. A version it already has must be the
 * same package, file for file: a release is immutable, so a difference is a finding, never an
 * overwrite. Versions are pushed in history order, libraries included.
 */
export async function releaseCharts(
  ws: Workspace,
  helm: HelmRunner,
  target: RegistryTarget,
  options: { only: readonly string[]; dryRun: boolean },
): Promise<{ releases: ChartRelease[]; findings: Finding[] }> {
  const charts = new ChartStore(ws.git, async () => helm, ws.snapshot, ws.cacheDir);
  const releases: ChartRelease[] = [];
  const findings: Finding[] = [];
  const scratch = await mkdtemp(join(tmpdir(), 'gitops-release-'));
  try {
    for (const { chart, path, version, commit } of await releasedVersions(ws, charts, options.only)) {
      const pkg = await charts.packageAt(commit, path);
      if ('error' in pkg) {
        findings.push({ code: 'CHART_DEPENDENCY', severity: 'error', message: `${chart} ${version}: ${pkg.error}`, location: { file: `${path}/Chart.yaml` } });
        continue;
      }
      const ref = `${target.registry}/${chart}`;
      const pulled = await helm.pull(ref, version, await mkdtemp(join(scratch, 'pull-')), target);
      const release: ChartRelease = { chart, version, commit, status: 'present' };
      if ('notFound' in pulled) {
        release.status = options.dryRun ? 'pending' : 'published';
        if (!options.dryRun) await helm.push(pkg.file, target.registry, target);
      } else {
        const differences = diffPackageFiles(await packageFiles(pkg.file), await packageFiles(pulled.file));
        if (differences.length > 0) {
          release.status = 'conflict';
          release.differences = differences;
          findings.push(conflictFinding(path, chart, version, commit, ref, differences));
        }
      }
      if (release.status !== 'conflict' && !options.dryRun) release.tagged = await tagRelease(ws, chart, version, commit, findings, path);
      releases.push(release);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return { releases, findings };
}

/** Pulls every version a service pins and compares it with the package rebuilt from its commit. */
export async function verifyPins(ws: Workspace, helm: HelmRunner, target: RegistryTarget, only: readonly string[]): Promise<{ releases: ChartRelease[]; findings: Finding[] }> {
  const charts = new ChartStore(ws.git, async () => helm, ws.snapshot, ws.cacheDir);
  const dir = ws.model.config.charts?.dir ?? 'platform-charts';
  const pinned = new Map<string, { chart: string; version: string; services: string[] }>();
  for (const service of ws.model.services.values()) {
    if (only.length > 0 && !only.includes(service.chart)) continue;
    for (const [env, release] of Object.entries(service.releases)) {
      const key = `${service.chart}@${release.chart}`;
      const entry = pinned.get(key) ?? { chart: service.chart, version: String(release.chart), services: [] };
      entry.services.push(`${service.name}/${env}`);
      pinned.set(key, entry);
    }
  }
  const releases: ChartRelease[] = [];
  const findings: Finding[] = [];
  const scratch = await mkdtemp(join(tmpdir(), 'gitops-verify-'));
  try {
    for (const { chart, version, services } of [...pinned.values()].sort((a, b) => a.chart.localeCompare(b.chart) || a.version.localeCompare(b.version))) {
      const path = `${dir}/${chart}`;
      const resolved = await charts.resolveRelease(path, version);
      if ('error' in resolved) {
        findings.push({ code: resolved.code, severity: 'error', message: `${chart} ${version} (pinned by ${services.join(', ')}): ${resolved.error}`, hint: resolved.hint, location: { file: `${path}/Chart.yaml` } });
        continue;
      }
      const pkg = await charts.packageAt(resolved.commit, path);
      if ('error' in pkg) {
        findings.push({ code: 'CHART_DEPENDENCY', severity: 'error', message: `${chart} ${version}: ${pkg.error}`, location: { file: `${path}/Chart.yaml` } });
        continue;
      }
      const ref = `${target.registry}/${chart}`;
      const pulled = await helm.pull(ref, version, await mkdtemp(join(scratch, 'pull-')), target);
      if ('notFound' in pulled) {
        findings.push({
          code: 'CHART_NOT_PUBLISHED',
          severity: 'error',
          message: `${ref} has no version ${version}, pinned by ${services.join(', ')}: Argo CD cannot pull it`,
          hint: 'Run the release-charts workflow (gitops chart release) on the default branch.',
          location: { file: `${path}/Chart.yaml` },
        });
        releases.push({ chart, version, commit: resolved.commit, status: 'pending' });
        continue;
      }
      const differences = diffPackageFiles(await packageFiles(pkg.file), await packageFiles(pulled.file));
      if (differences.length > 0) findings.push(conflictFinding(path, chart, version, resolved.commit, ref, differences));
      releases.push({ chart, version, commit: resolved.commit, status: differences.length > 0 ? 'conflict' : 'present', ...(differences.length > 0 ? { differences } : {}) });
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return { releases, findings };
}

function conflictFinding(path: string, chart: string, version: string, commit: string, ref: string, differences: string[]): Finding {
  const shown = differences.slice(0, 10).join(', ') + (differences.length > 10 ? ` and ${differences.length - 10} more` : '');
  return {
    code: 'CHART_REGISTRY_MISMATCH',
    severity: 'error',
    message: `${ref}:${version} is not the package of ${chart} ${version} released at ${commit.slice(0, 12)}: ${shown} differ`,
    hint: 'A released version is immutable. Find out who pushed it; then release the change as a new version (bump version in Chart.yaml) instead of overwriting.',
    location: { file: `${path}/Chart.yaml` },
  };
}

/** Tags the release commit for people (`<chart>-<version>`); a tag already elsewhere is a warning, not moved. */
async function tagRelease(ws: Workspace, chart: string, version: string, commit: string, findings: Finding[], path: string): Promise<string | undefined> {
  const tag = `${chart}-${version}`;
  const existing = await ws.git.tagCommit(tag);
  if (existing === commit) return undefined;
  if (existing) {
    findings.push({
      code: 'CHART_TAG_MISMATCH',
      severity: 'warning',
      message: `tag ${tag} points at ${existing.slice(0, 12)}, but ${chart} ${version} was released at ${commit.slice(0, 12)} (the first commit whose Chart.yaml carries it)`,
      hint: `The tag is informational and left as it is; move it with \`git tag -f ${tag} ${commit.slice(0, 12)}\` if it misleads people.`,
      location: { file: `${path}/Chart.yaml` },
    });
    return undefined;
  }
  await ws.git.createTag(tag, commit, `${chart} ${version}`);
  return tag;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
