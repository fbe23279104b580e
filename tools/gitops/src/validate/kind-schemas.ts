import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../core/errors.js';
import type { VersionSchemaDirs } from './schema-dir.js';
import { sourceDraft, strictSchema, type JsonSchema } from './strict-schema.js';

/** The strict schema of one apiVersion and kind. */
export interface KindSchema {
  /** "apps/v1 Deployment" */
  id: string;
  /**
   * Where kubeconform finds it under a strict schema directory, with the location template
   * {@link KUBECONFORM_LOCATION}: `<group>/<kind>_<version>.json` (`v1/<kind>_v1.json` for core).
   */
  layoutPath: string;
  /** The file it was made from. */
  source: string;
  schema: JsonSchema;
  /**
   * Why the file cannot be used (not JSON, not a schema): every object of the kind is then an
   * `error`, and the file one finding, instead of the run stopping.
   */
  unusable?: string;
}

/**
 * kubeconform's `-schema-location` template for a directory laid out by `layoutPath`. The full
 * group in the path keeps two groups with the same first label apart, which the standalone
 * layout (`<kind>-<first label>-<version>.json`) cannot.
 */
export const KUBECONFORM_LOCATION = '{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json';

const API_VERSION = /^(?:([a-z0-9](?:[-a-z0-9.]*[a-z0-9])?)\/)?(v[a-z0-9]+)$/;
const KIND = /^[A-Za-z][A-Za-z0-9]*$/;

/** Strict schemas (or why there is none) by source file and standalone directory, shared by every lookup. */
const strictBySource = new Map<string, JsonSchema | UnusableSchema>();

class UnusableSchema extends Error {}

/** Where the schema of a kind is, before it is read. */
export interface KindFile {
  /** "apps/v1 Deployment" */
  id: string;
  layoutPath: string;
  file: string;
  /** From a CRD catalog (crds/): it gets the implicit apiVersion, kind and metadata. */
  crd: boolean;
}

/**
 * The file of a kind for one Kubernetes version, first source that has it; within a source
 * first its CRD catalog (a CRD's own schema, with the oneOf rules that /openapi/v2 drops),
 * then its standalone schemas (built-in kinds, and the CRDs of the cluster they were taken
 * from). Undefined when no source has it.
 */
export function findKindFile(sources: readonly VersionSchemaDirs[], apiVersion: string, kind: string): KindFile | undefined {
  const id = `${apiVersion} ${kind}`;
  const match = API_VERSION.exec(apiVersion);
  // Names outside Kubernetes' own syntax could escape the schema directory: no schema.
  if (!match || !KIND.test(kind)) return undefined;
  const [, group = '', version = ''] = match;
  const lower = kind.toLowerCase();
  const layoutPath = `${group || version}/${lower}_${version}.json`;
  for (const dirs of sources) {
    if (group && dirs.crds) {
      const crd = join(dirs.crds, group, `${lower}_${version}.json`);
      if (existsSync(crd)) return { id, layoutPath, file: crd, crd: true };
    }
    if (!dirs.standalone) continue;
    const prefix = group ? `-${group.split('.')[0]}` : '';
    const standalone = join(dirs.standalone, `${lower}${prefix}-${version}.json`);
    if (existsSync(standalone) && declaresSafely(standalone, group, version, kind)) return { id, layoutPath, file: standalone, crd: false };
  }
  return undefined;
}

/** The strict schema of each kind for one Kubernetes version, from the first source that has it; a kind with no schema is undefined. */
export class KindSchemas {
  private readonly found = new Map<string, KindSchema | undefined>();

  constructor(readonly sources: readonly VersionSchemaDirs[]) {}

  lookup(apiVersion: string, kind: string): KindSchema | undefined {
    const id = `${apiVersion} ${kind}`;
    if (!this.found.has(id)) this.found.set(id, this.resolve(apiVersion, kind));
    return this.found.get(id);
  }

  private resolve(apiVersion: string, kind: string): KindSchema | undefined {
    const found = findKindFile(this.sources, apiVersion, kind);
    if (!found) return undefined;
    const { id, layoutPath, file } = found;
    return this.kindSchema(id, layoutPath, file, () => (found.crd ? this.withImplicitFields(readSchema(file)) : strictSchema(readSchema(file))));
  }

  /** The schema is read and made strict on first use: an object whose verdict is remembered needs only its file's name. */
  private kindSchema(id: string, layoutPath: string, source: string, strict: () => JsonSchema): KindSchema {
    const key = `${source}\0${this.objectMetaFile() ?? ''}`;
    const made = (): JsonSchema | UnusableSchema => {
      let hit = strictBySource.get(key);
      if (!hit) {
        try {
          hit = strict();
        } catch (err) {
          hit = new UnusableSchema((err as Error).message);
        }
        strictBySource.set(key, hit);
      }
      return hit;
    };
    return {
      id,
      layoutPath,
      source,
      get schema() {
        const hit = made();
        return hit instanceof UnusableSchema ? {} : hit;
      },
      get unusable() {
        const hit = made();
        return hit instanceof UnusableSchema ? hit.message : undefined;
      },
    };
  }

  /**
   * Every custom resource has apiVersion, kind and metadata, checked by the API server as
   * ObjectMeta whatever the CRD says; CRD schemas often leave them out or leave metadata open.
   * Closing the root without them would reject every object, and an open metadata would miss
   * its typos: add them, with the ObjectMeta of this Kubernetes version. The CRD is made strict
   * in its own draft (draft 4 when it names none), the ObjectMeta in the standalone schemas'.
   */
  private withImplicitFields(schema: JsonSchema): JsonSchema {
    const properties = (schema.properties ?? {}) as JsonSchema;
    const metadata = properties.metadata as JsonSchema | undefined;
    const objectMeta = this.objectMetaFile();
    const replaceMeta = (!metadata || !('properties' in metadata)) && objectMeta !== undefined;
    const strict = strictSchema(
      { ...schema, properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, ...properties, metadata: replaceMeta ? { type: 'object' } : (metadata ?? { type: 'object' }) } },
      sourceDraft(schema),
    );
    if (replaceMeta) {
      const { $schema: _dialect, ...meta } = strictSchema(readSchema(objectMeta));
      (strict.properties as JsonSchema).metadata = meta;
    }
    return strict;
  }

  /** The ObjectMeta of this Kubernetes version, from the first source that has it. */
  private objectMetaFile(): string | undefined {
    for (const dirs of this.sources) {
      const file = dirs.standalone && join(dirs.standalone, 'objectmeta-meta-v1.json');
      if (file && existsSync(file)) return file;
    }
    return undefined;
  }
}

/** declares, for a file that may not be a schema: the lookup then reports it as unusable. */
function declaresSafely(file: string, group: string, version: string, kind: string): boolean {
  try {
    return declares(readSchema(file), group, version, kind);
  } catch {
    return true;
  }
}

/** A standalone file is named by the group's first label only: check it is this group's. */
function declares(schema: JsonSchema, group: string, version: string, kind: string): boolean {
  const gvks = schema['x-kubernetes-group-version-kind'];
  if (!Array.isArray(gvks)) return true;
  return gvks.some((gvk: { group?: unknown; version?: unknown; kind?: unknown }) => (gvk.group ?? '') === group && gvk.version === version && gvk.kind === kind);
}

function readSchema(file: string): JsonSchema {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new ConfigError('SCHEMA_INVALID', `${file} is not a JSON schema: ${(cause as Error).message}`, {
      hint: 'Restore the file from its source, or point --schema-dir at another copy of the schemas.',
      cause,
    });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ConfigError('SCHEMA_INVALID', `${file} is not a JSON schema (not an object)`, { hint: 'Restore the file from its source, or point --schema-dir at another copy of the schemas.' });
  }
  return data as JsonSchema;
}
