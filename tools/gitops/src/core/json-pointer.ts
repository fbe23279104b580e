/**
 * JSON pointers (RFC 6901) and the paths they name, for every stage: schema errors, policy
 * findings and values provenance all point at fields this way.
 */

/** A path into a document: map keys and list indexes. */
export type JsonPath = readonly (string | number)[];

/** One segment escaped for a pointer (`/` and `~` occur in annotation keys). */
export function escapeSegment(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function unescapeSegment(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** "/spec/ports/0" -> ["spec", "ports", 0]. */
export function pointerToPath(pointer: string): JsonPath {
  if (pointer === '') return [];
  return pointer
    .split('/')
    .slice(1)
    .map((raw) => {
      const segment = unescapeSegment(raw);
      return /^(0|[1-9]\d*)$/.test(segment) ? Number(segment) : segment;
    });
}

/** ["spec", "ports", 0] -> "/spec/ports/0". */
export function pathToPointer(path: JsonPath): string {
  return path.map((s) => `/${escapeSegment(s)}`).join('');
}

/** The value at `path`, or undefined where the document has none. */
export function valueAt(root: unknown, path: JsonPath | string): unknown {
  let node = root;
  for (const segment of typeof path === 'string' ? pointerToPath(path) : path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[String(segment)];
  }
  return node;
}
