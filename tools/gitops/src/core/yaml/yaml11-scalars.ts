import { isMap, isScalar, isSeq, Scalar, type Document, type LineCounter, type Node } from 'yaml';
import type { JsonPath } from '../json-pointer.js';

/** YAML 1.1 plain scalars that YAML 1.2 reads as strings but helm (go-yaml v2) reads as booleans. */
export const YAML11_BOOL = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/;
/**
 * Plain scalars go-yaml v2 turns into a number that a reader of the file would not expect:
 * binary (`0b101`) and digits grouped with `_` (`1_000`). go-yaml v2 has no base-60 numbers:
 * `1:30` stays the string it looks like.
 */
export const YAML11_SURPRISING_NUMBER = /^[-+]?(0b[01_]+|\d[\d_]*_[\d_]*)$/;
/** A leading zero: go-yaml v2 runs strconv.ParseInt(s, 0, 64), so 0700 is octal; 0800 fails that and is read as the float 800. */
export const LEADING_ZERO = /^[-+]?0(o[0-7_]*[0-7][0-7_]*|[0-9_]*[0-9][0-9_]*)$/;

/** A plain scalar of a document with the values path it sits at (keys: the path of their map). */
export interface PlainScalar {
  path: JsonPath;
  text: string;
  isKey: boolean;
  line: number;
  column: number;
}

/**
 * The plain scalars of a document (keys included: `on:` becomes the key "true") that helm's
 * YAML 1.1 reads differently from how they look: the booleans, surprising numbers and
 * leading-zero numbers above. Few files have any, so the list is kept with a parsed text.
 */
export function yaml11Scalars(doc: Document.Parsed, lines: LineCounter): PlainScalar[] {
  const out: PlainScalar[] = [];
  const add = (node: Scalar, path: JsonPath, isKey: boolean) => {
    if (node.type !== Scalar.PLAIN || !node.range) return;
    const text = node.source ?? String(node.value);
    if (!YAML11_BOOL.test(text) && !YAML11_SURPRISING_NUMBER.test(text) && (isKey || !LEADING_ZERO.test(text))) return;
    const pos = lines.linePos(node.range[0]);
    out.push({ path, text, isKey, line: pos.line, column: pos.col });
  };
  const walk = (node: Node | null | undefined, path: JsonPath, depth: number) => {
    // Aliases are not followed: the anchor's own scalar is reported where it is written.
    if (!node || depth > 64) return;
    if (isScalar(node)) add(node, path, false);
    else if (isMap(node)) {
      for (const pair of node.items) {
        const key = pair.key as Node | null;
        const name = isScalar(key) ? String(key.value) : undefined;
        if (isScalar(key)) add(key, path, true);
        if (name !== undefined) walk(pair.value as Node | null, [...path, name], depth + 1);
      }
    } else if (isSeq(node)) node.items.forEach((item, i) => walk(item as Node | null, [...path, i], depth + 1));
  };
  walk(doc.contents as Node | null, [], 0);
  return out;
}
