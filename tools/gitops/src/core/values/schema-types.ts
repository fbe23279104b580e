import type { JsonPath } from '../yaml/parse-yaml.js';
import { unescapeSegment } from '../json-pointer.js';

type Schema = Record<string, unknown>;

const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The JSON types a chart's values.schema.json allows at a values path, following properties,
 * patternProperties, additionalProperties, items, local $refs and allOf/anyOf/oneOf. Empty
 * when the schema does not say (no schema, or `{}` there).
 */
export function schemaTypesAt(root: unknown, path: JsonPath): Set<string> {
  let current = expand(root, root, 0);
  for (const segment of path) {
    const next: Schema[] = [];
    for (const s of current) {
      const child = childSchema(s, segment);
      if (child !== undefined) next.push(...expand(child, root, 0));
    }
    current = next;
    if (current.length === 0) break;
  }
  const types = new Set<string>();
  for (const s of current) {
    const t = s.type;
    for (const name of Array.isArray(t) ? t : [t]) if (typeof name === 'string') types.add(name);
  }
  return types;
}

function childSchema(s: Schema, segment: string | number): unknown {
  if (typeof segment === 'number') {
    if (Array.isArray(s.prefixItems) && segment < s.prefixItems.length) return s.prefixItems[segment];
    if (Array.isArray(s.items)) return s.items[segment];
    return isSchema(s.items) ? s.items : undefined;
  }
  const props = s.properties;
  if (isSchema(props) && Object.hasOwn(props, segment)) return props[segment];
  if (isSchema(s.patternProperties)) {
    for (const [pattern, sub] of Object.entries(s.patternProperties)) {
      try {
        if (new RegExp(pattern, 'u').test(segment)) return sub;
      } catch {
        // A pattern JavaScript cannot compile says nothing about the type.
      }
    }
  }
  return isSchema(s.additionalProperties) ? s.additionalProperties : undefined;
}

/** A schema and the branches of its combinators and $ref, flattened (bounded, so a $ref cycle ends). */
function expand(node: unknown, root: unknown, depth: number): Schema[] {
  if (!isSchema(node) || depth > 16) return [];
  const out: Schema[] = [node];
  if (typeof node.$ref === 'string' && node.$ref.startsWith('#')) out.push(...expand(resolvePointer(root, node.$ref.slice(1)), root, depth + 1));
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = node[key];
    if (Array.isArray(list)) for (const branch of list) out.push(...expand(branch, root, depth + 1));
  }
  return out;
}

function resolvePointer(root: unknown, pointer: string): unknown {
  let node = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = unescapeSegment(decodeURIComponent(raw));
    node = isSchema(node) ? node[key] : undefined;
  }
  return node;
}
