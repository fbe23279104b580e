import { strictSchema, type JsonSchema } from './strict-schema.js';

/** One schema file to write, relative to a schema directory. */
export interface ImportedSchema {
  /** `crds/<group>/<kind>_<version>.json` or `kubernetes/v<version>-standalone-strict/<kind>[-<group>]-<version>.json` */
  path: string;
  /** "networking.istio.io/v1 VirtualService", or the definition name of /openapi/v2 */
  id: string;
  schema: JsonSchema;
}

/**
 * A CustomResourceDefinition's served schemas, one per version, the way kubeconform's
 * openapi2jsonschema writes them (`<kind>_<version>.json`, lower case) under the CRDs
 * catalog's `<group>/` directory, made strict. Versions without a schema are left out; the
 * pre-v1 `spec.validation` form is read too.
 */
export function crdSchemas(crd: unknown): ImportedSchema[] {
  const spec = (crd as { spec?: Record<string, unknown> } | undefined)?.spec;
  const group = typeof spec?.group === 'string' ? spec.group : undefined;
  const kind = typeof (spec?.names as { kind?: unknown } | undefined)?.kind === 'string' ? (spec!.names as { kind: string }).kind : undefined;
  if (!spec || !group || !kind) return [];
  const legacy = openApiV3((spec.validation as Record<string, unknown> | undefined)?.openAPIV3Schema);
  const versions = Array.isArray(spec.versions) ? (spec.versions as { name?: unknown; schema?: { openAPIV3Schema?: unknown } }[]) : typeof spec.version === 'string' ? [{ name: spec.version }] : [];
  const out: ImportedSchema[] = [];
  for (const version of versions) {
    if (typeof version.name !== 'string') continue;
    const schema = openApiV3(version.schema?.openAPIV3Schema) ?? legacy;
    if (!schema) continue;
    out.push({ path: `crds/${group}/${kind.toLowerCase()}_${version.name}.json`, id: `${group}/${version.name} ${kind}`, schema: strictSchema(intOrString(schema)) });
  }
  return out;
}

/** A document is a cluster's /openapi/v2 (Swagger 2.0) dump. */
export function isOpenApiV2(data: unknown): data is { swagger: string; definitions: Record<string, JsonSchema>; info?: { version?: unknown } } {
  const d = data as { swagger?: unknown; definitions?: unknown } | undefined;
  return typeof d?.swagger === 'string' && d.swagger.startsWith('2.') && typeof d.definitions === 'object' && d.definitions !== null;
}

/**
 * Every definition of a cluster's /openapi/v2, de-referenced ("standalone") and strict, named
 * as kubernetes-json-schema names them: `io.k8s.api.apps.v1.Deployment` →
 * `deployment-apps-v1.json`, the core and `api` groups without a group part
 * (`pod-v1.json`, `quantity-resource.json`). A definition that refers to itself keeps the
 * recursion open ({}) at the point it repeats: JSON Schema files cannot hold a cycle without $ref.
 */
export function openApiSchemas(dump: { definitions: Record<string, JsonSchema> }, kubernetesVersion: string): ImportedSchema[] {
  // A quantity is written as a number as often as a string ("cpu: 1"), and the API server takes both.
  const definitions = Object.fromEntries(Object.entries(dump.definitions).map(([name, d]) => [name, name.endsWith('.api.resource.Quantity') ? asQuantity(d) : d]));
  const out: ImportedSchema[] = [];
  for (const [name, definition] of Object.entries(definitions).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const file = standaloneName(name);
    if (!file) continue;
    const resolved = dereference(definition, definitions, new Set([name])) as JsonSchema;
    const strict = strictSchema(intOrString(withKindEnums(resolved, definition)));
    // The file name holds only the group's first label: keep the group-version-kind so a lookup can tell two groups apart.
    const gvk = definition['x-kubernetes-group-version-kind'];
    out.push({ path: `kubernetes/v${kubernetesVersion}-standalone-strict/${file}`, id: name, schema: gvk ? { ...strict, 'x-kubernetes-group-version-kind': gvk } : strict });
  }
  return out;
}

/** "io.k8s.api.apps.v1.Deployment" → "deployment-apps-v1.json"; undefined for names too short to say. */
function standaloneName(definition: string): string | undefined {
  const parts = definition.split('.');
  if (parts.length < 3) return undefined;
  const [group, version, kind] = parts.slice(-3).map((p) => p.toLowerCase()) as [string, string, string];
  if (!/^[a-z0-9-]+$/.test(kind + group + version)) return undefined;
  return group === 'core' || group === 'api' ? `${kind}-${version}.json` : `${kind}-${group}-${version}.json`;
}

const REF = /^#\/definitions\/(.+)$/;

function dereference(node: unknown, definitions: Record<string, JsonSchema>, path: Set<string>): unknown {
  if (Array.isArray(node)) return node.map((n) => dereference(n, definitions, path));
  if (typeof node !== 'object' || node === null) return node;
  const object = node as JsonSchema;
  const ref = typeof object.$ref === 'string' ? REF.exec(object.$ref)?.[1] : undefined;
  if (ref !== undefined) {
    const target = definitions[ref];
    if (!target || path.has(ref)) return {};
    const { $ref: _, ...rest } = object;
    return { ...(dereference(target, definitions, new Set([...path, ref])) as JsonSchema), ...(dereference(rest, definitions, path) as JsonSchema) };
  }
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, dereference(v, definitions, path)]));
}

/** apiVersion and kind can only be what the definition serves, as kubernetes-json-schema writes them. */
function withKindEnums(schema: JsonSchema, definition: JsonSchema): JsonSchema {
  const gvks = definition['x-kubernetes-group-version-kind'];
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  if (!Array.isArray(gvks) || gvks.length === 0 || !properties?.apiVersion || !properties.kind) return schema;
  const apiVersions = [...new Set(gvks.map((g: { group?: string; version: string }) => (g.group ? `${g.group}/${g.version}` : g.version)))];
  const kinds = [...new Set(gvks.map((g: { kind: string }) => g.kind))];
  return { ...schema, properties: { ...properties, apiVersion: { ...properties.apiVersion, enum: apiVersions }, kind: { ...properties.kind, enum: kinds } } };
}

/** openapi2jsonschema's int-or-string: `format: int-or-string` takes an integer or a string. */
function intOrString(node: JsonSchema): JsonSchema {
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (typeof value !== 'object' || value === null) return value;
    const object = value as JsonSchema;
    if (object.format === 'int-or-string') {
      const { format: _, type: __, ...rest } = object;
      return { ...(walk(rest) as JsonSchema), 'x-kubernetes-int-or-string': true };
    }
    return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, walk(v)]));
  };
  return walk(node) as JsonSchema;
}

function asQuantity(definition: JsonSchema): JsonSchema {
  const { type: _, ...rest } = definition;
  return { ...rest, oneOf: [{ type: 'string' }, { type: 'number' }] };
}

function openApiV3(schema: unknown): JsonSchema | undefined {
  return typeof schema === 'object' && schema !== null && !Array.isArray(schema) ? (schema as JsonSchema) : undefined;
}
