import type { ResourceResult } from '../cli/types.js';
import type { Finding, FindingCode, Severity, SourceLocation } from '../core/findings.js';
import { pointerToPath } from '../core/json-pointer.js';
import type { Manifest } from '../core/manifests/manifest.js';
import { KubeconformRunner } from '../runners/kubeconform.js';
import { BuiltinEngine } from './builtin-engine.js';
import { CachedEngine } from './verdict-cache.js';
import { apiStatus } from './deprecations.js';
import type { EngineInput, EngineName, EngineVerdict, ValidationEngine } from './engine.js';
import { KindSchemas, type KindSchema } from './kind-schemas.js';
import { KubeconformEngine } from './kubeconform-engine.js';
import { versionSchemaDirs, type SchemaSources } from './schema-dir.js';
import type { SchemaError } from './schema-errors.js';

export interface ValidateManifestsOptions {
  /** Where the Kubernetes and CRD schemas are, first that has the kind (see prepareSchemas). */
  schemas: SchemaSources;
  /** The Kubernetes version ("1.34.0") each object is checked for: its environment's for a render. */
  kubernetesVersion: string | ((manifest: Manifest) => string);
  /** builtin (ajv, the default) or kubeconform (the real binary); same verdicts. */
  engine?: EngineName;
  /** Kinds not to check, as kubeconform's -skip: `Kind` or `<apiVersion>/Kind` (comma-separated allowed). */
  skip?: readonly string[];
  /** A kind without a schema is skipped instead of being an error. */
  ignoreMissingSchemas?: boolean;
  /** Compiled validators (builtin) and strict schema files (kubeconform) are kept here. */
  cacheDir: string;
  /** Environment for locating kubeconform (GITOPS_KUBECONFORM_BIN, PATH). */
  env?: NodeJS.ProcessEnv;
}

export interface ManifestsValidation {
  /** One verdict per manifest, in input order. */
  results: ResourceResult[];
  /** One finding per schema error, per object without a schema, per removed or deprecated API. */
  findings: Finding[];
}

/**
 * Checks each object against the strict schema of its kind for its Kubernetes version, and
 * its apiVersion against the APIs that version removed or deprecated. --skip and missing
 * schemas are decided here, before any engine, so both engines see the same objects.
 */
export async function validateManifests(manifests: readonly Manifest[], options: ValidateManifestsOptions): Promise<ManifestsValidation> {
  const results: ResourceResult[] = new Array(manifests.length);
  const findings: Finding[][] = manifests.map(() => []);
  const pending = new Map<string, { index: number; input: EngineInput }[]>();
  const skip = new Set((options.skip ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean));
  const versionOf = typeof options.kubernetesVersion === 'string' ? () => options.kubernetesVersion as string : options.kubernetesVersion;
  const unusable = new UnusableSchemas();

  manifests.forEach((manifest, index) => {
    const base = resultOf(manifest);
    if (skip.has(manifest.kind) || skip.has(`${manifest.apiVersion}/${manifest.kind}`)) {
      results[index] = { ...base, status: 'skipped', errors: [] };
      return;
    }
    const version = versionOf(manifest);
    // Looked up first: a version without schemas stops the run whatever the objects are.
    const schemas = kindSchemas(options.schemas, version);
    const api = apiStatus(manifest.apiVersion, manifest.kind, version);
    if (api?.state === 'removed') {
      const error = { pointer: '/apiVersion', message: api.message };
      results[index] = { ...base, status: 'invalid', errors: [errorOf(manifest, error)] };
      findings[index]!.push(findingOf(manifest, 'API_REMOVED', 'error', error));
      return;
    }
    if (api?.state === 'deprecated') findings[index]!.push(findingOf(manifest, 'API_DEPRECATED', 'warning', { pointer: '/apiVersion', message: api.message }));

    const schema = schemas.lookup(manifest.apiVersion, manifest.kind);
    if (!schema) {
      if (options.ignoreMissingSchemas) {
        results[index] = { ...base, status: 'skipped', errors: [] };
        return;
      }
      const error = { pointer: '', message: `no schema for ${manifest.apiVersion} ${manifest.kind} (Kubernetes ${version})` };
      results[index] = { ...base, status: 'error', errors: [errorOf(manifest, error)] };
      findings[index]!.push({
        ...findingOf(manifest, 'MANIFEST_NO_SCHEMA', 'error', error),
        hint: `Import its CRD with \`gitops schemas import CRD.yaml\` (written to schemas/crds/ in the repository), or pass --skip ${manifest.kind} or --ignore-missing-schemas.`,
      });
      return;
    }
    const group = pending.get(version) ?? [];
    group.push({ index, input: { manifest, schema } });
    pending.set(version, group);
  });

  if (pending.size > 0) {
    const engine = await createEngine(options);
    await Promise.all(
      [...pending.values()].map(async (group) => {
        const verdicts = await engine.validate(group.map((g) => g.input));
        group.forEach(({ index, input: { manifest, schema } }, i) => {
          const verdict = verdicts[i]!;
          const errors = sortByPosition(manifest, verdict.errors);
          results[index] = { ...resultOf(manifest), status: verdict.status, errors: errors.map((e) => errorOf(manifest, e)) };
          if (verdict.status === 'invalid') findings[index]!.push(...errors.map((e) => findingOf(manifest, 'MANIFEST_INVALID', 'error', e)));
          // A schema at fault is one finding at the schema file; an object the engine could not read is its own.
          else if (verdict.schemaProblem) unusable.note(schema, verdict.schemaProblem);
          else if (verdict.status === 'error') findings[index]!.push(...errors.map((e) => findingOf(manifest, 'MANIFEST_UNCHECKED', 'error', e)));
        });
      }),
    );
  }
  return { results, findings: [...findings.flat(), ...unusable.findings()] };
}

/** Schemas that cannot be used, each reported once at its file with the number of objects it left unchecked. */
class UnusableSchemas {
  private readonly bySource = new Map<string, { schema: KindSchema; reason: string; objects: number }>();

  note(schema: KindSchema, reason: string): void {
    const seen = this.bySource.get(schema.source);
    if (seen) seen.objects++;
    else this.bySource.set(schema.source, { schema, reason, objects: 1 });
  }

  findings(): Finding[] {
    return [...this.bySource.values()].map(({ schema, reason, objects }) => ({
      code: 'SCHEMA_UNUSABLE',
      severity: 'error',
      message: `${reason}; ${objects} ${schema.id} object${objects === 1 ? '' : 's'} could not be checked`,
      hint: 'Fix or replace the schema file (restore it from its source, or point --schema-dir at another copy); the other kinds were checked.',
      location: { file: schema.source },
    }));
  }
}

/** One per cache directory and process: compiled schemas are reused by every later call. */
const builtins = new Map<string, ValidationEngine>();

async function createEngine(options: ValidateManifestsOptions): Promise<ValidationEngine> {
  if (options.engine === 'kubeconform') {
    const runner = await KubeconformRunner.locate(options.env);
    return new CachedEngine(new UsableSchemasOnly(new KubeconformEngine(runner, options.cacheDir)), `kubeconform ${runner.version}`, options.cacheDir);
  }
  let engine = builtins.get(options.cacheDir);
  if (!engine) {
    engine = new CachedEngine(new UsableSchemasOnly(new BuiltinEngine(options.cacheDir)), 'builtin', options.cacheDir);
    builtins.set(options.cacheDir, engine);
  }
  return engine;
}

/**
 * An object whose kind's schema cannot be used gets an `error` verdict that names the schema,
 * and never reaches the engine (kubeconform would read the empty schema left as allowing
 * anything). Behind the verdict cache: a remembered verdict reads no schema, and an `error`
 * is never remembered.
 */
class UsableSchemasOnly implements ValidationEngine {
  readonly name: EngineName;

  constructor(private readonly inner: ValidationEngine) {
    this.name = inner.name;
  }

  async validate(inputs: readonly EngineInput[]): Promise<EngineVerdict[]> {
    const refused = inputs.map(({ schema }): EngineVerdict | undefined => {
      const reason = schema.unusable;
      return reason === undefined ? undefined : { status: 'error', errors: [{ pointer: '', message: reason }], schemaProblem: reason };
    });
    const usable = inputs.filter((_, i) => !refused[i]);
    const judged = usable.length > 0 ? await this.inner.validate(usable) : [];
    let next = 0;
    return refused.map((verdict) => verdict ?? judged[next++]!);
  }
}

const schemasByVersion = new Map<string, KindSchemas>();

function kindSchemas(sources: SchemaSources, version: string): KindSchemas {
  const key = `${sources.sources.map((s) => s.dir).join('\0')}\0${version}`;
  let schemas = schemasByVersion.get(key);
  if (!schemas) {
    schemas = new KindSchemas(versionSchemaDirs(sources, version));
    schemasByVersion.set(key, schemas);
  }
  return schemas;
}

function resultOf(manifest: Manifest): Omit<ResourceResult, 'status' | 'errors'> {
  const rendered = manifest.origin.kind === 'rendered' ? manifest.origin : undefined;
  return {
    file: manifest.file,
    env: rendered?.env,
    service: rendered?.service,
    apiVersion: manifest.apiVersion,
    kind: manifest.kind,
    name: manifest.name,
    namespace: manifest.namespace,
  };
}

function errorOf(manifest: Manifest, error: SchemaError): ResourceResult['errors'][number] {
  return { path: error.pointer, message: error.message, source: sourceOf(manifest, error) };
}

/**
 * A file given on the command line: the line of the field. A render: the template that wrote
 * the object, when helm said which.
 */
function sourceOf(manifest: Manifest, error: SchemaError): SourceLocation | undefined {
  if (manifest.origin.kind === 'file') return { file: manifest.file, ...manifest.position(error.pointer, pointAt(manifest, error)) };
  return manifest.origin.template ? { file: manifest.origin.template } : undefined;
}

/** An unknown field, or a whole map or list, is found by its key; a wrong value by the value. */
function pointAt(manifest: Manifest, error: SchemaError): 'key' | 'value' {
  if (error.atKey) return 'key';
  let value: unknown = manifest.object;
  for (const segment of pointerToPath(error.pointer)) value = (value as Record<string | number, unknown> | undefined)?.[segment];
  return typeof value === 'object' && value !== null ? 'key' : 'value';
}

function findingOf(manifest: Manifest, code: FindingCode, severity: Severity, error: SchemaError): Finding {
  const { origin } = manifest;
  const rendered = origin.kind === 'rendered' ? origin : undefined;
  const where = rendered ? ` (${rendered.env})` : '';
  return {
    code,
    severity,
    message: `${manifest.kind} ${manifest.name || '(no name)'}${where}: ${error.pointer ? `${error.pointer}: ` : ''}${error.message}`,
    location: sourceOf(manifest, error),
    application: rendered?.application,
    env: rendered?.env,
    service: rendered?.service,
    resource: {
      apiVersion: manifest.apiVersion,
      kind: manifest.kind,
      name: manifest.name,
      namespace: manifest.namespace,
      file: manifest.file,
      pointer: error.pointer,
    },
  };
}

/** In the order a person reads the object. */
function sortByPosition(manifest: Manifest, errors: SchemaError[]): SchemaError[] {
  const at = new Map(errors.map((e) => [e.pointer, manifest.position(e.pointer, pointAt(manifest, e))]));
  return [...errors].sort((a, b) => {
    const [pa, pb] = [at.get(a.pointer)!, at.get(b.pointer)!];
    return pa.line - pb.line || pa.column - pb.column || (a.pointer < b.pointer ? -1 : a.pointer > b.pointer ? 1 : 0);
  });
}
