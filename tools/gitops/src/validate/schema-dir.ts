import { existsSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { ConfigError } from '../core/errors.js';

/** Where the Kubernetes and CRD schemas are, and which setting said so. */
export interface SchemaDirSetting {
  /** Absolute path. */
  dir: string;
  /** The flag, variable or file that chose it, for messages. */
  origin: string;
}

export interface SchemaDirOptions {
  /** --schema-dir, relative to the working directory. */
  flag?: string;
  env: NodeJS.ProcessEnv;
  /** `schemaDir` of gitops.yaml, relative to the repository root. */
  config?: { schemaDir?: string; root: string };
  cwd: string;
}

const HOW_TO_POINT_ELSEWHERE = 'Point --schema-dir, GITOPS_SCHEMA_DIR or schemaDir in gitops.yaml at a directory holding kubernetes/v<version>-standalone/ and crds/.';

/** --schema-dir, else GITOPS_SCHEMA_DIR, else `schemaDir` of gitops.yaml; the directory must exist. */
export function locateSchemaDir(options: SchemaDirOptions): SchemaDirSetting {
  let setting: SchemaDirSetting;
  if (options.flag) setting = { dir: resolve(options.cwd, options.flag), origin: `--schema-dir ${options.flag}` };
  else if (options.env.GITOPS_SCHEMA_DIR) setting = { dir: resolve(options.cwd, options.env.GITOPS_SCHEMA_DIR), origin: `GITOPS_SCHEMA_DIR=${options.env.GITOPS_SCHEMA_DIR}` };
  else if (options.config?.schemaDir) {
    const { schemaDir, root } = options.config;
    setting = { dir: isAbsolute(schemaDir) ? schemaDir : resolve(root, schemaDir), origin: `schemaDir: ${schemaDir} in gitops.yaml` };
  } else {
    throw new ConfigError('SCHEMA_DIR_NOT_FOUND', 'no schema directory is configured', { hint: HOW_TO_POINT_ELSEWHERE });
  }
  if (!isDirectory(setting.dir)) {
    throw new ConfigError('SCHEMA_DIR_NOT_FOUND', `schema directory ${setting.dir} does not exist (from ${setting.origin})`, { hint: HOW_TO_POINT_ELSEWHERE });
  }
  return setting;
}

/** The directories one Kubernetes version is validated with. */
export interface VersionSchemaDirs {
  kubernetesVersion: string;
  /** kubernetes/v<version>-standalone: built-in kinds (and the CRDs of the cluster they came from). */
  standalone: string;
  /** crds/<group>/<kind>_<version>.json; undefined when the directory has none. */
  crds?: string;
}

/** `kubernetes/v<version>-standalone` must exist for the exact version; the message lists those that do. */
export function versionSchemaDirs(setting: SchemaDirSetting, kubernetesVersion: string): VersionSchemaDirs {
  const version = kubernetesVersion.replace(/^v/, '');
  const standalone = join(setting.dir, 'kubernetes', `v${version}-standalone`);
  if (!isDirectory(standalone)) {
    const available = listVersions(setting.dir);
    throw new ConfigError('SCHEMA_VERSION_NOT_FOUND', `no schemas for Kubernetes ${version} in ${setting.dir} (kubernetes/v${version}-standalone is missing)`, {
      hint: available.length
        ? `Schemas exist for ${available.join(', ')}. Add kubernetes/v${version}-standalone, or validate with --kubernetes-version ${available.at(-1)}.`
        : `${setting.dir}/kubernetes has no v<version>-standalone directory. ${HOW_TO_POINT_ELSEWHERE}`,
    });
  }
  const crds = join(setting.dir, 'crds');
  return { kubernetesVersion: version, standalone, crds: isDirectory(crds) ? crds : undefined };
}

function listVersions(dir: string): string[] {
  const kubernetes = join(dir, 'kubernetes');
  if (!isDirectory(kubernetes)) return [];
  return readdirSync(kubernetes)
    .map((name) => /^v(\d+\.\d+\.\d+)-standalone$/.exec(name)?.[1])
    .filter((v): v is string => v !== undefined)
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}
