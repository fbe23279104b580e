import type { SourceLocation } from '../findings.js';
import { locate, type JsonPath, type YamlDoc } from '../yaml/parse-yaml.js';

/**
 * One source of an Application's values, lowest precedence first: the chart's values.yaml,
 * each value file, each --set parameter, the inline values. `data` is what helm reads (YAML 1.1).
 */
export interface ValueLayer {
  /** chart: the chart's own defaults (the platform team's file); file: a value file; parameter: helm.parameters; inline: valuesObject. */
  kind: 'chart' | 'file' | 'parameter' | 'inline';
  data: Record<string, unknown>;
  /** Where a path of this layer is written. */
  locate(path: JsonPath, which?: 'key' | 'value'): SourceLocation;
  /** The parsed file of a chart or file layer, for checks that need its text (YAML 1.1 forms). */
  doc?: YamlDoc;
  /** The repository path of a chart or file layer. */
  file?: string;
}

export function fileLayer(kind: 'chart' | 'file', doc: YamlDoc | undefined, file: string): ValueLayer {
  const data = doc && isMap(doc.data) ? doc.data : {};
  return { kind, data, doc, file, locate: (path, which) => (doc ? locate(doc, path, which) : { file }) };
}

export function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * helm's coalescing: maps merge key by key, anything else (lists included) is replaced by the
 * higher layer, and a null in a higher layer deletes the key.
 */
export function mergeLayers(layers: readonly ValueLayer[]): Record<string, unknown> {
  let merged: Record<string, unknown> = {};
  for (const layer of layers) merged = mergeMaps(merged, layer.data);
  return merged;
}

function mergeMaps(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === null) delete out[key];
    else if (isMap(value) && isMap(out[key])) out[key] = mergeMaps(out[key], value);
    else out[key] = value;
  }
  return out;
}

/**
 * The layer whose value ends up at `path` after merging: maps are owned key by key, so the walk
 * narrows to the layers that still hold a map, until it reaches a value one layer replaced whole.
 */
export function ownerOf(layers: readonly ValueLayer[], path: JsonPath): ValueLayer | undefined {
  let candidates = layers.map((layer) => ({ layer, node: layer.data as unknown }));
  for (const segment of path) {
    const next = candidates
      .filter(({ node }) => isMap(node) && Object.hasOwn(node, String(segment)) || (Array.isArray(node) && typeof segment === 'number' && segment < node.length))
      .map(({ layer, node }) => ({ layer, node: (node as Record<string, unknown>)[String(segment)] }));
    // A null deletes everything below it: only layers above the last null count.
    const lastNull = next.findLastIndex(({ node }) => node === null);
    const live = next.slice(lastNull + 1);
    if (live.length === 0) return undefined;
    const top = live[live.length - 1]!;
    if (!isMap(top.node)) return top.layer;
    candidates = live.filter(({ node }) => isMap(node));
  }
  return candidates[candidates.length - 1]?.layer;
}

/** The most specific layer that holds the map at `path` (where a missing key should be added). */
export function deepestHolder(layers: readonly ValueLayer[], path: JsonPath, prefer: (layer: ValueLayer) => boolean): ValueLayer | undefined {
  const holders = layers.filter((layer) => {
    let node: unknown = layer.data;
    for (const segment of path) {
      if (!isMap(node) || !Object.hasOwn(node, String(segment))) return false;
      node = node[String(segment)];
    }
    return isMap(node);
  });
  return [...holders].reverse().find(prefer) ?? holders[holders.length - 1];
}
