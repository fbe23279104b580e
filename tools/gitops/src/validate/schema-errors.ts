import type { ErrorObject } from 'ajv';
import { escapeSegment } from '../core/json-pointer.js';
import { closest, distance } from 'fastest-levenshtein';

/** One reason an object breaks its schema. */
export interface SchemaError {
  /** JSON pointer of the offending field inside the object ("" for the object itself). */
  pointer: string;
  /** For people: what is wrong there, without the pointer. */
  message: string;
  /** The field should not be there at all: point at its name rather than its value. */
  atKey?: boolean;
}

const COMBINATORS = new Set(['oneOf', 'anyOf', 'allOf', 'not']);

/**
 * Turns ajv's errors (allErrors, verbose) into one error per offending field, located the way
 * kubeconform locates them, so that both engines name the same pointers:
 * - an unknown field is reported at the field itself (`/spec/replica`), not at its parent;
 * - a failure inside oneOf/anyOf/allOf/not is one error at the object that carries the
 *   combinator, not one per branch tried;
 * - a wrong type hides the other complaints about the same value (kubeconform stops there).
 */
export function schemaErrors(errors: readonly ErrorObject[]): SchemaError[] {
  const out: Located[] = [];
  const anchored = new Map<string, ErrorObject[]>();
  for (const err of errors) {
    const anchor = combinatorAnchor(err);
    if (anchor) {
      const key = `${anchor.pointer}\0${anchor.schemaPath}`;
      anchored.set(key, [...(anchored.get(key) ?? []), err]);
    } else {
      out.push(...leafErrors(err));
    }
  }
  for (const [key, group] of anchored) {
    const pointer = key.slice(0, key.indexOf('\0'));
    out.push({ pointer, message: describeCombinator(group), keyword: 'combinator' });
  }
  return tidy(out);
}

/** An error and the rule it breaks, while the list is tidied. */
interface Located extends SchemaError {
  keyword: string;
  /** For `required`: the missing field. */
  field?: string;
}

function leafErrors(err: ErrorObject): Located[] {
  const pointer = err.instancePath;
  const params = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'additionalProperties': {
      const field = String(params.additionalProperty);
      const known = Object.keys((err.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return [{ keyword: err.keyword, pointer: `${pointer}/${escapeSegment(field)}`, message: `unknown field "${field}"${suggest(field, known)}`, atKey: true }];
    }
    case 'required': {
      const field = String(params.missingProperty);
      return [{ keyword: err.keyword, field, pointer, message: `missing required field ${quote(field)}` }];
    }
    case 'type':
      return [{ keyword: err.keyword, pointer, message: `must be ${typeList(String(params.type))}, not ${typeName(err.data)}` }];
    case 'enum':
      return [{ keyword: err.keyword, pointer, message: `must be one of ${(params.allowedValues as unknown[]).filter((v) => v !== null).map(quote).join(', ')}, not ${quote(err.data)}` }];
    case 'const':
      return [{ keyword: err.keyword, pointer, message: `must be ${quote(params.allowedValue)}, not ${quote(err.data)}` }];
    case 'pattern':
      return [{ keyword: err.keyword, pointer, message: `${quote(err.data)} does not match the pattern ${String(params.pattern)}` }];
    default:
      return [{ keyword: err.keyword, pointer, message: `${err.message ?? `breaks the ${err.keyword} rule`}` }];
  }
}

/**
 * The outermost oneOf/anyOf/allOf/not an error comes from, and the pointer of the object that
 * carries it: the schema path before the combinator says how deep into the instance that is.
 */
function combinatorAnchor(err: ErrorObject): { pointer: string; schemaPath: string } | undefined {
  const segments = err.schemaPath.replace(/^#\/?/, '').split('/');
  let depth = 0;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (COMBINATORS.has(segment)) {
      const pointer = err.instancePath.split('/').slice(0, depth + 1).join('/');
      return { pointer, schemaPath: segments.slice(0, i + 1).join('/') };
    }
    if (segment === 'properties' || segment === 'patternProperties') {
      depth++;
      i++; // the property name or pattern
    } else if (segment === 'items') {
      depth++;
      if (/^\d+$/.test(segments[i + 1] ?? '')) i++; // tuple form
    } else if (segment === 'additionalProperties') {
      depth++;
    }
  }
  return undefined;
}

/** Says what the combinator wanted; the mutual-exclusion idiom of CRDs is named field by field. */
function describeCombinator(group: ErrorObject[]): string {
  const err = group.find((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf') ?? group[0]!;
  if (err.keyword !== 'oneOf' && err.keyword !== 'anyOf') {
    if (err.keyword === 'not') return 'is not allowed in this combination';
    return leafErrors(err)[0]!.message;
  }
  const branches = Array.isArray(err.schema) ? (err.schema as unknown[]) : [];
  const fields = branches.map(requiredOnly);
  const set = (names: string[]) => names.filter((n) => typeof err.data === 'object' && err.data !== null && n in err.data);
  const atMostOne = err.keyword === 'oneOf' && branches.length > 1 && excludesAll(branches[0]) && fields.slice(1).every((f) => f !== undefined);
  if (atMostOne) {
    const names = fields.slice(1).flat() as string[];
    return `at most one of ${names.map(quote).join(', ')} may be set, not ${set(names).map(quote).join(' and ')}`;
  }
  if (fields.every((f) => f !== undefined)) {
    const names = fields.flat() as string[];
    if (err.keyword === 'anyOf') return `must set at least one of ${names.map(quote).join(', ')}`;
    const present = set(names);
    return present.length > 1 ? `exactly one of ${names.map(quote).join(', ')} may be set, not ${present.map(quote).join(' and ')}` : `must set exactly one of ${names.map(quote).join(', ')}`;
  }
  if (err.keyword === 'anyOf') return 'matches none of the allowed forms';
  const passing = (err.params as { passingSchemas?: unknown }).passingSchemas;
  return passing ? 'matches more than one of the allowed forms' : 'matches none of the allowed forms';
}

/** `{required: [a]}` -> [a]; anything else -> undefined. */
function requiredOnly(branch: unknown): string[] | undefined {
  if (typeof branch !== 'object' || branch === null) return undefined;
  const keys = Object.keys(branch);
  const required = (branch as { required?: unknown }).required;
  return keys.length === 1 && Array.isArray(required) ? required.map(String) : undefined;
}

/** `{not: {anyOf: [{required: [a]}, …]}}`: none of the fields set. */
function excludesAll(branch: unknown): boolean {
  const inner = (branch as { not?: { anyOf?: unknown } } | undefined)?.not?.anyOf;
  return Array.isArray(inner) && inner.every((b) => requiredOnly(b) !== undefined);
}

/** Duplicates dropped, a wrong type alone at its pointer, missing fields of one object on one line. */
function tidy(errors: Located[]): SchemaError[] {
  const typed = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.pointer));
  const missing = new Map<string, string[]>();
  const seen = new Set<string>();
  const out: SchemaError[] = [];
  for (const e of errors) {
    if (typed.has(e.pointer) && e.keyword !== 'type') continue;
    if (e.keyword === 'required') {
      const fields = missing.get(e.pointer);
      if (fields) fields.push(e.field!);
      else {
        missing.set(e.pointer, [e.field!]);
        out.push({ pointer: e.pointer, message: '' });
      }
      continue;
    }
    const key = `${e.pointer}\0${e.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e.atKey ? { pointer: e.pointer, message: e.message, atKey: true } : { pointer: e.pointer, message: e.message });
  }
  return out.map((e) => {
    if (e.message !== '') return e;
    const fields = [...new Set(missing.get(e.pointer))];
    return { pointer: e.pointer, message: `missing required field${fields.length > 1 ? 's' : ''} ${fields.map(quote).join(', ')}` };
  });
}

function suggest(field: string, known: string[]): string {
  if (known.length === 0) return '';
  const guess = closest(field, known);
  return distance(field.toLowerCase(), guess.toLowerCase()) <= Math.max(1, Math.floor(guess.length / 3)) ? ` (did you mean "${guess}"?)` : '';
}

/** ajv's "string,null" -> "a string"; null is how OpenAPI says optional, not a type to ask for. */
function typeList(types: string): string {
  const wanted = types.split(',').filter((t) => t !== 'null');
  return wanted.map((t) => `${/^[aeiou]/.test(t) ? 'an' : 'a'} ${t}`).join(' or ') || 'null';
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function quote(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
