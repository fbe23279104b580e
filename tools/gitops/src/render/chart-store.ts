import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { extract } from 'tar';
import { parse as parseYaml } from 'yaml';
import { InternalError } from '../core/errors.js';
import type { TreeRef } from '../core/render/plan.js';
import type { FileRefusal, Snapshot } from '../core/repo/snapshot.js';
import { FULL_OBJECT_ID } from '../runners/git-objects.js';
import { commitSnapshot } from '../runners/snapshots.js';
import type { Git } from '../runners/git.js';
import type { HelmRunner } from '../runners/helm.js';
import { JSON_CODEC, ValueStore } from '../value-store.js';

/** A Git revision of this repository, resolved. */
export interface ResolvedRevision {
  commit: string;
  /** How it was found, for --show-command and messages. */
  via: 'tag' | 'chart history' | 'release' | 'ref' | 'snapshot';
}

export interface RevisionError {
  code: 'CHART_UNKNOWN' | 'CHART_VERSION_UNRELEASED' | 'SOURCE_UNSUPPORTED';
  error: string;
  hint: string;
}

/** A chart ready for `helm template`: its directory (dependencies built) and a content key. */
export interface MaterializedChart {
  dir: string;
  /** Changes whenever anything the render can read changes. */
  key: string;
}

/** A released chart version rebuilt offline: the package and where it is extracted. */
export interface ChartPackage extends MaterializedChart {
  /** The .tgz `helm package` made, as the release pushes it. */
  file: string;
}

const RELEASE_TAG = /^(.+)-(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/;

/**
 * Charts at pinned versions, from Git, offline. A version is the release tag <chart>-<version>
 * when there is one; otherwise the first commit whose Chart.yaml carries that version (the
 * commit that released it: an edit after release without a version bump changes nothing that
 * is pinned). Extracted charts are cached by Git tree id.
 */
export class ChartStore {
  private readonly versionIndex = new Map<string, Promise<Map<string, string>>>();
  private readonly charts = new Map<string, Promise<MaterializedChart | { error: string }>>();
  private readonly revisions = new Map<string, Promise<ResolvedRevision | RevisionError>>();
  private readonly packages = new Map<string, Promise<ChartPackage | { error: string }>>();
  private readonly listings: ValueStore<string[]>;
  private readonly histories: ValueStore<string[]>;
  private readonly commitFiles = new Map<string, Promise<Set<string>>>();
  private head?: Promise<string | undefined>;

  constructor(
    private readonly git: Git,
    /** Needed only to build dependencies and packages (located on first use); lint resolves versions without it. */
    private readonly helm: (() => Promise<HelmRunner>) | undefined,
    private readonly snapshot: Snapshot,
    private readonly cacheDir: string,
  ) {
    this.listings = new ValueStore(cacheDir, 'commit-files', JSON_CODEC);
    this.histories = new ValueStore(cacheDir, 'chart-histories', JSON_CODEC);
  }

  /** The commit a plan's chart is read at: the snapshot's, the release's, or the source's revision. */
  async resolveChart(chart: { path: string; revision: string; tree: TreeRef }): Promise<ResolvedRevision | RevisionError> {
    if (chart.tree.kind === 'release') return this.resolveRelease(chart.path, chart.tree.version);
    if (chart.tree.kind === 'revision') return this.resolve(chart.revision, chart.path);
    // The working tree's HEAD, once per run: every Application of a chart in the tree asks.
    this.head ??= this.git.resolveCommit('HEAD');
    return { commit: this.snapshot.commit ?? (await this.head) ?? '', via: 'snapshot' };
  }

  /**
   * Files at a commit, undefined where missing. The commit is listed once per run, so asking
   * every Application for files that rarely exist (`.argocd-source*.yaml`) costs no process.
   */
  async readFilesAt(commit: string, files: readonly string[]): Promise<Map<string, string | undefined>> {
    const present = await this.listFilesAt(commit);
    const texts = await this.git.readBlobs(files.filter((f) => present.has(f)).map((f) => `${commit}:${f}`));
    return new Map(files.map((f) => [f, texts.get(`${commit}:${f}`)]));
  }

  /** Every file of a commit, listed once per run; a commit named by full id is listed once for all runs (its tree never changes). */
  listFilesAt(commit: string): Promise<ReadonlySet<string>> {
    return once(this.commitFiles, commit, async () => {
      const kept = FULL_OBJECT_ID.test(commit) ? this.listings.get(commit) : undefined;
      if (Array.isArray(kept)) return new Set(kept);
      const files = await this.git.listCommitFiles(commit);
      if (FULL_OBJECT_ID.test(commit)) this.listings.set(commit, files);
      return new Set(files);
    });
  }

  /** Resolves a chart source's targetRevision to a commit. */
  resolve(revision: string, chartPath: string): Promise<ResolvedRevision | RevisionError> {
    const key = `${revision}\0${chartPath}`;
    return once(this.revisions, key, () => this.resolveUncached(revision, chartPath));
  }

  private async resolveUncached(revision: string, chartPath: string): Promise<ResolvedRevision | RevisionError> {
    const tag = await this.git.tagCommit(revision);
    if (tag) return { commit: tag, via: 'tag' };
    const release = RELEASE_TAG.exec(revision);
    const chartName = posix.basename(chartPath);
    if (release && release[1] === chartName) {
      const versions = await this.releasedVersions(chartPath);
      const commit = versions.get(release[2]!);
      if (commit) return { commit, via: 'chart history' };
      const known = [...versions.keys()];
      if (known.length === 0) {
        return {
          code: 'CHART_UNKNOWN',
          error: `there is no chart ${chartName}: ${chartPath}/Chart.yaml is not in this repository's history`,
          hint: `Use one of the charts under ${posix.dirname(chartPath)}/, or add the chart first.`,
        };
      }
      const shallow = await this.git.isShallow();
      return {
        code: 'CHART_VERSION_UNRELEASED',
        error: `${chartName} ${release[2]} is not released: no tag ${revision} and no commit where ${chartPath}/Chart.yaml has version ${release[2]}`,
        hint: shallow
          ? 'This clone is shallow: fetch the history and tags (`git fetch --unshallow --tags`, or actions/checkout with fetch-depth: 0).'
          : `Released versions: ${known.join(', ')}. Pin one of them, or release ${release[2]} first.`,
      };
    }
    const commit = await this.git.resolveCommit(revision);
    if (commit) return { commit, via: 'ref' };
    return { code: 'SOURCE_UNSUPPORTED', error: `targetRevision "${revision}" is not a tag, branch or commit of this repository`, hint: 'Fetch the ref, or fix the targetRevision.' };
  }

  /**
   * The commit that released `version` of the chart at `chartPath`: the first commit whose
   * Chart.yaml carries it. Tags are for people; this rule needs none, so it holds in any
   * clone with history.
   */
  async resolveRelease(chartPath: string, version: string): Promise<ResolvedRevision | RevisionError> {
    const chartName = posix.basename(chartPath);
    const versions = await this.releasedVersions(chartPath);
    const commit = versions.get(version) ?? versions.get(version.replace(/^v/, ''));
    if (commit) return { commit, via: 'release' };
    if (versions.size === 0) {
      return {
        code: 'CHART_UNKNOWN',
        error: `there is no chart ${chartName}: ${chartPath}/Chart.yaml is not in this repository's history`,
        hint: `Use one of the charts under ${posix.dirname(chartPath)}/, or add the chart first.`,
      };
    }
    const shallow = await this.git.isShallow();
    return {
      code: 'CHART_VERSION_UNRELEASED',
      error: `${chartName} ${version} is not released: no commit of ${chartPath}/Chart.yaml carries version ${version}, so the registry cannot have it and Argo CD would fail to pull it`,
      hint: shallow
        ? 'This clone is shallow: fetch the history (`git fetch --unshallow`, or actions/checkout with fetch-depth: 0).'
        : `Released versions: ${[...versions.keys()].join(', ')}. Pin one of them, or release ${version} first (bump version in ${chartPath}/Chart.yaml).`,
    };
  }

  /** Version -> first commit carrying it, over the history of the rendered snapshot. */
  releasedVersions(chartPath: string): Promise<Map<string, string>> {
    return once(this.versionIndex, chartPath, () => this.indexVersions(chartPath));
  }

  private async indexVersions(chartPath: string): Promise<Map<string, string>> {
    const head = await this.git.resolveCommit(this.snapshot.commit ?? 'HEAD');
    if (!head) return new Map();
    const file = `${chartPath}/Chart.yaml`;
    const commits = await this.commitsTouching(head, file);
    const blobs = await this.git.readBlobs(commits.map((c) => `${c}:${file}`));
    const versions = new Map<string, string>();
    for (const commit of commits) {
      const text = blobs.get(`${commit}:${file}`);
      const version = text === undefined ? undefined : chartVersion(text);
      if (version && !versions.has(version)) versions.set(version, commit);
    }
    return versions;
  }

  /** Commits of `head` that touched `file`, oldest first; kept between runs where the history behind a commit cannot change. */
  private async commitsTouching(head: string, file: string): Promise<string[]> {
    const fixed = this.git.historyIsFixed();
    const key = `${head}\0${file}`;
    const kept = fixed ? this.histories.get(key) : undefined;
    if (Array.isArray(kept)) return kept;
    const commits = await this.git.commitsTouching(head, file);
    if (fixed) this.histories.set(key, commits);
    return commits;
  }

  /**
   * The chart directory for `chartPath` at `commit` (or in the snapshot), laid out at its
   * repository path with every chart its file:// dependencies name (wherever they are in the
   * repository, as in Argo CD's checkout), and `helm dependency build` run once when a
   * dependency is missing (what Argo CD's repo-server does).
   */
  materialize(commit: string | undefined, chartPath: string): Promise<MaterializedChart | { error: string }> {
    const key = `${commit ?? 'snapshot'}\0${chartPath}`;
    return once(this.charts, key, () => this.materializeUncached(commit, chartPath));
  }

  private async materializeUncached(commit: string | undefined, chartPath: string): Promise<MaterializedChart | { error: string }> {
    const dirs = await this.dependencyClosure(commit, chartPath);
    if ('error' in dirs) return dirs;
    const hash = createHash('sha256');
    for (const d of dirs) {
      const id = commit ? await this.git.treeId(commit, d) : await this.snapshotKey(d);
      if (!id) return { error: `${d} does not exist at ${commit ? commit.slice(0, 12) : this.snapshot.label}` };
      hash.update(d).update('\0').update(id).update('\0');
    }
    const key = `${hash.digest('hex').slice(0, 40)}-${posix.basename(chartPath)}`;
    const dir = join(this.cacheDir, 'charts', key);
    const chartDir = join(dir, chartPath);
    if (existsSync(join(dir, '.complete'))) return { dir: chartDir, key };

    const error = await buildDirOnce(dir, async (tmp) => {
      for (const d of dirs) {
        if (commit) {
          // checkout-index writes symlinks as they are, and helm follows them: the tree goes
          // through the same guard as every other read before it is written out.
          const refused = await refusedIn(commitSnapshot(this.git, commit, commit.slice(0, 12)), d);
          if (refused) return `${refused.file} at ${commit.slice(0, 12)}: ${refused.message} (${refused.code})`;
          await this.git.exportTree(commit, d, join(tmp, d));
        } else await this.copyFromSnapshot(d, join(tmp, d));
      }
      const tmpChart = join(tmp, chartPath);
      if (await needsDependencyBuild(tmpChart)) {
        if (!this.helm) throw new InternalError('INTERNAL', 'ChartStore.materialize needs helm');
        const failed = await (await this.helm()).dependencyBuild(tmpChart);
        if (failed) return `helm dependency build failed for ${chartPath}: ${failed}`;
      }
      return undefined;
    });
    return error ? { error } : { dir: chartDir, key };
  }

  /** The chart and every chart its file:// dependencies reach, repository paths; none may leave the repository. */
  private async dependencyClosure(commit: string | undefined, chartPath: string): Promise<string[] | { error: string }> {
    const seen = new Set<string>();
    const queue = [chartPath];
    while (queue.length > 0) {
      const d = queue.shift()!;
      if (seen.has(d)) continue;
      seen.add(d);
      const file = `${d}/Chart.yaml`;
      const text = commit ? (await this.git.readBlobs([`${commit}:${file}`])).get(`${commit}:${file}`) : (await this.snapshot.readFiles([file])).get(file);
      if (text === undefined) return { error: `${file} not found${commit ? ` at ${commit.slice(0, 12)}` : ''}` };
      for (const dep of chartDependencies(text)) {
        if (!dep.repository?.startsWith('file://')) continue;
        const target = posix.normalize(posix.join(d, dep.repository.slice('file://'.length))).replace(/\/$/, '');
        if (target.startsWith('..') || posix.isAbsolute(target)) return { error: `${file}: dependency ${dep.name} (${dep.repository}) is outside the repository` };
        queue.push(target);
      }
    }
    return [...seen].sort();
  }

  /**
   * The package `helm package` makes of the chart at `commit` (or in the snapshot: the chart a
   * release would publish next; dependencies vendored under
   * charts/, .helmignore applied, Chart.yaml as helm writes it), extracted the way Argo CD's
   * repo-server extracts a pulled chart: `<dir>/<chart>/`. Cached by the chart tree's id.
   */
  packageAt(commit: string | undefined, chartPath: string): Promise<ChartPackage | { error: string }> {
    const key = `package\0${commit ?? 'snapshot'}\0${chartPath}`;
    return once(this.packages, key, () => this.packageUncached(commit, chartPath));
  }

  private async packageUncached(commit: string | undefined, chartPath: string): Promise<ChartPackage | { error: string }> {
    const source = await this.materialize(commit, chartPath);
    if ('error' in source) return source;
    const name = posix.basename(chartPath);
    const dir = join(this.cacheDir, 'packages', source.key);
    const file = join(dir, 'package.tgz');
    const extracted = join(dir, name);
    if (existsSync(join(dir, '.complete'))) return { dir: extracted, key: `pkg-${source.key}`, file };
    if (!this.helm) throw new InternalError('INTERNAL', 'ChartStore.packageAt needs helm');
    const helm = await this.helm();

    const error = await buildDirOnce(dir, async (tmp) => {
      const packaged = await helm.package(source.dir, tmp);
      if ('error' in packaged) return `helm package failed for ${chartPath} at ${commit ? commit.slice(0, 12) : this.snapshot.label}: ${packaged.error}`;
      await rename(packaged.file, join(tmp, 'package.tgz'));
      await extract({ file: join(tmp, 'package.tgz'), cwd: tmp, strict: true });
      return existsSync(join(tmp, name, 'Chart.yaml')) ? undefined : `the package of ${chartPath} has no ${name}/Chart.yaml`;
    });
    return error ? { error } : { dir: extracted, key: `pkg-${source.key}`, file };
  }

  private async snapshotKey(root: string): Promise<string | undefined> {
    const files = (await this.snapshot.listFiles()).filter((f) => f.startsWith(`${root}/`));
    if (files.length === 0) return undefined;
    const contents = await this.snapshot.readFiles(files);
    const hash = createHash('sha256');
    for (const f of files) hash.update(f).update('\0').update(contents.get(f) ?? '').update('\0');
    return `wt-${hash.digest('hex').slice(0, 40)}`;
  }

  private async copyFromSnapshot(root: string, dest: string): Promise<void> {
    const files = (await this.snapshot.listFiles()).filter((f) => f.startsWith(`${root}/`));
    const contents = await this.snapshot.readFiles(files);
    for (const f of files) {
      const text = contents.get(f);
      if (text === undefined) continue;
      const target = join(dest, posix.relative(root, f));
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, text);
    }
  }
}

/** The promise for `key`, started on first ask and shared by every later one. */
function once<T>(cache: Map<string, Promise<T>>, key: string, start: () => Promise<T>): Promise<T> {
  let hit = cache.get(key);
  if (!hit) {
    hit = start();
    cache.set(key, hit);
  }
  return hit;
}

/**
 * Builds a cache directory once: `build` fills a temporary sibling (returning an error message
 * to give up), which is then renamed into place with a `.complete` marker. A process that lost
 * the race to another building the same content keeps theirs: it is identical.
 */
async function buildDirOnce(dir: string, build: (tmp: string) => Promise<string | undefined>): Promise<string | undefined> {
  if (existsSync(join(dir, '.complete'))) return undefined;
  const tmp = `${dir}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await mkdir(tmp, { recursive: true });
    const error = await build(tmp);
    if (error) return error;
    await writeFile(join(tmp, '.complete'), '');
    await mkdir(dirname(dir), { recursive: true });
    try {
      await rename(tmp, dir);
    } catch (err) {
      if (!existsSync(join(dir, '.complete'))) throw err;
    }
    return undefined;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

function chartDependencies(text: string): { name?: string; repository?: string }[] {
  try {
    const data = parseYaml(text) as { dependencies?: unknown } | null;
    return Array.isArray(data?.dependencies) ? (data.dependencies as { name?: string; repository?: string }[]) : [];
  } catch {
    // helm reports a broken Chart.yaml itself, at render time.
    return [];
  }
}

/** The first file under `root` the guard refuses, if any. */
async function refusedIn(snapshot: Snapshot, root: string): Promise<FileRefusal | undefined> {
  const files = (await snapshot.listFiles()).filter((f) => f.startsWith(`${root}/`));
  for (const read of (await snapshot.readFilesChecked(files)).values()) if (read.kind === 'refused') return read.refusal;
  return undefined;
}

function chartVersion(text: string): string | undefined {
  try {
    const data = parseYaml(text) as { version?: unknown } | null;
    return data && data.version !== undefined ? String(data.version) : undefined;
  } catch {
    // A broken Chart.yaml in some old commit is not a release.
    return undefined;
  }
}

async function needsDependencyBuild(chartDir: string): Promise<boolean> {
  let chart: { dependencies?: unknown } | null;
  try {
    chart = parseYaml(await readFile(join(chartDir, 'Chart.yaml'), 'utf8')) as { dependencies?: unknown } | null;
  } catch {
    // A Chart.yaml that does not parse is helm's error to report, at render.
    return false;
  }
  const deps = Array.isArray(chart?.dependencies) ? (chart.dependencies as { name: string }[]) : [];
  if (deps.length === 0) return false;
  const present = existsSync(join(chartDir, 'charts')) ? await readdir(join(chartDir, 'charts')) : [];
  return deps.some((d) => !present.some((entry) => entry === d.name || (entry.startsWith(`${d.name}-`) && entry.endsWith('.tgz'))));
}
