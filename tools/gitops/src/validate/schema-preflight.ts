import { ConfigError } from '../core/errors.js';
import type { Manifest } from '../core/manifests/manifest.js';
import type { Workspace } from '../workspace.js';
import { availableVersions, HOW_TO_PROVIDE_SCHEMAS, locateSchemaSources, normalizeVersion, standaloneDir, type SchemaSources } from './schema-dir.js';
import { fetchSchemas, type FetchOptions } from './schema-fetch.js';
import type { SchemaRef } from './schema-locations.js';

export interface PrepareSchemasOptions {
  /** --schema-dir */
  flag?: string;
  env: NodeJS.ProcessEnv;
  /** --kubernetes-version: replaces the environments' versions. */
  kubernetesVersion?: string;
  /** The selected environments (none: all). */
  envs?: readonly string[];
  cwd: string;
  /** The repository root when there is no workspace (manifest files validated without the model): its schemas/ still counts. */
  root?: string;
  fetch?: FetchOptions['fetch'];
}

/**
 * Finds a schema source for every Kubernetes version the run will validate, before anything
 * is rendered: a run that cannot validate stops in a second with what is missing and how to
 * provide it, not after the fleet has rendered. A version no local source holds is looked
 * for at the download locations (its ObjectMeta, and the CRD kinds its environments
 * declare), into the user cache.
 */
export async function prepareSchemas(ws: Workspace | undefined, options: PrepareSchemasOptions): Promise<SchemaSources> {
  let sources = locateSchemaSources({ flag: options.flag, env: options.env, repo: ws ? { root: ws.root, config: schemaConfig(ws) } : options.root ? { root: options.root, config: {} } : undefined, cwd: options.cwd });
  const wanted = wantedVersions(ws, options);
  let lacking = [...wanted.keys()].filter((v) => !hasVersion(sources, v));
  let failures: string[] = [];
  if (lacking.length > 0 && sources.locations.length > 0) {
    const refs = lacking.flatMap((v) => [{ kubernetesVersion: v, apiVersion: 'meta/v1', kind: 'ObjectMeta' }, ...wanted.get(v)!.declared]);
    const fetched = await fetchSchemas(sources, refs, { fetch: options.fetch });
    sources = fetched.sources;
    failures = fetched.failures;
    lacking = lacking.filter((v) => !hasVersion(sources, v));
  }
  if (lacking.length > 0) throw notFound(sources, lacking.map((v) => ({ version: v, ...wanted.get(v)! })), failures);
  return sources;
}

/** Every kind of the given manifests, for its Kubernetes version: what a download pass looks for. */
export function manifestRefs(manifests: readonly Manifest[], versionOf: (m: Manifest) => string): SchemaRef[] {
  return manifests.filter((m) => m.apiVersion && m.kind).map((m) => ({ kubernetesVersion: normalizeVersion(versionOf(m)), apiVersion: m.apiVersion, kind: m.kind }));
}

/** The schema settings of gitops.yaml. */
export function schemaConfig(ws: Workspace): { schemaDir?: string; mirrors?: readonly string[]; download?: boolean | readonly string[] } {
  const { schemaDir, schemas } = ws.model.config;
  return { schemaDir, mirrors: schemas?.mirrors, download: schemas?.download };
}

interface WantedVersion {
  /** The environments on it, for messages. */
  envs: string[];
  /** The CRD kinds those environments declare (apiVersions entries `<group>/<version>/<Kind>`). */
  declared: SchemaRef[];
}

function wantedVersions(ws: Workspace | undefined, options: PrepareSchemasOptions): Map<string, WantedVersion> {
  const wanted = new Map<string, WantedVersion>();
  const envs = ws ? [...ws.model.environments.values()].filter((e) => !options.envs?.length || options.envs.includes(e.name)) : [];
  if (options.kubernetesVersion) {
    const version = normalizeVersion(options.kubernetesVersion);
    wanted.set(version, { envs: [], declared: envs.flatMap((e) => declaredKinds(e.apiVersions, version)) });
    return wanted;
  }
  for (const env of envs) {
    const version = normalizeVersion(env.kubernetesVersion);
    const entry = wanted.get(version) ?? { envs: [], declared: [] };
    entry.envs.push(env.name);
    entry.declared.push(...declaredKinds(env.apiVersions, version));
    wanted.set(version, entry);
  }
  return wanted;
}

function declaredKinds(apiVersions: readonly string[], version: string): SchemaRef[] {
  return apiVersions
    .map((a) => /^([^/]+\/[^/]+)\/([A-Za-z][A-Za-z0-9]*)$/.exec(a))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ kubernetesVersion: version, apiVersion: m[1]!, kind: m[2]! }));
}

function hasVersion(sources: SchemaSources, version: string): boolean {
  return sources.sources.some((s) => standaloneDir(s.dir, version) !== undefined);
}

function notFound(sources: SchemaSources, lacking: ({ version: string } & WantedVersion)[], failures: string[]): ConfigError {
  const what = lacking.map(({ version, envs, declared }) => {
    const kinds = [...new Set(declared.map((r) => `${r.apiVersion} ${r.kind}`))];
    return `Kubernetes ${version}${envs.length ? ` (${envs.join(', ')})` : ''}: its built-in kinds (Deployment, Service, …)${kinds.length ? ` and ${kinds.join(', ')}` : ''}`;
  });
  const available = availableVersions(sources);
  const lines = [
    `no schemas for ${what.join('; ')}`,
    `  looked in: ${sources.considered.join('; ')}`,
    ...(failures.length ? [`  download failed: ${[...new Set(failures)].slice(0, 3).join('; ')}`] : []),
  ];
  const versionHint = available.length ? `Schemas exist for ${available.join(', ')}: validate with --kubernetes-version ${available.at(-1)}, or add ${lacking.map((l) => `kubernetes/v${l.version}-standalone`).join(', ')} to a source. ` : '';
  return new ConfigError('SCHEMA_VERSION_NOT_FOUND', lines.join('\n'), { hint: `${versionHint}${HOW_TO_PROVIDE_SCHEMAS}` });
}
