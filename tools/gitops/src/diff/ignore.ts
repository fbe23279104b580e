/** A dotted path to hide from diffs, e.g. `metadata.labels.helm.sh/chart`; `*` matches any one key. */
export type IgnorePath = string[];

export function parseIgnore(path: string): IgnorePath {
  return path.split('.');
}

/**
 * A copy of `object` without the ignored paths. Keys may contain dots (`helm.sh/chart`): at each
 * level the longest run of segments that names an existing key wins.
 */
export function removeIgnored(object: Record<string, unknown>, paths: readonly IgnorePath[]): Record<string, unknown> {
  let out = object;
  for (const path of paths) out = remove(out, path) as Record<string, unknown>;
  return out;
}

function remove(node: unknown, path: IgnorePath): unknown {
  if (path.length === 0) return node;
  if (Array.isArray(node)) return node.map((item) => remove(item, path));
  if (!node || typeof node !== 'object') return node;
  const map = node as Record<string, unknown>;
  const out: Record<string, unknown> = { ...map };
  if (path[0] === '*') {
    for (const key of Object.keys(out)) {
      if (path.length === 1) delete out[key];
      else out[key] = remove(out[key], path.slice(1));
    }
    return out;
  }
  for (let take = path.length; take >= 1; take--) {
    const key = path.slice(0, take).join('.');
    if (!Object.hasOwn(out, key)) continue;
    if (take === path.length) delete out[key];
    else out[key] = remove(out[key], path.slice(take));
    return out;
  }
  return out;
}
