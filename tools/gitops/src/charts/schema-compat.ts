import { escapeSegment, pathToPointer, unescapeSegment, type JsonPath } from '../core/json-pointer.js';

/** How a values.schema.json change can reject a values file the old schema accepted. */
export type BreakingKind = 'removed' | 'type' | 'required' | 'enum' | 'closed' | 'bound' | 'pattern' | 'combinator';

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
 * - a key removed (or renamed) where unknown keys are refused, `additionalProperties` closed;
 * - a type narrowed, an enum narrowed or introduced;
 * - a new required key (unless the chart's own defaults set it: helm validates the merged values);
 * - a bound tightened or introduced (minimum, maximum and their exclusive forms of draft 4 and
 *   draft 6+, minLength, maxLength, minItems, maxItems, minProperties, maxProperties,
 *   multipleOf, uniqueItems);
 * - a pattern introduced or changed (that a changed pattern only widens cannot be decided);
 * - allOf gaining a constraint, anyOf/oneOf no longer accepting what an old alternative
 *   accepted, oneOf gaining an alternative that may overlap another;
 * - `not`, `if`/`then`/`else`, `propertyNames`, `dependencies`/`dependentRequired`/
 *   `dependentSchemas` or `contains` introduced or changed (compared as a whole).
 * Local `$ref`s (`#/definitions/…`, `#/$defs/…`) are followed.
 */
export function breakingSchemaChanges(before: unknown, after: unknown, defaults: unknown = {}): BreakingChange[] {
  const compare = (oldNode: unknown, newNode: unknown, values: string[], schemaPath: JsonPath, defaultsAt: unknown, depth = 0): BreakingChange[] => {
    const out: BreakingChange[] = [];
    // Alternatives compared inside alternatives: a recursive schema ends here.
    if (depth > 8) return out;
    const seen = new Set<string>();
    const walk = (oldNode: unknown, newNode: unknown, values: string[], schemaPath: JsonPath, defaultsAt: unknown): void => {
      const a = resolve(before, oldNode);
      const b = resolve(after, newNode);
      if (!a.schema || !b.schema) return;
      // A $ref pair (a recursive schema, or one definition used in many places) is compared once:
      // keyed by place in the values, two recursive keys would make the walk exponential.
      if (values.length > 32) return;
      if (a.path.length > 0 || b.path.length > 0) {
        const key = `${a.path.join('/')}\0${b.path.join('/')}`;
        if (seen.has(key)) return;
        seen.add(key);
      }
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
      for (const change of boundChanges(a.schema, b.schema)) push('bound', change.message, [...at, change.keyword]);
      if (typeof b.schema.pattern === 'string' && b.schema.pattern !== a.schema.pattern) {
        push(
          'pattern',
          typeof a.schema.pattern === 'string'
            ? `pattern changed from /${a.schema.pattern}/ to /${b.schema.pattern}/: a value the old pattern accepts may be refused (that the new one only widens cannot be proven)`
            : `must now match the pattern /${b.schema.pattern}/`,
          [...at, 'pattern'],
        );
      }
      for (const keyword of WHOLE_KEYWORDS) {
        if (b.schema[keyword] !== undefined && (a.schema[keyword] === undefined || canonical(a.schema[keyword]) !== canonical(b.schema[keyword]))) push('combinator', `${keyword} ${a.schema[keyword] === undefined ? 'introduced' : 'changed'}: values the old schema accepted may be refused`, [...at, keyword]);
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

      // allOf: each constraint of the new schema must hold for what the old accepted, the old
      // schema taken with all of its own allOf constraints.
      const oldAll = flatten(before, a.schema);
      const newAll = flatten(after, b.schema);
      schemas(b.schema.allOf).forEach((sub, i) => out.push(...compare(oldAll, sub, values, [...at, 'allOf', String(i)], defaultsAt, depth + 1)));
      // anyOf / oneOf: what each old alternative (or the old schema, when it had none) accepted, some new
      // alternative accepts; each alternative taken with the keywords of the schema around it.
      for (const keyword of ['anyOf', 'oneOf'] as const) {
        const next = schemas(b.schema[keyword]).map((alt) => merge(after, alt, newAll));
        if (next.length === 0) continue;
        const previous = schemas(a.schema[keyword]).map((alt) => merge(before, alt, oldAll));
        const olds = previous.length > 0 ? previous : [oldAll];
        olds.forEach((old, i) => {
          if (next.some((n) => compare(old, n, values, at, defaultsAt, depth + 1).length === 0)) return;
          push('combinator', previous.length > 0 ? `${keyword} alternative ${i + 1} of the old schema is accepted by no alternative of the new one` : `${keyword} introduced: the values must now match ${next.length === 1 ? 'its schema' : `one of ${next.length} schemas`}`, [...at, keyword]);
        });
        if (keyword === 'oneOf' && previous.length > 0) {
          const known = new Set(previous.map((p) => canonical(p)));
          next.forEach((alt, j) => {
            if (known.has(canonical(alt))) return;
            const overlaps = next.some((other, k) => k !== j && typesOverlap(types(alt), types(other)));
            if (overlaps) push('combinator', `oneOf alternative ${j + 1} is new and may overlap another: a value matching two alternatives is refused`, [...at, 'oneOf', String(j)]);
          });
        }
      }

      for (const k of Object.keys(oldProps)) {
        if (k in newProps) walk(oldProps[k], newProps[k], [...values, k], [...at, 'properties', k], record(defaultsAt)[k]);
      }
      if (isSchema(a.schema.additionalProperties) && isSchema(b.schema.additionalProperties)) {
        walk(a.schema.additionalProperties, b.schema.additionalProperties, [...values, '*'], [...at, 'additionalProperties'], undefined);
      }
      if (isSchema(a.schema.items) && isSchema(b.schema.items)) walk(a.schema.items, b.schema.items, [...values, '0'], [...at, 'items'], undefined);
    };
    walk(oldNode, newNode, values, schemaPath, defaultsAt);
    return out;
  };
  return compare(before, after, [], [], defaults);
}

/** Keywords whose change is judged as a whole: any change may refuse what was accepted. */
const WHOLE_KEYWORDS = ['not', 'if', 'then', 'else', 'propertyNames', 'dependencies', 'dependentRequired', 'dependentSchemas', 'contains'] as const;

interface Bound {
  value: number;
  exclusive: boolean;
  keyword: string;
}

/** Bounds the new schema tightened or introduced. */
function boundChanges(a: Schema, b: Schema): { keyword: string; message: string }[] {
  const out: { keyword: string; message: string }[] = [];
  const lowerOld = lowerBound(a);
  const lowerNew = lowerBound(b);
  if (lowerNew && (!lowerOld || lowerNew.value > lowerOld.value || (lowerNew.value === lowerOld.value && lowerNew.exclusive && !lowerOld.exclusive))) {
    out.push({ keyword: lowerNew.keyword, message: `lower bound ${lowerOld ? `raised from ${showBound(lowerOld, '>')} to` : 'introduced:'} ${showBound(lowerNew, '>')}` });
  }
  const upperOld = upperBound(a);
  const upperNew = upperBound(b);
  if (upperNew && (!upperOld || upperNew.value < upperOld.value || (upperNew.value === upperOld.value && upperNew.exclusive && !upperOld.exclusive))) {
    out.push({ keyword: upperNew.keyword, message: `upper bound ${upperOld ? `lowered from ${showBound(upperOld, '<')} to` : 'introduced:'} ${showBound(upperNew, '<')}` });
  }
  for (const [keyword, tighter] of [
    ['minLength', 1],
    ['minItems', 1],
    ['minProperties', 1],
    ['maxLength', -1],
    ['maxItems', -1],
    ['maxProperties', -1],
  ] as const) {
    const next = b[keyword];
    const previous = a[keyword];
    if (typeof next !== 'number') continue;
    if (typeof previous !== 'number') out.push({ keyword, message: `${keyword} ${next} introduced` });
    else if ((next - previous) * tighter > 0) out.push({ keyword, message: `${keyword} ${tighter > 0 ? 'raised' : 'lowered'} from ${previous} to ${next}` });
  }
  if (typeof b.multipleOf === 'number' && b.multipleOf > 0) {
    const previous = a.multipleOf;
    // Every multiple of the old step is a multiple of the new one only when the new step divides the old.
    const divides = typeof previous === 'number' && Math.abs(previous / b.multipleOf - Math.round(previous / b.multipleOf)) < 1e-9;
    if (!divides) out.push({ keyword: 'multipleOf', message: typeof previous === 'number' ? `multipleOf changed from ${previous} to ${b.multipleOf}` : `multipleOf ${b.multipleOf} introduced` });
  }
  if (b.uniqueItems === true && a.uniqueItems !== true) out.push({ keyword: 'uniqueItems', message: 'uniqueItems introduced: a list with repeated items is now refused' });
  return out;
}

/** The strongest lower bound: `minimum`, made exclusive by draft 4's boolean `exclusiveMinimum`, or draft 6+'s numeric `exclusiveMinimum`. */
function lowerBound(s: Schema): Bound | undefined {
  const bounds: Bound[] = [];
  if (typeof s.minimum === 'number') bounds.push({ value: s.minimum, exclusive: s.exclusiveMinimum === true, keyword: 'minimum' });
  if (typeof s.exclusiveMinimum === 'number') bounds.push({ value: s.exclusiveMinimum, exclusive: true, keyword: 'exclusiveMinimum' });
  return bounds.sort((x, y) => y.value - x.value || Number(y.exclusive) - Number(x.exclusive))[0];
}

function upperBound(s: Schema): Bound | undefined {
  const bounds: Bound[] = [];
  if (typeof s.maximum === 'number') bounds.push({ value: s.maximum, exclusive: s.exclusiveMaximum === true, keyword: 'maximum' });
  if (typeof s.exclusiveMaximum === 'number') bounds.push({ value: s.exclusiveMaximum, exclusive: true, keyword: 'exclusiveMaximum' });
  return bounds.sort((x, y) => x.value - y.value || Number(y.exclusive) - Number(x.exclusive))[0];
}

function showBound(b: Bound, side: '>' | '<'): string {
  return `${side}${b.exclusive ? '' : '='} ${b.value}`;
}

function typesOverlap(x: string[] | undefined, y: string[] | undefined): boolean {
  if (x === undefined || y === undefined) return true;
  return x.some((t) => accepts(y, t)) || y.some((t) => accepts(x, t));
}

function schemas(v: unknown): unknown[] {
  return Array.isArray(v) ? v.filter(isSchema) : [];
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
  return canonical(a) === canonical(b);
}

/** Keywords that say nothing about what a schema accepts. */
const ANNOTATIONS = new Set(['title', 'description', 'examples', 'default', '$comment', 'deprecated', 'readOnly', 'writeOnly']);

/** JSON with keys in order and annotations left out: equal texts accept the same values. */
function canonical(v: unknown): string {
  const norm = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(norm);
    if (!isSchema(x)) return x;
    return Object.fromEntries(
      Object.keys(x)
        .filter((k) => !ANNOTATIONS.has(k))
        .sort()
        .map((k) => [k, norm(x[k])]),
    );
  };
  return JSON.stringify(norm(v)) ?? 'undefined';
}

/** A schema's own keywords and those of its allOf entries, as one schema (combinators left out). */
function flatten(root: unknown, schema: Schema): Schema {
  const { allOf, anyOf: _anyOf, oneOf: _oneOf, ...own } = schema;
  return schemas(allOf).reduce<Schema>((acc, sub) => merge(root, acc, sub), own);
}

/**
 * Two schemas of one document as one (what both require): properties merged per key,
 * required united, types intersected, elsewhere the first's keyword stands. An approximation used only to
 * compare schemas, never to validate.
 */
function merge(root: unknown, first: unknown, second: unknown, depth = 0): Schema {
  const x = resolve(root, first).schema ?? {};
  const y = flatten(root, resolve(root, second).schema ?? {});
  const out: Schema = { ...y, ...x };
  const xp = record(x.properties);
  const yp = record(y.properties);
  if (x.properties !== undefined || y.properties !== undefined) {
    out.properties = Object.fromEntries([...new Set([...Object.keys(xp), ...Object.keys(yp)])].map((k) => [k, k in xp && k in yp && depth < 16 ? merge(root, xp[k], yp[k], depth + 1) : (xp[k] ?? yp[k])]));
  }
  const required = [...new Set([...strings(x.required), ...strings(y.required)])];
  if (required.length > 0) out.required = required;
  // Both must hold: the types both accept (an integer is a number).
  const tx = types(x);
  const ty = types(y);
  if (tx && ty) out.type = [...new Set([...tx.filter((t) => accepts(ty, t)), ...ty.filter((t) => accepts(tx, t))])];
  return out;
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
