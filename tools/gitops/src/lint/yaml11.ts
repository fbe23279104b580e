import { isMap, isScalar, isSeq, Scalar, type Node } from 'yaml';
import type { Finding } from '../core/findings.js';
import type { JsonPath, YamlDoc } from '../core/yaml/parse-yaml.js';

/** YAML 1.1 plain scalars that YAML 1.2 reads as strings but helm (go-yaml v2) reads as booleans. */
const YAML11_BOOL = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/;
/**
 * Plain scalars go-yaml v2 turns into a number that a reader of the file would not expect:
 * binary (`0b101`) and digits grouped with `_` (`1_000`). go-yaml v2 has no base-60 numbers:
 * `1:30` stays the string it looks like.
 */
const YAML11_SURPRISING_NUMBER = /^[-+]?(0b[01_]+|\d[\d_]*_[\d_]*)$/;
/** A leading zero: go-yaml v2 runs strconv.ParseInt(s, 0, 64), so 0700 is octal; 0800 fails that and is read as the float 800. */
const LEADING_ZERO = /^[-+]?0(o[0-7_]*[0-7][0-7_]*|[0-9_]*[0-9][0-9_]*)$/;

/** What helm makes of a plain scalar with a leading zero (go-yaml v2's resolve, underscores dropped first). */
export interface LeadingZeroNumber {
  text: string;
  /** The number helm renders. */
  value: number;
  /** The number a person reads: the digits without the leading zeros. */
  decimal: number;
  octal: boolean;
}

export function leadingZeroNumber(text: string): LeadingZeroNumber | undefined {
  if (!LEADING_ZERO.test(text)) return undefined;
  const sign = text.startsWith('-') ? -1 : 1;
  // 0o700 is Go's explicit octal: the same reading as 0700.
  const digits = text.replace(/^[-+]/, '').replace(/^0o/, '').replace(/_/g, '');
  const decimal = sign * Number(digits);
  // 007 is octal too, but reads the same: only the text is lost, as with 0800.
  const octal = /^[0-7]+$/.test(digits) && parseInt(digits, 8) !== Number(digits);
  return { text, value: octal ? sign * parseInt(digits, 8) : decimal, decimal, octal };
}

/** A plain scalar of a values document with the values path it sits at (keys: the path of their map). */
export interface PlainScalar {
  path: JsonPath;
  text: string;
  isKey: boolean;
  line: number;
  column: number;
}

/** Every plain scalar of a document, keys included (`on:` becomes the key "true"). */
export function plainScalars(doc: YamlDoc): PlainScalar[] {
  const out: PlainScalar[] = [];
  const add = (node: Scalar, path: JsonPath, isKey: boolean) => {
    if (node.type !== Scalar.PLAIN || !node.range) return;
    const pos = doc.lines.linePos(node.range[0]);
    out.push({ path, text: node.source ?? String(node.value), isKey, line: pos.line, column: pos.col });
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
  walk(doc.doc.contents as Node | null, [], 0);
  return out;
}

/**
 * The fix for a leading-zero number, by what the chart's schema wants at its path: the digits
 * for a number, the quoted text for a string, both when the schema does not say.
 */
function leadingZeroHint(n: LeadingZeroNumber, types: ReadonlySet<string>): string {
  const numeric = types.has('integer') || types.has('number');
  const text = types.has('string');
  const asNumber = n.octal ? `Write ${n.decimal} if you mean ${n.decimal} (or ${n.value}, the octal value, if that is meant)` : `Write ${n.decimal}`;
  const asString = `quote it ("${n.text}") for the text`;
  if (numeric && !text) return `${asNumber}: the chart's schema wants a number here.`;
  if (text && !numeric) return `Quote it ("${n.text}"): the chart's schema wants a string here.`;
  return `${asNumber}, or ${asString}.`;
}

/**
 * The YAML 1.1 traps of a values file. A leading zero changes the value helm renders (0700
 * becomes 448; 0800 loses its zero and any string meaning), so it is an error; booleans and
 * the other number forms read differently from how they look, a warning. `typesAt` gives the
 * chart schema's types at a values path, for the hint.
 */
export function yaml11Findings(doc: YamlDoc, typesAt: (path: JsonPath) => ReadonlySet<string> = () => new Set()): Finding[] {
  const out: Finding[] = [];
  for (const s of plainScalars(doc)) {
    const location = { file: doc.file, line: s.line, column: s.column };
    const zero = s.isKey ? undefined : leadingZeroNumber(s.text);
    if (zero) {
      out.push({
        code: 'VALUES_YAML11_NUMBER',
        severity: 'error',
        message: zero.octal
          ? `${s.text} is read as octal: helm renders ${zero.value}, not ${zero.decimal} (YAML 1.1)`
          : `${s.text} is read as the number ${zero.value}: helm drops the leading zero (YAML 1.1)`,
        hint: leadingZeroHint(zero, typesAt(s.path)),
        location,
      });
      continue;
    }
    const bool = YAML11_BOOL.test(s.text);
    if (!bool && !YAML11_SURPRISING_NUMBER.test(s.text)) continue;
    out.push({
      code: 'VALUES_YAML11',
      severity: 'warning',
      message: `${JSON.stringify(s.text)} is read by helm as ${bool ? 'a boolean' : 'a number'}, not the string it looks like (YAML 1.1)`,
      hint: `Quote it ("${s.text}") if a string is meant${bool ? ', or write true/false' : ''}.`,
      location,
    });
  }
  return out;
}
