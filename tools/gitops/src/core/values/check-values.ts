import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { pointerToPath, valueAt } from '../json-pointer.js';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { closest, distance } from 'fastest-levenshtein';
import type { Finding, SourceLocation } from '../findings.js';
import type { JsonPath } from '../yaml/parse-yaml.js';
import { deepestHolder, ownerOf, type ValueLayer } from './layers.js';

export type ValuesFindingCode = 'VALUES_UNKNOWN_KEY' | 'VALUES_MISSING_KEY' | 'VALUES_WRONG_TYPE' | 'VALUES_INVALID' | 'VALUES_SCHEMA_BROKEN';

/** A chart's values.schema.json ready to compile: the ajv of the draft its $schema names. */
export interface ValuesSchema {
  ajv: Ajv;
  schema: object;
  /** Names the ajv class and options, for caches of the generated code. */
  flavour: string;
}

/** Reads a chart's values.schema.json: the schema and the ajv of its draft, or why it cannot be used. */
export function valuesSchema(schemaText: string): ValuesSchema | { error: string } {
  try {
    const schema = JSON.parse(schemaText) as { $schema?: string };
    // source: the generated code can be kept between runs.
    const options = { allErrors: true, verbose: true, strict: false, validateFormats: false, code: { source: true } } as const;
    const draft = /2020-12/.test(schema.$schema ?? '') ? '2020-12' : /2019-09/.test(schema.$schema ?? '') ? '2019-09' : 'draft-07';
    const ajv = draft === '2020-12' ? new Ajv2020(options) : draft === '2019-09' ? new Ajv2019(options) : new Ajv(options);
    return { ajv, schema, flavour: `values ${draft} allErrors verbose` };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

export interface ValuesContext {
  /** Repository path of the chart's values.schema.json, for schema problems. */
  schemaFile: string;
  /** Where a key the service must add should go when no file holds its parent map. */
  defaultFile: string;
  application: string;
  env: string;
  service: string;
}

/**
 * Validates the merged values against the chart's schema (compiled), as helm does before rendering, and
 * reports each error at the values file and line that set the offending key: the layer that
 * owns the value after merging, or for a missing key the most specific file holding its parent.
 */
export function checkValues(layers: readonly ValueLayer[], merged: unknown, validate: ValidateFunction | { error: string }, ctx: ValuesContext): Finding[] {
  const base = { application: ctx.application, env: ctx.env, service: ctx.service };
  if ('error' in validate) {
    // The chart's problem, not the Application's: reported once for all its consumers.
    return [{ code: 'VALUES_SCHEMA_BROKEN', severity: 'error', message: `values.schema.json does not compile: ${validate.error}`, location: { file: ctx.schemaFile } }];
  }
  if (validate(merged)) return [];
  const errors = mostSpecific(validate.errors ?? []);
  const findings = errors.map((err): Finding => {
    const path = pointerToPath(err.instancePath);
    const where = path.length ? path.join('.') : '(top level)';
    switch (err.keyword) {
      case 'additionalProperties': {
        const key = String(err.params.additionalProperty);
        const allowed = Object.keys((err.parentSchema as { properties?: object } | undefined)?.properties ?? {});
        const guess = allowed.length ? closest(key, allowed) : undefined;
        const close = guess !== undefined && similar(key, guess);
        return {
          ...base,
          code: 'VALUES_UNKNOWN_KEY',
          severity: 'error',
          message: `"${[...path, key].join('.')}" is not allowed${close ? ` (did you mean "${guess}"?)` : ''}`,
          hint: close ? `Rename it to ${guess}.` : allowedHint(key, allowed),
          location: at(layers, [...path, key], 'key', ctx),
        };
      }
      case 'required': {
        const key = String(err.params.missingProperty);
        const holder = deepestHolder(layers, path, (l) => l.kind === 'file');
        return {
          ...base,
          code: 'VALUES_MISSING_KEY',
          severity: 'error',
          message: `"${[...path, key].join('.')}" is required`,
          hint: `Add ${key} under ${where}.`,
          // Into a values file that already holds the parent map; else the service's own file.
          location: holder?.kind === 'file' ? holder.locate(path, 'key') : { file: ctx.defaultFile },
        };
      }
      case 'type': {
        const value = valueAt(merged, path);
        return {
          ...base,
          code: 'VALUES_WRONG_TYPE',
          severity: 'error',
          message: `${where}: ${describe(value)} where ${String(err.params.type)} is expected`,
          hint: typeHint(value, String(err.params.type)),
          location: at(layers, path, 'value', ctx),
        };
      }
      default:
        return { ...base, code: 'VALUES_INVALID', severity: 'error', message: `${where}: ${err.message ?? 'is invalid'}`, location: at(layers, path, 'value', ctx) };
    }
  });
  return findings;
}

function at(layers: readonly ValueLayer[], path: JsonPath, which: 'key' | 'value', ctx: ValuesContext): SourceLocation {
  return ownerOf(layers, path)?.locate(path, which) ?? { file: ctx.defaultFile };
}

/**
 * oneOf/anyOf report every branch's failure; keep the errors a person can act on: drop the
 * combinator's own summary when its branches explain it, and repeats of the same path and keyword.
 */
function mostSpecific(errors: ErrorObject[]): ErrorObject[] {
  const seen = new Set<string>();
  return errors.filter((err) => {
    if ((err.keyword === 'oneOf' || err.keyword === 'anyOf') && errors.some((e) => e !== err && e.instancePath.startsWith(err.instancePath) && e.keyword !== err.keyword)) return false;
    const key = `${err.instancePath}\0${err.keyword}\0${JSON.stringify(err.params)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** The YAML 1.1 surprises helm's reader springs, named where a string was meant. */
function typeHint(value: unknown, expected: string): string | undefined {
  if (!expected.includes('string')) return undefined;
  if (typeof value === 'boolean') return 'helm reads yes/no/on/off/y/n as booleans (YAML 1.1): quote the value.';
  if (typeof value === 'number') return 'helm reads this as a number (YAML 1.1: leading zeros are octal, 1.10 is 1.1): quote the value.';
  return undefined;
}

/** A suggestion is worth making when at most a third of the name differs, or it extends a long common prefix. */
function similar(a: string, b: string): boolean {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  let prefix = 0;
  while (prefix < Math.min(x.length, y.length) && x[prefix] === y[prefix]) prefix++;
  return distance(x, y) <= Math.max(1, Math.floor(Math.max(x.length, y.length) / 3)) || prefix >= Math.max(4, Math.ceil(Math.min(x.length, y.length) * 0.8));
}

/** The allowed keys nearest to the unknown one, at most ten. */
function allowedHint(key: string, allowed: string[]): string {
  if (allowed.length === 0) return 'No keys are allowed here.';
  const nearest = [...allowed].sort((a, b) => distance(key, a) - distance(key, b)).slice(0, 10);
  return `Allowed here: ${nearest.join(', ')}${allowed.length > nearest.length ? ', …' : ''} (see the chart's values.schema.json).`;
}
