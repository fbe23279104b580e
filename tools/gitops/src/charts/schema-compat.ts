import { escapeSegment, pathToPointer, unescapeSegment, type JsonPath } from '../core/json-pointer.js';

/** How a values.schema.json change can reject a values file the old schema accepted. */
export type BreakingKind = 'removed' | 'type' | 'required' | 'enum' | 'closed';

/** One change of a chart's values schema that can break an existing values file. */
export interface BreakingChange {
  kind: BreakingKind;
  /** JSON pointer of the values the change is about (`/autoscaling/minReplicas`). */
  pointer: string;
  /** Where the change is, in the new schema document (to locate it with its line). */
  schemaPath: JsonPath;
  /** For people: what changed and why a values file can break. */
  message: string;
}

type Schema = Record<string, unknown>;

/**
 * The changes from `before` to `after` that can make a values file invalid that was valid:
 * a key removed (or renamed) where unknown keys are refused, a type narrowed, a new required
 * key (unless the chart's own defaults set it: helm validates the merged values), an enum
 * narrowed, `additionalProperties` closed. Keywords beyond these (minimum, pattern, …) are not
 * compared. Local `$ref`s (`#/definitions/…`, `#/$defs/…`) are followed.
 */
export function breakingSchemaChanges(before: unknown, after: unknown, defaults: unknown = {}): BreakingChange[] {
  const out: BreakingChange[] = [];
  const seen = new Set<string>();
  const walk = (oldNode: unknown, newNode: unknown, values: string[], schemaPath: JsonPath, defaultsAt: unknown): void => {
    const a = resolve(before, oldNode);
    const b = resolve(after, newNode);
    if (!a.schema || !b.schema) return;
    // A $ref cycle (a recursive schema) is compared once per place in the values.
    const key = `${values.join('/')}\0${a.path.join('/')}\0${b.path.join('/')}`;
    if (seen.has(key) || values.length > 32) return;
    seen.add(key);
    const at = b.path.length > 0 ? b.path : schemaPath;
    const pointer = pathToPointer(values) || '/';
    const push = (kind: BreakingKind, message: string, where: JsonPath = at) => out.push({ kind, pointer, schemaPath: where, message });

    const oldTypes = types(a.schema);
    const newTypes = types(b.schema);
    const lost = oldTypes === undefined ? (newTypes === undefined ? [] : ['any type']) : oldTypes.filter((t) => !accepts(newTypes, t));
    if (lost.length > 0) push('type', `type narrowed from ${describeTypes(oldTypes)} to ${describeTypes(newTypes)}: ${lost.join(', ')} no longer accepted`, [...at, 'type']);

    const oldEnum = enumOf(a.schema);
    const newEnum = enumOf(b.schema);
    if (newEnum) {
      const dropped = oldEnum ? oldEnum.filter((v) => !newEnum.some((n) => same(n, v))) : undefined;
      if (!oldEnum) push('enum', `now restricted to ${newEnum.map(show).join(', ')}`, [...at, 'enum' in b.schema ? 'enum' : 'const']);
      else if (dropped!.length > 0) push('enum', `enum narrowed: ${dropped!.map(show).join(', ')} no longer allowed`, [...at, 'enum' in b.schema ? 'enum' : 'const']);
    }

    const oldProps = record(a.schema.properties);
    const newProps = record(b.schema.properties);
    const newClosed = b.schema.additionalProperties === false;
    const oldClosed = a.schema.additionalProperties === false;
    if (newClosed && !oldClosed) push('closed', 'additionalProperties closed: keys the schema does not list are now refused', [...at, 'additionalProperties']);

    const removed = Object.keys(oldProps).filter((k) => !(k in newProps));
    const added = Object.keys(newProps).filter((k) => !(k in oldProps));
    if (newClosed) {
      for (const k of removed) {
        if (matchesPattern(b.schema, k)) continue;
        const renamed = removed.length === 1 && added.length === 1 ? ` (renamed to "${added[0]}"?)` : '';
        out.push({ kind: 'removed', pointer: `${pointer === '/' ? '' : pointer}/${escapeSegment(k)}`, schemaPath: [...at, 'properties'], message: `key "${k}" removed${renamed}: a values file that sets it is now refused` });
      }
    }

    const oldRequired = strings(a.schema.required);
    for (const k of strings(b.schema.required)) {
      if (oldRequired.includes(k)) continue;
      if (record(defaultsAt)[k] !== undefined) continue;
      push('required', `new required key "${k}": a values file without it is now refused`, [...at, 'required']);
    }

    for (const k of Object.keys(oldProps)) {
      if (k in newProps) walk(oldProps[k], newProps[k], [...values, k], [...at, 'properties', k], record(defaultsAt)[k]);
    }
    if (isSchema(a.schema.additionalProperties) && isSchema(b.schema.additionalProperties)) {
      walk(a.schema.additionalProperties, b.schema.additionalProperties, [...values, '*'], [...at, 'additionalProperties'], undefined);
    }
    if (isSchema(a.schema.items) && isSchema(b.schema.items)) walk(a.schema.items, b.schema.items, [...values, '0'], [...at, 'items'], undefined);
  };
  walk(before, after, [], [], defaults);
  return out;
}

/** The schema a node stands for, $refs followed, with its path in the document when it was a ref. */
function resolve(root: unknown, node: unknown): { schema?: Schema; path: JsonPath } {
  let path: JsonPath = [];
  let current = node;
  for (let hops = 0; hops < 16 && isSchema(current) && typeof current.$ref === 'string'; hops++) {
    const ref = current.$ref;
    if (!ref.startsWith('#/')) return { path };
    path = ref
      .slice(2)
      .split('/')
      .map(unescapeSegment);
    current = path.reduce<unknown>((n, s) => record(n)[s], root);
  }
  return isSchema(current) ? { schema: current, path } : { path };
}

/** The JSON types a schema accepts; undefined: any. */
function types(schema: Schema): string[] | undefined {
  if (typeof schema.type === 'string') return [schema.type];
  if (Array.isArray(schema.type)) return schema.type.filter((t): t is string => typeof t === 'string');
  return undefined;
}

/** An integer is a number; the reverse is a narrowing. */
function accepts(types: string[] | undefined, type: string): boolean {
  return types === undefined || types.includes(type) || (type === 'integer' && types.includes('number'));
}

function describeTypes(types: string[] | undefined): string {
  return types === undefined ? 'any' : types.join(' | ');
}

function enumOf(schema: Schema): unknown[] | undefined {
  if (Array.isArray(schema.enum)) return schema.enum;
  if ('const' in schema) return [schema.const];
  return undefined;
}

function matchesPattern(schema: Schema, key: string): boolean {
  return Object.keys(record(schema.patternProperties)).some((p) => {
    try {
      return new RegExp(p, 'u').test(key);
    } catch {
      // A pattern JavaScript cannot read: assume it may match rather than report a false break.
      return true;
    }
  });
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function show(v: unknown): string {
  return JSON.stringify(v);
}

function isSchema(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function record(v: unknown): Record<string, unknown> {
  return isSchema(v) ? v : {};
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
}
