/**
 * The functions ApplicationSet Go templates may call: the sprig functions Argo CD exposes
 * that platform repos actually use, plus Argo CD's own `normalize`. Semantics follow sprig
 * (argument order included: the piped value comes last).
 */
import { createHash } from 'node:crypto';
import { NO_VALUE, TemplateError, truthy } from './template-values.js';

type Fn = (...args: unknown[]) => unknown;

const str = (v: unknown): string => (v === NO_VALUE || v === null || v === undefined ? '' : typeof v === 'string' ? v : formatValue(v));

const FUNCTIONS: Record<string, Fn> = {
  default: (def, given) => (truthy(given) ? given : def),
  empty: (v) => !truthy(v),
  coalesce: (...vs) => vs.find((v) => truthy(v)) ?? null,
  ternary: (a, b, cond) => (truthy(cond) ? a : b),
  quote: (...vs) => vs.filter((v) => v !== null && v !== NO_VALUE).map((v) => JSON.stringify(str(v))).join(' '),
  squote: (...vs) => vs.filter((v) => v !== null && v !== NO_VALUE).map((v) => `'${str(v)}'`).join(' '),
  lower: (s) => str(s).toLowerCase(),
  upper: (s) => str(s).toUpperCase(),
  title: (s) => str(s).replace(/\b\w/g, (c) => c.toUpperCase()),
  trim: (s) => str(s).trim(),
  trimPrefix: (prefix, s) => (str(s).startsWith(str(prefix)) ? str(s).slice(str(prefix).length) : str(s)),
  trimSuffix: (suffix, s) => (str(suffix) && str(s).endsWith(str(suffix)) ? str(s).slice(0, -str(suffix).length) : str(s)),
  trimAll: (cut, s) => trimChars(str(s), str(cut)),
  replace: (oldS, newS, s) => str(s).split(str(oldS)).join(str(newS)),
  trunc: (n, s) => {
    const len = Number(n);
    const text = str(s);
    if (len < 0) return text.length + len > 0 ? text.slice(text.length + len) : text;
    return text.slice(0, len);
  },
  nospace: (s) => str(s).replace(/\s+/g, ''),
  repeat: (n, s) => str(s).repeat(Math.max(0, Number(n))),
  contains: (sub, s) => str(s).includes(str(sub)),
  hasPrefix: (prefix, s) => str(s).startsWith(str(prefix)),
  hasSuffix: (suffix, s) => str(s).endsWith(str(suffix)),
  toString: (v: unknown) => str(v),
  join: (sep, list) => (Array.isArray(list) ? list.map(str).join(str(sep)) : str(list)),
  splitList: (sep, s) => str(s).split(str(sep)),
  printf: (format, ...args) => goSprintf(str(format), args),
  print: (...args) => args.map((a, i) => (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string' ? ' ' : '') + str(a)).join(''),
  eq: (a, ...bs) => bs.some((b) => a === b),
  ne: (a, b) => a !== b,
  lt: (a, b) => compare(a, b) < 0,
  le: (a, b) => compare(a, b) <= 0,
  gt: (a, b) => compare(a, b) > 0,
  ge: (a, b) => compare(a, b) >= 0,
  and: (...vs) => vs.find((v) => !truthy(v)) ?? vs[vs.length - 1],
  or: (...vs) => vs.find((v) => truthy(v)) ?? vs[vs.length - 1],
  not: (v) => !truthy(v),
  len: (v) => (typeof v === 'string' || Array.isArray(v) ? v.length : v && typeof v === 'object' ? Object.keys(v).length : fail('len of a non-collection')),
  index: (v, ...keys) => keys.reduce<unknown>((acc, k) => (acc && typeof acc === 'object' ? (acc as Record<string, unknown>)[String(k)] : fail(`cannot index ${typeof acc}`)), v),
  b64enc: (s) => Buffer.from(str(s)).toString('base64'),
  b64dec: (s) => Buffer.from(str(s), 'base64').toString('utf8'),
  sha256sum: (s) => createHash('sha256').update(str(s)).digest('hex'),
  // Argo CD's normalize: a valid Kubernetes name from any string.
  normalize: (s) =>
    str(s)
      .toLowerCase()
      .replace(/[^a-z0-9-.]/g, '-')
      .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')
      .slice(0, 253),
};

function fail(message: string): never {
  throw new Error(message);
}

function trimChars(s: string, cut: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && cut.includes(s[start]!)) start++;
  while (end > start && cut.includes(s[end - 1]!)) end--;
  return s.slice(start, end);
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  throw new Error('incompatible types for comparison');
}

export function hasFunction(name: string): boolean {
  return Object.hasOwn(FUNCTIONS, name);
}

export function callFunction(name: string, args: unknown[]): unknown {
  return FUNCTIONS[name]!(...args);
}

/** How Go's fmt prints a value with %v (what {{ .x }} outputs). */
export function printValue(value: unknown, pos: number): string {
  if (value === NO_VALUE) return '<no value>';
  try {
    return formatValue(value);
  } catch (err) {
    throw new TemplateError((err as Error).message, pos);
  }
}

function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return goFloat(value);
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(formatValue).join(' ')}]`;
  if (typeof value === 'object') {
    const entries = Object.keys(value).sort().map((k) => `${k}:${formatValue((value as Record<string, unknown>)[k])}`);
    return `map[${entries.join(' ')}]`;
  }
  return String(value);
}

/**
 * Go's %v for a float64 (every number Argo CD reads from a generator file is one, via JSON):
 * shortest digits, and exponent form when the exponent is below -4 or at least 6, as
 * strconv's 'g' does at shortest precision (1e+06, not 1000000).
 */
export function goFloat(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? '+Inf' : '-Inf';
  if (n === 0) return '0';
  const [mantissa, expText] = n.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp >= -4 && exp < 6) return String(n);
  const abs = Math.abs(exp);
  return `${mantissa}e${exp < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
}

function goSprintf(format: string, args: unknown[]): string {
  let i = 0;
  return format.replace(/%([%sdvq])/g, (_m, verb: string) => {
    if (verb === '%') return '%';
    if (i >= args.length) return `%!${verb}(MISSING)`;
    const arg = args[i++];
    switch (verb) {
      case 'd':
        return typeof arg === 'number' && Number.isInteger(arg) ? String(arg) : `%!d(${typeof arg}=${str(arg)})`;
      case 'q':
        return JSON.stringify(str(arg));
      default:
        return str(arg);
    }
  });
}
