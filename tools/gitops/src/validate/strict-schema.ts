/**
 * Makes a Kubernetes or CRD JSON Schema strict the way kubeconform's `-strict` schemas are
 * made: an object schema that lists `properties` and says nothing of `additionalProperties`
 * is closed, unless it sets `x-kubernetes-preserve-unknown-fields`. Both engines validate
 * against the result, so it is the single definition of what "valid" means.
 */

/** A JSON Schema node as read from disk: untrusted until strictified. */
export type JsonSchema = { [keyword: string]: unknown };

/** The dialect every strict schema declares, so ajv and kubeconform read it alike. */
export const STRICT_SCHEMA_DIALECT = 'http://json-schema.org/draft-07/schema#';

/**
 * Keywords that only annotate. `format` is among them: kubeconform asserts no format for the
 * Kubernetes schemas, and formats such as int32 or byte have no JSON Schema meaning, so
 * neither engine checks one. `x-kubernetes-*` are read below, then dropped.
 */
const ANNOTATIONS = new Set(['description', 'default', 'format', 'example', 'examples', 'title', 'nullable', '$schema', '$comment']);

const SUBSCHEMA_MAPS = ['properties', 'patternProperties'] as const;
const SUBSCHEMA_LISTS = ['oneOf', 'anyOf', 'allOf'] as const;

/** Returns a new, strict copy of `schema`; the input is not modified. */
export function strictSchema(schema: JsonSchema): JsonSchema {
  return { $schema: STRICT_SCHEMA_DIALECT, ...strictNode(schema, false) };
}

/**
 * `inCombinator`: inside oneOf/anyOf/allOf/not a schema only constrains values (a structural
 * schema cannot declare fields there), so it is never closed: the enclosing object is.
 */
function strictNode(node: JsonSchema, inCombinator: boolean): JsonSchema {
  const out: JsonSchema = {};
  for (const [keyword, value] of Object.entries(node)) {
    if (ANNOTATIONS.has(keyword) || keyword.startsWith('x-')) continue;
    out[keyword] = strictKeyword(keyword, value, inCombinator);
  }

  const nullable = node.nullable === true || typesOf(node.type).includes('null');
  if (node['x-kubernetes-int-or-string'] === true) {
    // Either an anyOf of both types (CRDs) or nothing at all (schemas from /openapi/v2).
    out.type = withNull(['integer', 'string'], nullable);
    dropTypeOnlyBranches(out);
  } else {
    collapseTypeUnion(out);
    if (node.nullable === true) allowNull(out);
  }

  const preserveUnknown = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (!inCombinator && !preserveUnknown && isObject(node.properties) && !('additionalProperties' in node)) {
    out.additionalProperties = false;
  }
  return out;
}

function strictKeyword(keyword: string, value: unknown, inCombinator: boolean): unknown {
  if ((SUBSCHEMA_MAPS as readonly string[]).includes(keyword) && isObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, isObject(sub) ? strictNode(sub, inCombinator) : sub]));
  }
  if ((SUBSCHEMA_LISTS as readonly string[]).includes(keyword) && Array.isArray(value)) {
    return value.map((sub) => (isObject(sub) ? strictNode(sub, true) : sub));
  }
  if (keyword === 'not' && isObject(value)) return strictNode(value, true);
  if ((keyword === 'items' || keyword === 'additionalProperties') && isObject(value)) return strictNode(value, inCombinator);
  if (keyword === 'items' && Array.isArray(value)) return value.map((sub) => (isObject(sub) ? strictNode(sub, inCombinator) : sub));
  return value;
}

/**
 * int-or-string and Quantity come as `oneOf: [{type: string}, {type: integer}]` (both with
 * "null" in the standalone schemas). A null matches both branches, so oneOf would reject it
 * although Kubernetes takes null as "unset": a plain union of the types says what is meant.
 */
function collapseTypeUnion(out: JsonSchema): void {
  if ('type' in out) return;
  for (const keyword of ['oneOf', 'anyOf'] as const) {
    const branches = out[keyword];
    if (!Array.isArray(branches) || branches.length === 0 || !branches.every(isTypeOnly)) continue;
    const types = unique(branches.flatMap((b) => typesOf((b as JsonSchema).type)));
    out.type = withNull(types.filter((t) => t !== 'null'), types.includes('null'));
    delete out[keyword];
    return;
  }
}

function dropTypeOnlyBranches(out: JsonSchema): void {
  for (const keyword of ['oneOf', 'anyOf'] as const) {
    const branches = out[keyword];
    if (Array.isArray(branches) && branches.every(isTypeOnly)) delete out[keyword];
  }
}

/** OpenAPI's `nullable: true` in JSON Schema terms. */
function allowNull(out: JsonSchema): void {
  if (out.type !== undefined) out.type = withNull(typesOf(out.type), true);
  if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
}

function isTypeOnly(branch: unknown): boolean {
  if (!isObject(branch)) return false;
  const keys = Object.keys(branch).filter((k) => !ANNOTATIONS.has(k) && !k.startsWith('x-'));
  return keys.length === 1 && keys[0] === 'type';
}

function typesOf(type: unknown): string[] {
  if (typeof type === 'string') return [type];
  if (Array.isArray(type)) return type.filter((t): t is string => typeof t === 'string');
  return [];
}

function withNull(types: string[], nullable: boolean): string | string[] {
  const all = unique(nullable ? [...types, 'null'] : types);
  return all.length === 1 ? all[0]! : all;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function isObject(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
