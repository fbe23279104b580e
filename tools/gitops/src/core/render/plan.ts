import { posix } from 'node:path';
import type { Application, ApplicationSource } from '../appset/application.js';
import type { Finding, SourceLocation } from '../findings.js';
import type { Environment, RepoModel } from '../repo/model.js';

/** Which tree a file is read from: the snapshot being rendered, or a Git revision of this repo. */
export type TreeRef = { kind: 'snapshot' } | { kind: 'revision'; revision: string };

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
    /** Chart directory, repository-relative. */
    path: string;
    /** targetRevision of the chart source. */
    revision: string;
    tree: TreeRef;
    /** Where the revision is written (e.g. the release pin in service.yaml). */
    origin: SourceLocation[];
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
  if (source.chart) return finding('SOURCE_UNSUPPORTED', `Helm repository chart "${source.chart}" cannot be rendered offline`, field, 'Platform charts are rendered from this repository: use path: platform-charts/<chart>.');
  if (source.repoURL !== repo.config.repoURL) {
    return finding('SOURCE_UNSUPPORTED', `source repoURL "${source.repoURL}" is not this repository (${repo.config.repoURL})`, `${field}.repoURL`);
  }
  if (source.kustomize || source.directory || source.plugin || !source.path) {
    return finding('SOURCE_UNSUPPORTED', 'only Helm chart sources (path to a chart) are rendered', field);
  }
  const chartPath = posix.normalize(source.path).replace(/\/$/, '');
  if (chartPath.startsWith('..') || posix.isAbsolute(chartPath)) return finding('SOURCE_UNSUPPORTED', `source path "${source.path}" is outside the repository`, `${field}.path`);

  const helm = source.helm ?? {};
  const revision = source.targetRevision ?? 'HEAD';
  const chartTree = treeOf(revision, repo);
  const refs = new Map(sources.filter((s) => s.ref).map((s) => [`$${s.ref}`, s] as const));

  const valueFiles: ValueFileRef[] = [];
  for (const [i, raw] of (helm.valueFiles ?? []).entries()) {
    const resolved = resolveValueFile(raw, chartPath, chartTree, refs, repo);
    if ('error' in resolved) {
      return finding(resolved.code, resolved.error, `${field}.helm.valueFiles.${i}`, resolved.hint);
    }
    valueFiles.push({ raw, path: resolved.path, tree: resolved.tree, optional: helm.ignoreMissingValueFiles === true });
  }
  if ((helm.fileParameters ?? []).length > 0) return finding('SOURCE_UNSUPPORTED', 'helm.fileParameters are not rendered yet', `${field}.helm.fileParameters`);

  const set = new Map<string, string>();
  const setString = new Map<string, string>();
  for (const p of helm.parameters ?? []) (p.forceString ? setString : set).set(p.name, p.value ?? '');

  const namespace = helm.namespace || spec.destination?.namespace || '';
  return {
    findings: [],
    plan: {
      app,
      env,
      service,
      chart: { path: chartPath, revision, tree: chartTree, origin: app.origins.get(`${field}.targetRevision`) ?? [app.templateLocation] },
      // Argo CD uses the name part of "<namespace>_<name>" application names.
      releaseName: helm.releaseName || app.name.split('_').pop()!,
      namespace,
      kubeVersion: (helm.kubeVersion || env.kubernetesVersion).replaceAll('+', ''),
      apiVersions: helm.apiVersions ?? env.apiVersions,
      set: [...set].sort(([a], [b]) => a.localeCompare(b)),
      setString: [...setString].sort(([a], [b]) => a.localeCompare(b)),
      valueFiles,
      extraValues: extraValues(helm),
      skipCrds: helm.skipCrds === true,
      skipSchemaValidation: helm.skipSchemaValidation === true,
      skipTests: helm.skipTests === true,
      envVars: {
        ARGOCD_APP_NAME: app.name,
        ARGOCD_APP_NAMESPACE: namespace,
        ARGOCD_APP_SOURCE_REPO_URL: source.repoURL ?? '',
        ARGOCD_APP_SOURCE_PATH: source.path,
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
    if (ref.repoURL !== repo.config.repoURL) return { code: 'SOURCE_UNSUPPORTED', error: `${refName} refers to another repository (${ref.repoURL})` };
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

function extraValues(helm: NonNullable<ApplicationSource['helm']>): string | undefined {
  if (helm.valuesObject && Object.keys(helm.valuesObject).length > 0) return JSON.stringify(helm.valuesObject);
  if (helm.values && helm.values.trim()) return helm.values;
  return undefined;
}

