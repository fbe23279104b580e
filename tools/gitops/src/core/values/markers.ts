import { valueAt, type JsonPath } from '../json-pointer.js';
import { isMap, type ValueLayer } from './layers.js';

/**
 * Exact provenance: the merged values with every string and number replaced by a marker
 * unique to its path. Rendered with them, a field that holds a marker came from that path;
 * a field that holds none came from the template (or from a value the template transformed).
 *
 * Booleans, nulls and empty strings are kept: they decide what a template renders, and a
 * marker in their place would render other objects.
 */
export interface MarkedValues {
  /** What helm reads in place of the Application's values (chart defaults included). */
  values: Record<string, unknown>;
  /** The values path of each marker. */
  paths: Map<string, JsonPath>;
}

const PREFIX = 'gitopsv';
// Case-insensitive: `upper` and `title` keep a marker recognisable.
const MARKER = /gitopsv(\d+)x/gi;
// Below 1e6: Go prints a larger float64 value in exponent form (1e+06), which would hide it.
// 97 apart, so that a template adding or subtracting a little lands on no other marker.
const NUMBER_BASE = 900_000;
const NUMBER_STEP = 97;
const MAX_NUMBERS = Math.floor(99_999 / NUMBER_STEP);

/** Marks `merged`; keys a higher layer deleted with null stay deleted (helm would bring back the chart default otherwise). */
export function markValues(merged: Record<string, unknown>, layers: readonly ValueLayer[], options: { numbers: boolean }): MarkedValues {
  const paths = new Map<string, JsonPath>();
  let next = 1;
  let numbers = 0;
  const mark = (node: unknown, path: JsonPath): unknown => {
    if (isMap(node)) return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, mark(v, [...path, k])]));
    if (Array.isArray(node)) return node.map((v, i) => mark(v, [...path, i]));
    if (typeof node === 'string' && node !== '') {
      const marker = `${PREFIX}${next++}x`;
      paths.set(marker, path);
      return marker;
    }
    if (typeof node === 'number' && options.numbers && numbers < MAX_NUMBERS) {
      const marker = NUMBER_BASE + NUMBER_STEP * ++numbers;
      paths.set(String(marker), path);
      return marker;
    }
    return node;
  };
  const values = mark(merged, []) as Record<string, unknown>;
  for (const layer of layers) keepDeleted(layer.data, values);
  return { values, paths };
}

function keepDeleted(layer: Record<string, unknown>, out: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(layer)) {
    if (value === null && !Object.hasOwn(out, key)) out[key] = null;
    else if (isMap(value) && isMap(out[key])) keepDeleted(value, out[key]);
  }
}

/** The values paths whose markers a rendered value holds: a scalar's own, or every one inside a map or list. */
export function markersIn(value: unknown, marked: MarkedValues): JsonPath[] {
  const found: JsonPath[] = [];
  const visit = (node: unknown): void => {
    if (typeof node === 'string') {
      // A number the template quoted.
      const quoted = marked.paths.get(node);
      if (quoted && /^\d+$/.test(node)) found.push(quoted);
      for (const m of node.matchAll(MARKER)) {
        const path = marked.paths.get(`${PREFIX}${m[1]}x`);
        if (path) found.push(path);
      }
    } else if (typeof node === 'number') {
      const path = marked.paths.get(String(node));
      if (path) found.push(path);
    } else if (isMap(node)) Object.values(node).forEach(visit);
    else if (Array.isArray(node)) node.forEach(visit);
  };
  visit(value);
  return found;
}

/** `text` with each marker replaced by `value` of its path (markers of no path are kept). */
export function replaceMarkers(text: string, marked: MarkedValues, value: (path: JsonPath) => string): string {
  return text.replace(MARKER, (m, n: string) => {
    const path = marked.paths.get(`${PREFIX}${n}x`);
    return path ? value(path) : m;
  });
}

/**
 * The values map a rendered map or list was made from: every string and number in it is a
 * marker, and the markers share a map of the values. Undefined when the template wrote any
 * of it itself (then its siblings say nothing about where a missing field belongs).
 */
export function sourceMap(node: unknown, marked: MarkedValues, merged: Record<string, unknown>): JsonPath | undefined {
  if (!isMap(node) && !Array.isArray(node)) return undefined;
  let own = false;
  const visit = (n: unknown): void => {
    if ((typeof n === 'string' && n !== '' && markersIn(n, marked).length === 0) || (typeof n === 'number' && markersIn(n, marked).length === 0)) own = true;
    else if (isMap(n)) Object.values(n).forEach(visit);
    else if (Array.isArray(n)) n.forEach(visit);
  };
  visit(node);
  const paths = markersIn(node, marked);
  if (own || paths.length === 0) return undefined;
  let prefix = commonPrefix(paths);
  if (!isMap(valueAt(merged, prefix)) && !Array.isArray(valueAt(merged, prefix))) prefix = prefix.slice(0, -1);
  return prefix.length > 0 ? prefix : undefined;
}

/** The longest path every one of `paths` starts with. */
function commonPrefix(paths: readonly JsonPath[]): JsonPath {
  if (paths.length === 0) return [];
  const [first, ...rest] = paths;
  let n = first!.length;
  for (const p of rest) {
    let i = 0;
    while (i < n && i < p.length && p[i] === first![i]) i++;
    n = i;
  }
  return first!.slice(0, n);
}
