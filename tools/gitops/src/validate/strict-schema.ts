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
 * Keywords that only annotate. `x-kubernetes-*` are read below, then dropped; `format` is
 * handled apart (see ASSERTED_FORMATS).
 */
const ANNOTATIONS = new Set(['description', 'default', 'format', 'example', 'examples', 'title', 'nullable', '$schema', '$comment']);

/**
 * The formats both engines assert, where kubeconform asserts formats at all: its JSON Schema
 * library checks `format` for drafts up to 7, and a schema without `$schema` is draft 4 to it,
 * which is how the CRD catalog's schemas are read; the standalone Kubernetes schemas declare
 * `http://json-schema.org/schema#` (the latest draft), where formats only annotate. Formats
 * with no JSON Schema meaning (int32, byte, …) are never checked; the few other formats
 * kubeconform knows (hostname, email, uri, …) are not checked either (README: deliberate
 * differences).
 */
export const ASSERTED_FORMATS = new Set(['date-time', 'date', 'time', 'ipv4', 'ipv6', 'uuid']);

/** How kubeconform reads a source schema: by its `$schema`, draft 4 when it has none. */
export type SourceDraft = 4 | 6 | 7 | 2019;

export function sourceDraft(schema: JsonSchema): SourceDraft {
  const declared = typeof schema.$schema === 'string' ? schema.$schema.replace(/^https?:\/\//, '').replace(/#$/, '') : undefined;
  if (declared === undefined) return 4;
  if (declared === 'json-schema.org/draft-04/schema') return 4;
  if (declared === 'json-schema.org/draft-06/schema') return 6;
  if (declared === 'json-schema.org/draft-07/schema') return 7;
  return 2019;
}

const SUBSCHEMA_MAPS = ['properties', 'patternProperties'] as const;
const SUBSCHEMA_LISTS = ['oneOf', 'anyOf', 'allOf'] as const;

/**
 * Returns a new, strict copy of `schema`, in draft 7, meaning what kubeconform makes of the
 * source in its own draft (`draft`, else its `$schema`): draft 4's boolean
 * `exclusiveMaximum`/`exclusiveMinimum` become draft 7's numbers, formats are kept where
 * asserted. The input is not modified.
 */
export function strictSchema(schema: JsonSchema, draft: SourceDraft = sourceDraft(schema)): JsonSchema {
  return { $schema: STRICT_SCHEMA_DIALECT, ...strictNode(schema, false, draft) };
}

/**
 * `inCombinator`: inside oneOf/anyOf/allOf/not a schema only constrains values (a structural
 * schema cannot declare fields there), so it is never closed: the enclosing object is.
 */
function strictNode(node: JsonSchema, inCombinator: boolean, draft: SourceDraft): JsonSchema {
  const out: JsonSchema = {};
  for (const [keyword, value] of Object.entries(node)) {
    if (ANNOTATIONS.has(keyword) || keyword.startsWith('x-')) continue;
    out[keyword] = strictKeyword(keyword, value, inCombinator, draft);
  }
  if (draft <= 7 && typeof node.format === 'string' && ASSERTED_FORMATS.has(node.format)) out.format = node.format;
  if (draft === 4) exclusiveBounds(out);

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

function strictKeyword(keyword: string, value: unknown, inCombinator: boolean, draft: SourceDraft): unknown {
  if ((SUBSCHEMA_MAPS as readonly string[]).includes(keyword) && isObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, isObject(sub) ? strictNode(sub, inCombinator, draft) : sub]));
  }
  if ((SUBSCHEMA_LISTS as readonly string[]).includes(keyword) && Array.isArray(value)) {
    return value.map((sub) => (isObject(sub) ? strictNode(sub, true, draft) : sub));
  }
  if (keyword === 'not' && isObject(value)) return strictNode(value, true, draft);
  if ((keyword === 'items' || keyword === 'additionalProperties') && isObject(value)) return strictNode(value, inCombinator, draft);
  if (keyword === 'items' && Array.isArray(value)) return value.map((sub) => (isObject(sub) ? strictNode(sub, inCombinator, draft) : sub));
  return value;
}

/**
 * Draft 4: `exclusiveMaximum: true` makes `maximum` exclusive (false: inclusive). Draft 7 says
 * the same with a number; a boolean there is a schema error that would make the kind
 * unusable (the CRD catalog's HTTPProxy has one).
 */
function exclusiveBounds(out: JsonSchema): void {
  for (const [exclusive, bound] of [['exclusiveMaximum', 'maximum'], ['exclusiveMinimum', 'minimum']] as const) {
    if (typeof out[exclusive] !== 'boolean') continue;
    if (out[exclusive] === true && typeof out[bound] === 'number') {
      out[exclusive] = out[bound];
      delete out[bound];
    } else {
      delete out[exclusive];
    }
  }
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
