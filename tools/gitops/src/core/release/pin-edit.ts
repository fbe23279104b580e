import { isMap, isScalar, parseDocument, Scalar, type Node, type Pair, type YAMLMap } from 'yaml';
import type { PromotedRelease } from './release-delta.js';

/** A pin edit that cannot be made without rewriting more of the file than its pin values. */
export class PinEditError extends Error {}

type Splice = { at: number; end: number; text: string };

const KEYS = ['chart', 'image', 'config'] as const;

/**
 * service.yaml with `releases.<env>` set to `release`, byte for byte the same elsewhere:
 * comments, blank lines, key order, flow or block style and each value's quoting are kept,
 * because only the ranges of the changed scalars are rewritten (a missing key or environment
 * is inserted in the style of its siblings). The result is parsed again and must hold exactly
 * the new pin.
 */
export function editReleasePin(text: string, env: string, release: PromotedRelease): string {
  const doc = parseDocument(text, { keepSourceTokens: true });
  if (doc.errors.length > 0) throw new PinEditError(`does not parse: ${doc.errors[0]!.message}`);
  const releases = doc.get('releases', true);
  if (!isMap(releases)) throw new PinEditError('has no releases mapping');
  const splices: Splice[] = [];
  const pair = releases.items.find((p) => isScalar(p.key) && p.key.value === env) as Pair<Scalar, Node | null> | undefined;
  if (!pair) splices.push(insertEnvironment(text, releases, env, release));
  else {
    const map = pair.value;
    if (!isMap(map)) throw new PinEditError(`releases.${env} is not a mapping`);
    for (const key of KEYS) {
      const item = map.items.find((p) => isScalar(p.key) && p.key.value === key) as Pair<Scalar, Node | null> | undefined;
      if (!item) splices.push(insertKey(text, map, key, release[key]));
      else if (!isScalar(item.value) || !item.value.range) throw new PinEditError(`releases.${env}.${key} is not a scalar`);
      else if (String(item.value.value) !== release[key]) {
        const [start, end] = item.value.range;
        splices.push({ at: start, end, text: scalarText(release[key], item.value.type, key) });
      }
    }
  }
  let out = text;
  for (const s of splices.sort((a, b) => b.at - a.at)) out = out.slice(0, s.at) + s.text + out.slice(s.end);
  const check = parseDocument(out).toJS() as { releases?: Record<string, Record<string, unknown>> };
  const written = check.releases?.[env];
  if (!written || KEYS.some((k) => String(written[k]) !== release[k])) throw new PinEditError(`the edit of releases.${env} did not read back as written`);
  return out;
}

/** A value in the quoting it had; a plain scalar stays plain unless YAML would read it as something else. */
function scalarText(value: string, type: Scalar['type'], key: (typeof KEYS)[number]): string {
  if (type === 'QUOTE_DOUBLE') return JSON.stringify(value);
  if (type === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  return plainOrQuoted(value, key);
}

function plainOrQuoted(value: string, key: (typeof KEYS)[number]): string {
  // An image tag is always quoted (1.10 unquoted is the number 1.1); a version or a commit
  // stays plain when it reads back as the same string.
  if (key === 'image') return JSON.stringify(value);
  const parsed: unknown = parseDocument(value).toJS();
  return typeof parsed === 'string' && parsed === value ? value : JSON.stringify(value);
}

function insertKey(text: string, map: YAMLMap, key: string, value: string): Splice {
  const last = map.items[map.items.length - 1] as Pair<Scalar, Node | null> | undefined;
  const lastEnd = (last?.value as Node | null)?.range?.[1] ?? last?.key.range?.[1];
  if (lastEnd === undefined) throw new PinEditError(`cannot add ${key}: the mapping is empty`);
  if (map.flow) return { at: lastEnd, end: lastEnd, text: `, ${key}: ${plainOrQuoted(value, key as (typeof KEYS)[number])}` };
  const keyStart = last!.key.range![0];
  const indent = keyStart - text.lastIndexOf('\n', keyStart - 1) - 1;
  const lineEnd = endOfLine(text, lastEnd);
  return { at: lineEnd, end: lineEnd, text: `\n${' '.repeat(indent)}${key}: ${plainOrQuoted(value, key as (typeof KEYS)[number])}` };
}

/** A new environment under releases, after the last one, in the style of the others. */
function insertEnvironment(text: string, releases: YAMLMap, env: string, release: PromotedRelease): Splice {
  const last = releases.items[releases.items.length - 1] as Pair<Scalar, Node | null> | undefined;
  if (!last?.key.range || !last.value?.range) throw new PinEditError('cannot add an environment to an empty releases mapping');
  const keyStart = last.key.range[0];
  const indent = ' '.repeat(keyStart - text.lastIndexOf('\n', keyStart - 1) - 1);
  const values = KEYS.map((k) => `${k}: ${plainOrQuoted(release[k], k)}`);
  const lineEnd = endOfLine(text, last.value.range[1]);
  const body = isMap(last.value) && !last.value.flow ? values.map((v) => `\n${indent}  ${v}`).join('') : ` { ${values.join(', ')} }`;
  return { at: lineEnd, end: lineEnd, text: `\n${indent}${env}:${body}` };
}

/** The offset of the end of the line holding `offset` (before a trailing comment is fine: it stays on its line). */
function endOfLine(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  const end = nl === -1 ? text.length : nl;
  // A value's range may stop before its trailing whitespace; land after the last character of the line.
  return text[offset - 1] === '\n' ? offset - 1 : end;
}
