import { posix } from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import type { Application, ApplicationSource } from '../appset/application.js';
import type { Finding, SourceLocation } from '../findings.js';
import type { Environment, RepoModel } from '../repo/model.js';

/**
 * Which tree a file is read from: the snapshot being rendered, a Git revision of this repo, or
 * a released chart package (the chart directory at the first commit carrying that version).
 */
export type TreeRef = { kind: 'snapshot' } | { kind: 'revision'; revision: string } | { kind: 'release'; chart: string; version: string };

export interface ValueFileRef {
  /** As written in the Application (e.g. $values/services/orders/values.yaml). */
  raw: string;
  /** Repository-relative path inside `tree`. */
  path: string;
  tree: TreeRef;
  /** ignoreMissingValueFiles: a missing file is skipped, as Argo CD does. */
  optional: boolean;
}

/** Everything needed to run Argo CD's `helm template` for one Application, before Git is read. */
export interface RenderPlan {
  app: Application;
  env: Environment;
  /** services/<name> that generated the Application, when it came from a service.yaml. */
  service: string;
  chart: {
    /** The chart's name (its directory name). */
    name: string;
    /** Chart directory, repository-relative. */
    path: string;
    /** targetRevision of the chart source: a chart version for a registry source. */
    revision: string;
    tree: TreeRef;
    /** The registry (Helm OCI repoURL, no scheme) when Argo CD pulls the chart as a released package. */
    registry?: string;
    /** Where the revision is written (e.g. the release pin in service.yaml), most specific first. */
    origin: SourceLocation[];
    /** Where the chart's name is written (service.yaml `chart:` for a templated name). */
    nameOrigin: SourceLocation;
  };
  releaseName: string;
  namespace: string;
  kubeVersion: string;
  apiVersions: string[];
  /** helm.parameters, deduplicated by name (Argo CD keeps them in a map). */
  set: [string, string][];
  setString: [string, string][];
  valueFiles: ValueFileRef[];
  /** helm.valuesObject / helm.values, passed last as its own values file. */
  extraValues?: string;
  skipCrds: boolean;
  skipSchemaValidation: boolean;
  skipTests: boolean;
  /** ARGOCD_APP_* variables other than the revision, which Git resolves later. */
  envVars: Record<string, string>;
}

const SERVICE_FILE = /^services\/([^/]+)\/service\.yaml$/;

/** Builds the render plan of one Application, or the findings that stop it. */
export function planApplication(app: Application, repo: RepoModel): { plan?: RenderPlan; findings: Finding[] } {
  const spec = app.manifest.spec;
  const service = SERVICE_FILE.exec(app.paramsFile ?? '')?.[1] ?? app.name;
  const finding = (code: Finding['code'], message: string, field: string, hint?: string): { findings: Finding[] } => ({
    findings: [{ code, severity: 'error', message: `${app.name}: ${message}`, hint, location: originFor(app, field), application: app.name, service }],
  });

  const env = findEnvironment(repo, spec.destination);
  if (!env) {
    const dest = spec.destination?.name ?? spec.destination?.server ?? '(none)';
    return finding('APP_NO_ENVIRONMENT', `destination cluster "${dest}" is not the cluster of any environment`, 'spec.destination', 'Set cluster.name / cluster.server in environments/<env>/environment.yaml to the destination Argo CD uses.');
  }

  const sources = spec.sources ?? (spec.source ? [spec.source] : []);
  const sourcesField = spec.sources ? 'spec.sources' : 'spec.source';
  const chartSources = sources.map((s, i) => [s, i] as const).filter(([s]) => !s.ref || s.path || s.chart);
  if (chartSources.length !== 1) {
    return finding('SOURCE_UNSUPPORTED', `expected exactly one chart source, found ${chartSources.length}`, sourcesField);
  }
  const [source, index] = chartSources[0]!;
  const field = spec.sources ? `spec.sources.${index}` : 'spec.source';
  const conflict = revisionConflict(sources, index);
  if (conflict) return finding('SOURCE_REVISION_CONFLICT', conflict, `${sourcesField}.${sources.indexOf(sources.find((s) => s.ref)!)}.targetRevision`, 'A multi-source Application reads each repository at one revision: take the chart from the chart registry (charts.registry in gitops.yaml), or give every source of this repository the same targetRevision.');
  const target = chartTarget(source, field, repo);
  if ('error' in target) return finding('SOURCE_UNSUPPORTED', target.error, target.field, target.hint);
  const { chartPath, chartTree, registry } = target;

  const helm = source.helm ?? {};
  const revision = source.targetRevision ?? 'HEAD';
  const refs = new Map(sources.filter((s) => s.ref).map((s) => [`$${s.ref}`, s] as const));

  const valueFiles: ValueFileRef[] = [];
  for (const [i, raw] of (helm.valueFiles ?? []).entries()) {
    const resolved = resolveValueFile(raw, chartPath, chartTree, refs, repo);
    if ('error' in resolved) {
      return finding(resolved.code, resolved.error, `${field}.helm.valueFiles.${i}`, resolved.hint);
    }
    // The repo-server passes each resolved file once, at its first position.
    if (valueFiles.some((v) => v.path === resolved.path && JSON.stringify(v.tree) === JSON.stringify(resolved.tree))) continue;
    valueFiles.push({ raw, path: resolved.path, tree: resolved.tree, optional: helm.ignoreMissingValueFiles === true });
  }
  if ((helm.fileParameters ?? []).length > 0) return finding('SOURCE_UNSUPPORTED', 'helm.fileParameters are not rendered yet', `${field}.helm.fileParameters`);

  const set = new Map<string, string>();
  const setString = new Map<string, string>();
  for (const p of helm.parameters ?? []) (p.forceString ? setString : set).set(p.name, p.value ?? '');

  const destinationNamespace = spec.destination?.namespace ?? '';
  const namespace = helm.namespace || destinationNamespace;
  const kubeVersion = normalizeKubeVersion(helm.kubeVersion || env.kubernetesVersion);
  if (kubeVersion === undefined) return finding('SOURCE_UNSUPPORTED', `Kubernetes version "${helm.kubeVersion || env.kubernetesVersion}" is not a version Argo CD can parse`, helm.kubeVersion ? `${field}.helm.kubeVersion` : 'spec.destination');
  return {
    findings: [],
    plan: {
      app,
      env,
      service,
      chart: {
        name: posix.basename(chartPath),
        path: chartPath,
        revision,
        tree: chartTree,
        registry,
        origin: [...(app.origins.get(`${field}.targetRevision`) ?? []), app.templateLocation],
        nameOrigin: originFor(app, source.chart !== undefined ? `${field}.chart` : `${field}.path`),
      },
      // Argo CD uses the name part of "<namespace>_<name>" application names.
      releaseName: helm.releaseName || app.name.split('_').pop()!,
      namespace,
      kubeVersion,
      apiVersions: helm.apiVersions ? [...helm.apiVersions] : clusterApiVersions(env.apiVersions),
      set: [...set].sort(([a], [b]) => a.localeCompare(b)),
      setString: [...setString].sort(([a], [b]) => a.localeCompare(b)),
      valueFiles,
      extraValues: extraValues(helm),
      skipCrds: helm.skipCrds === true,
      skipSchemaValidation: helm.skipSchemaValidation === true,
      skipTests: helm.skipTests === true,
      // reposerver newEnv: the namespace is the destination's, not helm.namespace.
      envVars: {
        ARGOCD_APP_NAME: app.name,
        ARGOCD_APP_NAMESPACE: destinationNamespace,
        ARGOCD_APP_PROJECT_NAME: spec.project ?? '',
        ARGOCD_APP_SOURCE_REPO_URL: source.repoURL ?? '',
        ARGOCD_APP_SOURCE_PATH: source.path ?? '',
        ARGOCD_APP_SOURCE_TARGET_REVISION: revision,
      },
    },
  };
}

/** Where a field of the Application came from: the values line a person edits, else the template. */
export function originFor(app: Application, field: string): SourceLocation {
  for (let f = field; f; f = f.includes('.') ? f.slice(0, f.lastIndexOf('.')) : '') {
    const origin = app.origins.get(f)?.[0];
    if (origin) return origin;
  }
  for (const [key, locations] of app.origins) if (key.startsWith(`${field}.`) && locations[0]) return locations[0];
  return app.templateLocation;
}

function findEnvironment(repo: RepoModel, dest: { name?: string; server?: string } | undefined): Environment | undefined {
  if (!dest) return undefined;
  for (const env of repo.environments.values()) {
    if ((dest.name && dest.name === env.cluster.name) || (dest.server && dest.server === env.cluster.server)) return env;
  }
  return undefined;
}

type ChartTarget = { chartPath: string; chartTree: TreeRef; registry?: string } | { error: string; field: string; hint?: string };

const CHART_NAME = /^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/;
const EXACT_VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/**
 * Where the chart comes from: a released package in the chart registry (Argo CD pulls
 * `oci://<repoURL>/<chart>` at that version), or a chart directory of this repository.
 */
function chartTarget(source: ApplicationSource, field: string, repo: RepoModel): ChartTarget {
  const charts = repo.config.charts;
  if (source.chart !== undefined) {
    const url = source.repoURL ?? '';
    if (url.startsWith('oci://')) {
      return { error: `repoURL "${url}" starts with oci://, which Argo CD reads as an OCI artifact, not a Helm chart`, field: `${field}.repoURL`, hint: `Write the registry without the scheme: repoURL: ${url.slice('oci://'.length)}.` };
    }
    if (!charts) return { error: `Helm chart "${source.chart}" from ${url} cannot be rendered offline: gitops.yaml names no chart registry`, field: `${field}.repoURL`, hint: 'Add charts.registry (oci://<host>/<path>) to gitops.yaml: released platform charts are rebuilt from this repository.' };
    if (normalizeRegistry(url) !== normalizeRegistry(charts.repoURL)) {
      return { error: `Helm chart "${source.chart}" comes from ${url}, not from this repository's chart registry ${charts.repoURL}: it cannot be rendered offline`, field: `${field}.repoURL`, hint: `Use repoURL: ${charts.repoURL}.` };
    }
    if (!CHART_NAME.test(source.chart)) return { error: `chart "${source.chart}" is not a chart name`, field: `${field}.chart` };
    if (source.path) return { error: 'a registry chart source takes no path', field: `${field}.path`, hint: 'Remove path: Argo CD renders the pulled package itself.' };
    const version = source.targetRevision ?? '';
    if (!EXACT_VERSION.test(version)) {
      return { error: `targetRevision "${version}" of chart ${source.chart} is not an exact chart version`, field: `${field}.targetRevision`, hint: 'Pin an exact released version (e.g. 1.2.0): a range would resolve against the registry at sync time, which no offline render can match.' };
    }
    return { chartPath: `${charts.dir}/${source.chart}`, chartTree: { kind: 'release', chart: source.chart, version }, registry: charts.repoURL };
  }
  if (normalizeGitUrl(source.repoURL ?? '') !== normalizeGitUrl(repo.config.repoURL)) {
    return { error: `source repoURL "${source.repoURL}" is not this repository (${repo.config.repoURL})`, field: `${field}.repoURL` };
  }
  if (source.kustomize || source.directory || source.plugin || !source.path) {
    return { error: 'only Helm chart sources (path to a chart, or a chart from the chart registry) are rendered', field };
  }
  const chartPath = posix.normalize(source.path).replace(/\/$/, '');
  if (chartPath.startsWith('..') || posix.isAbsolute(chartPath)) return { error: `source path "${source.path}" is outside the repository`, field: `${field}.path` };
  return { chartPath, chartTree: treeOf(source.targetRevision ?? 'HEAD', repo) };
}

/**
 * The repo-server's checks on a multi-source Application (reposerver/repository): a `$ref`
 * source of the chart's own repository at another revision, or two `$ref` sources of one
 * repository at different revisions, make the whole Application fail.
 */
function revisionConflict(sources: readonly ApplicationSource[], chartIndex: number): string | undefined {
  const chart = sources[chartIndex]!;
  const referenced = new Set((chart.helm?.valueFiles ?? []).filter((f) => f.startsWith('$')).map((f) => f.split('/')[0]!.slice(1)));
  const seen = new Map<string, ApplicationSource>();
  for (const ref of sources) {
    if (!ref.ref || !referenced.has(ref.ref) || ref.chart) continue;
    const url = normalizeGitUrl(ref.repoURL ?? '');
    const prev = seen.get(url);
    if (prev && (prev.targetRevision ?? '') !== (ref.targetRevision ?? '')) {
      return `cannot reference multiple revisions for the same repository ($${ref.ref} references "${ref.targetRevision ?? ''}" while $${prev.ref} references "${prev.targetRevision ?? ''}")`;
    }
    seen.set(url, ref);
    if (chart.chart === undefined && url === normalizeGitUrl(chart.repoURL ?? '') && !sameRevision(ref.targetRevision, chart.targetRevision)) {
      return `cannot reference a different revision of the same repository ($${ref.ref} references "${ref.targetRevision ?? 'HEAD'}" while the application references "${chart.targetRevision ?? 'HEAD'}")`;
    }
  }
  return undefined;
}

/**
 * Argo CD compares the commits both revisions resolve to. Without a fetch the tool can only
 * tell that equal names (or HEAD and an empty revision) agree: anything else is refused, never
 * guessed to be the same commit.
 */
function sameRevision(a: string | undefined, b: string | undefined): boolean {
  const norm = (r: string | undefined) => (r === undefined || r === '' ? 'HEAD' : r);
  return norm(a) === norm(b);
}

/** Argo CD's git.NormalizeGitURL: case, surrounding space and a .git suffix do not make another repository. */
export function normalizeGitUrl(url: string): string {
  let u = url.trim().toLowerCase();
  const scp = /^([\w.-]+@[\w.-]+):(?!\/\/)(.*)$/.exec(u);
  if (scp) u = `${scp[1]}/${scp[2]}`;
  return u.replace(/\.git$/, '').replace(/^ssh:\/\//, '');
}

function normalizeRegistry(url: string): string {
  return url.trim().toLowerCase().replace(/\/+$/, '');
}

/**
 * Argo CD's parseKubeVersion (k8s ParseGeneric, then String): a leading v and anything after
 * the numeric components (`+k3s1`, `-eks-1`) are dropped. Undefined when it does not parse.
 */
export function normalizeKubeVersion(version: string): string | undefined {
  if (version === '') return '';
  const m = /^\s*v?([0-9]+(?:\.[0-9]+)*)(.*)$/s.exec(version);
  if (!m) return undefined;
  const parts = m[1]!.split('.');
  if (parts.length < 2 || (parts[0]!.length > 1 && parts[0]!.startsWith('0'))) return undefined;
  return parts.map((p) => String(Number(p))).join('.');
}

/**
 * What the application controller passes for a cluster (argo.APIResourcesToStrings): every
 * group/version it serves and every group/version/Kind, unique and sorted. A cluster that
 * serves a Kind serves its group/version too, whether environment.yaml lists it or not.
 */
export function clusterApiVersions(listed: readonly string[]): string[] {
  const all = new Set<string>();
  for (const entry of listed) {
    all.add(entry);
    const parts = entry.split('/');
    if (parts.length === 3) all.add(`${parts[0]}/${parts[1]}`);
  }
  return [...all].sort();
}

/** HEAD and the tracked branch are "this snapshot"; anything else is a Git revision. */
function treeOf(revision: string, repo: RepoModel): TreeRef {
  return revision === '' || revision === 'HEAD' || revision === repo.config.defaultBranch ? { kind: 'snapshot' } : { kind: 'revision', revision };
}

type Resolved = { path: string; tree: TreeRef } | { error: string; code: Finding['code']; hint?: string };

/**
 * Argo CD's value file resolution: `$ref/...` is relative to the root of the referenced
 * source, anything else to the chart directory (or the repo root when absolute). Neither
 * may leave its repository.
 */
function resolveValueFile(raw: string, chartPath: string, chartTree: TreeRef, refs: Map<string, ApplicationSource>, repo: RepoModel): Resolved {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    return { code: 'SOURCE_UNSUPPORTED', error: `remote value file ${raw} cannot be rendered offline`, hint: 'Keep value files in this repository.' };
  }
  const refName = raw.startsWith('$') ? raw.split('/')[0]! : '';
  const ref = refs.get(refName);
  let base: string;
  let rest: string;
  let tree: TreeRef;
  if (ref) {
    if (normalizeGitUrl(ref.repoURL ?? '') !== normalizeGitUrl(repo.config.repoURL)) return { code: 'SOURCE_UNSUPPORTED', error: `${refName} refers to another repository (${ref.repoURL})` };
    base = '';
    rest = raw.slice(refName.length);
    tree = treeOf(ref.targetRevision ?? 'HEAD', repo);
  } else {
    base = raw.startsWith('/') ? '' : chartPath;
    rest = raw;
    tree = chartTree;
  }
  const path = joinInside(base, rest);
  if (path === undefined) {
    return { code: 'VALUES_FILE_OUTSIDE_REPO', error: `value file ${raw} resolves outside the repository`, hint: 'Value files must live in the repository; Argo CD refuses paths that leave it.' };
  }
  return { path, tree };
}

/** `base/rest` normalized, or undefined when `..` climbs above the repository root. */
function joinInside(base: string, rest: string): string | undefined {
  const parts: string[] = [];
  for (const segment of [...base.split('/'), ...rest.split('/')]) {
    if (segment === '..') {
      if (parts.pop() === undefined) return undefined;
    } else if (segment && segment !== '.') parts.push(segment);
  }
  return parts.join('/');
}

/** helm.valuesObject / helm.values as the repo-server writes them (ValuesYAML: keys sorted, as sigs.k8s.io/yaml does). */
function extraValues(helm: NonNullable<ApplicationSource['helm']>): string | undefined {
  if (helm.valuesObject && Object.keys(helm.valuesObject).length > 0) return stringifyYaml(helm.valuesObject, { sortMapEntries: true, indentSeq: false, lineWidth: 0 });
  if (helm.values && helm.values.trim()) return helm.values;
  return undefined;
}

