import { existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { ConfigError } from '../core/errors.js';
import { DEFAULT_SCHEMA_LOCATIONS, parseLocations, type SchemaLocation } from './schema-locations.js';

/**
 * One directory of Kubernetes and CRD schemas: `kubernetes/v<version>-standalone[-strict]/`
 * (kubeconform's kubernetes-json-schema layout) and `crds/<group>/<kind>_<version>.json` (the
 * CRDs catalog layout).
 */
export interface SchemaSource {
  /** Absolute path; it exists. */
  dir: string;
  /** The flag, variable or file that named it, for messages. */
  origin: string;
  /** The user cache is where downloads go. */
  role: 'explicit' | 'repository' | 'mirror' | 'cache';
}

/**
 * Where schemas are looked for, first that has the kind: the explicit directory, the
 * repository's own, the offline mirrors present on this machine, the user cache; then the
 * download locations, into the cache.
 */
export interface SchemaSources {
  sources: SchemaSource[];
  /** The user cache directory (it may not exist yet). */
  cacheDir: string;
  /** URL templates to download from, in order; empty when downloads are off. */
  locations: SchemaLocation[];
  /** Every place that was considered, present or not, for messages. */
  considered: string[];
}

/** The schema settings of gitops.yaml. */
export interface SchemaConfig {
  /** `schemaDir`: the explicit directory, relative to the repository root. */
  schemaDir?: string;
  /** `schemas.mirrors`: offline copies that may exist on some machines, relative to the root. */
  mirrors?: readonly string[];
  /** `schemas.download`: false turns downloads off; a list replaces the default locations. */
  download?: boolean | readonly string[];
}

export interface SchemaSourcesOptions {
  /** --schema-dir, relative to the working directory. */
  flag?: string;
  env: NodeJS.ProcessEnv;
  /** The repository root and the schema settings of its gitops.yaml; undefined outside a repository. */
  repo?: { root: string; config: SchemaConfig };
  cwd: string;
}

/** The directory inside the repository that holds the team's own schemas (CRDs imported with `gitops schemas import`). */
export const REPOSITORY_SCHEMA_DIR = 'schemas';

/** How to provide schemas, for every message that says none were found. */
export const HOW_TO_PROVIDE_SCHEMAS =
  'Run `gitops schemas pull` (downloads from kubeconform\'s public locations into the user cache), `gitops schemas import FILE|DIR` (CRD manifests or a cluster\'s /openapi/v2) into schemas/ of the repository, list an offline copy under schemas.mirrors in gitops.yaml, or point --schema-dir / GITOPS_SCHEMA_DIR at one.';

/**
 * The schema sources in the order they are consulted. An explicit directory (--schema-dir,
 * GITOPS_SCHEMA_DIR, schemaDir) must exist: a typo there is an error, not a silent fallback.
 * Mirrors that are absent on this machine are skipped: they are meant for some machines only.
 */
export function locateSchemaSources(options: SchemaSourcesOptions): SchemaSources {
  const sources: SchemaSource[] = [];
  const considered: string[] = [];
  const config = options.repo?.config ?? {};
  const explicit = explicitDir(options);
  if (explicit) {
    if (!isDirectory(explicit.dir)) {
      throw new ConfigError('SCHEMA_DIR_NOT_FOUND', `schema directory ${explicit.dir} does not exist (from ${explicit.origin})`, {
        hint: `Point it at a directory holding kubernetes/v<version>-standalone/ and crds/, or drop it to use the other sources. ${HOW_TO_PROVIDE_SCHEMAS}`,
      });
    }
    sources.push({ ...explicit, role: 'explicit' });
    considered.push(`${explicit.dir} (${explicit.origin})`);
  }
  if (options.repo) {
    const dir = join(options.repo.root, REPOSITORY_SCHEMA_DIR);
    considered.push(`${dir} (the repository's own)`);
    if (isDirectory(dir)) sources.push({ dir, origin: `${REPOSITORY_SCHEMA_DIR}/ in the repository`, role: 'repository' });
    for (const mirror of config.mirrors ?? []) {
      const dir = isAbsolute(mirror) ? mirror : resolve(options.repo.root, mirror);
      considered.push(`${dir} (schemas.mirrors in gitops.yaml${isDirectory(dir) ? '' : ', absent on this machine'})`);
      if (isDirectory(dir)) sources.push({ dir, origin: `mirror ${mirror} in gitops.yaml`, role: 'mirror' });
    }
  }
  const cacheDir = userSchemaCache(options.env);
  considered.push(`${cacheDir} (the user cache)`);
  if (isDirectory(cacheDir)) sources.push({ dir: cacheDir, origin: 'the user cache', role: 'cache' });
  const locations = downloadLocations(options.env, config.download);
  if (locations.length > 0) considered.push(`downloads from ${locations.map((l) => l.template.replace(/\/?\{\{.*$/, '')).join(', ')}`);
  else considered.push('downloads (off)');
  return { sources, cacheDir, locations, considered };
}

function explicitDir(options: SchemaSourcesOptions): { dir: string; origin: string } | undefined {
  if (options.flag) return { dir: resolve(options.cwd, options.flag), origin: `--schema-dir ${options.flag}` };
  if (options.env.GITOPS_SCHEMA_DIR) return { dir: resolve(options.cwd, options.env.GITOPS_SCHEMA_DIR), origin: `GITOPS_SCHEMA_DIR=${options.env.GITOPS_SCHEMA_DIR}` };
  const schemaDir = options.repo?.config.schemaDir;
  if (schemaDir && options.repo) return { dir: isAbsolute(schemaDir) ? schemaDir : resolve(options.repo.root, schemaDir), origin: `schemaDir: ${schemaDir} in gitops.yaml` };
  return undefined;
}

/**
 * `$GITOPS_SCHEMA_CACHE`, else `$XDG_CACHE_HOME/gitops/schemas`, else `~/.cache/gitops/schemas`:
 * per user, not per clone, so every clone and worktree shares one download.
 */
export function userSchemaCache(env: NodeJS.ProcessEnv): string {
  if (env.GITOPS_SCHEMA_CACHE) return resolve(env.GITOPS_SCHEMA_CACHE);
  const base = env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : join(env.HOME || homedir(), '.cache');
  return join(base, 'gitops', 'schemas');
}

/**
 * GITOPS_SCHEMA_LOCATIONS (URL templates separated by spaces outside their `{{ }}`, or `none`) overrides
 * `schemas.download` in gitops.yaml, whose default is kubeconform's public locations.
 */
function downloadLocations(env: NodeJS.ProcessEnv, download: SchemaConfig['download']): SchemaLocation[] {
  const fromEnv = env.GITOPS_SCHEMA_LOCATIONS?.trim();
  if (fromEnv !== undefined && fromEnv !== '') {
    if (fromEnv === 'none') return [];
    // Templates hold spaces inside {{ }}: split only on those outside.
    return parseLocations(fromEnv.split(/\s+(?![^{]*\}\})/), 'GITOPS_SCHEMA_LOCATIONS');
  }
  if (download === false) return [];
  if (Array.isArray(download)) return parseLocations(download, 'schemas.download in gitops.yaml');
  return DEFAULT_SCHEMA_LOCATIONS;
}

/** The directories of one source that serve one Kubernetes version. */
export interface VersionSchemaDirs {
  kubernetesVersion: string;
  /** kubernetes/v<version>-standalone[-strict]: built-in kinds (and the CRDs of the cluster they came from); undefined when absent. */
  standalone?: string;
  /** crds/<group>/<kind>_<version>.json; undefined when the directory has none. */
  crds?: string;
  source: SchemaSource;
}

/** Each source's directories for one Kubernetes version, in resolution order; sources with neither are left out. */
export function versionSchemaDirs(sources: SchemaSources, kubernetesVersion: string): VersionSchemaDirs[] {
  const version = normalizeVersion(kubernetesVersion);
  const dirs: VersionSchemaDirs[] = [];
  for (const source of sources.sources) {
    const standalone = standaloneDir(source.dir, version);
    const crds = join(source.dir, 'crds');
    const entry = { kubernetesVersion: version, standalone, crds: isDirectory(crds) ? crds : undefined, source };
    if (entry.standalone || entry.crds) dirs.push(entry);
  }
  return dirs;
}

/** `kubernetes/v<version>-standalone`, or the `-strict` variant kubeconform's public copy and the cache use. */
export function standaloneDir(dir: string, version: string): string | undefined {
  for (const name of [`v${version}-standalone`, `v${version}-standalone-strict`]) {
    const path = join(dir, 'kubernetes', name);
    if (isDirectory(path)) return path;
  }
  return undefined;
}

/** The Kubernetes versions whose built-in kinds any source holds, sorted. */
export function availableVersions(sources: SchemaSources): string[] {
  const versions = new Set<string>();
  for (const source of sources.sources) for (const v of listVersions(source.dir)) versions.add(v);
  return [...versions].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/** "1.34", "v1.34.0" → "1.34.0". */
export function normalizeVersion(version: string): string {
  const bare = version.replace(/^v/, '');
  return /^\d+\.\d+$/.test(bare) ? `${bare}.0` : bare;
}

function listVersions(dir: string): string[] {
  const kubernetes = join(dir, 'kubernetes');
  if (!isDirectory(kubernetes)) return [];
  return readdirSync(kubernetes)
    .map((name) => /^v(\d+\.\d+\.\d+)-standalone(?:-strict)?$/.exec(name)?.[1])
    .filter((v): v is string => v !== undefined);
}

export function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}
