import semver from 'semver';
import type { Finding, SourceLocation } from '../core/findings.js';
import { locate, parseYamlMapping } from '../core/yaml/parse-yaml.js';
import { diffPackageFiles, packageFiles } from '../render/chart-package.js';
import type { ChartStore } from '../render/chart-store.js';
import type { ChartSide } from './check-charts.js';

/** Where a Chart.yaml key is written (the file when it does not parse). */
export function chartYamlAt(chart: ChartSide, path: (string | number)[], which: 'key' | 'value' = 'value'): SourceLocation {
  return chart.doc ? locate(chart.doc, path, which) : { file: `${chart.dir}/Chart.yaml` };
}

/**
 * A chart whose package changes must raise `version` (semver): Argo CD and the registry know a
 * chart by its version, and the release rule gives each version the first commit carrying it.
 */
export function versionFindings(head: ChartSide, base: ChartSide | undefined, reasons: readonly string[], baseLabel: string): Finding[] {
  const at = chartYamlAt(head, ['version']);
  if (!head.version || !semver.valid(head.version)) {
    return [{ code: 'CHART_VERSION_INVALID', severity: 'error', message: `${head.name}: version "${head.version ?? ''}" is not a semantic version`, hint: 'Write MAJOR.MINOR.PATCH, e.g. 1.2.0 (helm and OCI registries require SemVer 2).', location: at }];
  }
  // A new chart needs no bump; a base version that was not SemVer can only be replaced.
  if (!base?.version || !semver.valid(base.version) || semver.gt(head.version, base.version)) return [];
  const why = reasons.slice(0, 5).join(', ') + (reasons.length > 5 ? `, and ${reasons.length - 5} more` : '');
  const lower = semver.lt(head.version, base.version);
  return [
    {
      code: 'CHART_VERSION_NOT_BUMPED',
      severity: 'error',
      message: `${head.name} changed since ${baseLabel} (${why}) but its version ${lower ? `went down from ${base.version} to` : 'is still'} ${head.version}`,
      hint: `Raise version in ${head.dir}/Chart.yaml above ${base.version}: ${semver.inc(base.version, 'patch')} for a fix, ${semver.inc(base.version, 'minor')} for a feature, ${semver.inc(base.version, 'major')} for a breaking change. Released versions never change.`,
      location: at,
    },
  ];
}

/**
 * A released version's content never changes: the package the head would publish under its
 * version must have the files of the package of the first commit carrying that version.
 */
export async function releaseFindings(head: ChartSide, store: ChartStore, headCommit: string | undefined): Promise<Finding[]> {
  if (!head.version || !semver.valid(head.version)) return [];
  const release = await store.resolveRelease(head.dir, head.version);
  if ('error' in release || release.commit === headCommit) return [];
  const changed = await packageDiff(store, head.dir, release.commit);
  // A package that cannot be built is reported by the dependency and render checks.
  if (!changed || changed.length === 0) return [];
  const files = changed.slice(0, 8);
  return [
    {
      code: 'CHART_RELEASE_CHANGED',
      severity: 'error',
      message: `${head.name} ${head.version} was released at ${release.commit.slice(0, 12)} (the first commit whose Chart.yaml carries it) and its content has changed since: ${files.join(', ')}${changed.length > files.length ? `, and ${changed.length - files.length} more` : ''}`,
      hint: `Raise version in ${head.dir}/Chart.yaml: consumers pinning ${head.version} keep rendering the released content. A fix made on the same branch as the bump is also a change: squash it into the commit that raised the version, or bump again.`,
      location: chartYamlAt(head, ['version']),
    },
  ];
}

/**
 * The files (chart-relative) in which the package the head would publish differs from the
 * package of `commit`; undefined when either cannot be built. Packages, not sources: a file
 * .helmignore leaves out changes nothing a consumer gets, and a vendored library's change
 * shows as charts/<library>/….
 */
export async function packageDiff(store: ChartStore, dir: string, commit: string): Promise<string[] | undefined> {
  const [before, after] = await Promise.all([store.packageAt(commit, dir), store.packageAt(undefined, dir)]);
  if ('error' in before || 'error' in after) return undefined;
  return diffPackageFiles(await packageFiles(before.file), await packageFiles(after.file)).map((f) => f.replace(/^[^/]+\//, ''));
}

/**
 * Chart.lock agrees with Chart.yaml (each dependency locked at a version its constraint
 * allows, no stale entry), and each file:// dependency resolves to a chart of that name
 * whose version satisfies the constraint, as `helm dependency build` requires.
 */
export function dependencyFindings(head: ChartSide, charts: Map<string, ChartSide>): Finding[] {
  const findings: Finding[] = [];
  const lockFile = `${head.dir}/Chart.lock`;
  const lockDoc = head.lock === undefined ? undefined : parseYamlMapping(lockFile, head.lock).doc;
  const locked = lockDoc ? (((lockDoc.data as { dependencies?: unknown }).dependencies ?? []) as { name?: string; version?: string; repository?: string }[]) : [];
  const lockAt = (path: (string | number)[]): SourceLocation => (lockDoc ? locate(lockDoc, path) : { file: lockFile });
  const relock = `Run \`helm dependency update ${head.dir}\` and commit Chart.lock.`;

  for (const dep of head.dependencies) {
    const depAt = chartYamlAt(head, ['dependencies', dep.index]);
    if (dep.localDir) {
      const target = [...charts.values()].find((c) => c.dir === dep.localDir);
      if (!target) {
        findings.push({ code: 'CHART_DEPENDENCY_UNRESOLVED', severity: 'error', message: `${head.name}: dependency ${dep.name} (${dep.repository}) names ${dep.localDir}, which holds no chart`, hint: 'Point repository at the chart directory, e.g. file://../platform-lib.', location: depAt });
      } else if (target.name !== dep.name) {
        findings.push({ code: 'CHART_DEPENDENCY_UNRESOLVED', severity: 'error', message: `${head.name}: dependency ${dep.name} (${dep.repository}) is the chart ${target.name}`, hint: `Name the dependency ${target.name}, or use alias: to rename it.`, location: depAt });
      } else if (dep.version && target.version && !satisfies(target.version, dep.version)) {
        findings.push({
          code: 'CHART_DEPENDENCY_UNRESOLVED',
          severity: 'error',
          message: `${head.name}: dependency ${dep.name} ${dep.version} does not resolve: ${target.dir} is version ${target.version}`,
          hint: `Set the dependency's version to ${target.version} (or a range that allows it), then ${relock.charAt(0).toLowerCase()}${relock.slice(1)}`,
          location: chartYamlAt(head, ['dependencies', dep.index, 'version']),
        });
      }
    }
    if (!lockDoc) continue;
    const i = locked.findIndex((l) => l.name === dep.name && (l.repository ?? '') === (dep.repository ?? ''));
    const entry = locked[i];
    if (!entry) {
      findings.push({ code: 'CHART_LOCK_MISMATCH', severity: 'error', message: `${head.name}: Chart.lock has no entry for dependency ${dep.name} (${dep.repository ?? 'no repository'})`, hint: relock, location: lockAt(['dependencies']) });
    } else if (dep.version && entry.version && !satisfies(String(entry.version), dep.version)) {
      findings.push({ code: 'CHART_LOCK_MISMATCH', severity: 'error', message: `${head.name}: Chart.lock locks ${dep.name} at ${entry.version}, which Chart.yaml's ${dep.version} does not allow`, hint: relock, location: lockAt(['dependencies', i, 'version']) });
    }
  }
  for (const [i, entry] of locked.entries()) {
    if (!head.dependencies.some((d) => d.name === entry.name && (d.repository ?? '') === (entry.repository ?? ''))) {
      findings.push({ code: 'CHART_LOCK_MISMATCH', severity: 'error', message: `${head.name}: Chart.lock locks ${entry.name ?? '(no name)'}, which Chart.yaml no longer lists`, hint: relock, location: lockAt(['dependencies', i]) });
    }
  }
  return findings;
}

/** helm's constraint check: an exact version or a range, prereleases allowed when the range names one. */
function satisfies(version: string, constraint: string): boolean {
  const range = semver.validRange(constraint);
  return range ? semver.satisfies(version, range, { includePrerelease: /-/.test(constraint) }) : version === constraint;
}
