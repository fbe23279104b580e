import { isMap } from './layers.js';

/**
 * Applies one `--set`/`--set-string` entry the way helm's strvals does for the forms Argo CD
 * produces: dotted keys (`\.` escapes a dot), list indexes (`a[0]`), `{a,b}` lists, escaped
 * commas. --set infers booleans, null and integers; --set-string keeps the text.
 */
export function setValue(target: Record<string, unknown>, name: string, raw: string, asString: boolean): void {
  const keys = splitKey(name);
  let node: Record<string, unknown> | unknown[] = target;
  keys.forEach((key, i) => {
    const last = i === keys.length - 1;
    const value = last ? parseValue(raw, asString) : undefined;
    const container = node as Record<string, unknown> & unknown[];
    const next: unknown = container[key as never];
    if (last) {
      container[key as never] = value as never;
      return;
    }
    const wantList = typeof keys[i + 1] === 'number';
    if (wantList ? !Array.isArray(next) : !isMap(next)) container[key as never] = (wantList ? [] : {}) as never;
    node = container[key as never] as Record<string, unknown> | unknown[];
  });
}

function splitKey(name: string): (string | number)[] {
  const out: (string | number)[] = [];
  let current = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    if (c === '\\' && i + 1 < name.length) current += name[++i];
    else if (c === '.') {
      out.push(current);
      current = '';
    } else if (c === '[') {
      const end = name.indexOf(']', i);
      if (current) out.push(current);
      out.push(Number(name.slice(i + 1, end)));
      current = '';
      i = end;
      if (name[i + 1] === '.') i++;
    } else current += c;
  }
  if (current) out.push(current);
  return out;
}

function parseValue(raw: string, asString: boolean): unknown {
  const text = raw.replace(/\\,/g, ',');
  if (raw.startsWith('{') && raw.endsWith('}')) return raw.slice(1, -1).split(',').map((v) => parseValue(v, asString));
  if (asString) return text;
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text === 'null') return null;
  // helm keeps leading zeros ("0123") as text; other whole numbers become int64.
  if (/^-?(0|[1-9]\d*)$/.test(text) && Number.isSafeInteger(Number(text))) return Number(text);
  return text;
}
