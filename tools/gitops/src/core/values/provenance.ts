import type { SourceLocation } from '../findings.js';
import type { JsonPath } from '../yaml/parse-yaml.js';
import { deepestHolder, isMap, ownerOf, type ValueLayer } from './layers.js';

interface Node {
  path: (string | number)[];
  value: unknown;
}

/**
 * Where in the values a field of a rendered manifest comes from, so a finding about the
 * manifest can name the values line a person edits. Templates are opaque, so this matches
 * by evidence: the values path whose value equals the field's (or is part of it, as an image
 * tag is part of an image) and whose key path ends most like the manifest path. For a field
 * that is missing, the values map that would hold it. Undefined when nothing matches well.
 */
export function valuesOrigin(layers: readonly ValueLayer[], merged: Record<string, unknown>, manifestPath: JsonPath, value: unknown): SourceLocation | undefined {
  const nodes = flatten(merged);
  const target = keysOf(manifestPath);
  if (value === undefined) {
    const parent = target.slice(0, -1);
    const best = pick(nodes.filter((n) => isMap(n.value)), (n) => suffixScore(keysOf(n.path), parent));
    if (!best) return undefined;
    const holder = deepestHolder(layers, best.path, (l) => l.kind === 'file');
    return holder?.locate(best.path, 'key');
  }
  if (isMap(value) || Array.isArray(value)) return undefined;
  const text = String(value);
  const exact = pick(
    nodes.filter((n) => !isMap(n.value) && !Array.isArray(n.value) && n.value !== null && String(n.value) === text),
    (n) => suffixScore(keysOf(n.path), target),
  );
  // `image: registry/app:1.2.3` from `image.repository` and an `image.tag` parameter.
  const partial =
    exact ??
    (typeof value === 'string'
      ? pick(
          nodes.filter((n) => typeof n.value === 'string' && n.value.length >= 3 && text.includes(n.value)),
          // Several parts may match (repository and tag): the most specific layer's wins.
          (n) => (keysOf(n.path).some((k) => target.includes(k)) ? 1 + layers.indexOf(ownerOf(layers, n.path)!) / layers.length : 0),
        )
      : undefined);
  if (!partial) return undefined;
  return ownerOf(layers, partial.path)?.locate(partial.path, 'value');
}

/**
 * The boolean values that may decide a boolean field, most likely first: keys ending most like
 * the field's path, then the most specific layer (the service's own files before chart
 * defaults). A template may negate one, so both values are candidates.
 */
export function booleanCandidates(layers: readonly ValueLayer[], merged: Record<string, unknown>, manifestPath: JsonPath, limit: number): JsonPath[] {
  const target = keysOf(manifestPath);
  const rank = (n: Node) => [suffixScore(keysOf(n.path), target), layers.indexOf(ownerOf(layers, n.path)!)] as const;
  return flatten(merged)
    .filter((n) => typeof n.value === 'boolean' && ownerOf(layers, n.path) !== undefined)
    .map((n) => ({ n, r: rank(n) }))
    .sort((a, b) => b.r[0] - a.r[0] || b.r[1] - a.r[1])
    .slice(0, limit)
    .map(({ n }) => n.path);
}

/** Every value of the merged tree with its path. */
function flatten(node: unknown, path: (string | number)[] = [], out: Node[] = []): Node[] {
  out.push({ path, value: node });
  if (isMap(node)) for (const [k, v] of Object.entries(node)) flatten(v, [...path, k], out);
  else if (Array.isArray(node)) node.forEach((v, i) => flatten(v, [...path, i], out));
  return out;
}

/** The key names of a path, list indexes dropped: containers/0/resources -> containers, resources. */
function keysOf(path: JsonPath): string[] {
  return path.filter((s): s is string => typeof s === 'string').map((s) => s.toLowerCase());
}

/** How many trailing keys two paths share. */
function suffixScore(a: string[], b: string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
  return n;
}

/** The best-scoring node with a score of at least 1; ties go to the deeper (more specific) path. */
function pick(nodes: Node[], score: (n: Node) => number): Node | undefined {
  let best: Node | undefined;
  let bestScore = 0;
  for (const n of nodes) {
    const s = score(n);
    if (s > bestScore || (s === bestScore && s > 0 && best && n.path.length > best.path.length)) {
      best = n;
      bestScore = s;
    }
  }
  return bestScore > 0 ? best : undefined;
}
