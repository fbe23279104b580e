import { FAILSAFE_SCHEMA, load, Type } from 'js-yaml';

/**
 * Reads one YAML document as the Kubernetes API server and kubeconform read it: sigs.k8s.io/yaml
 * over go-yaml v2, i.e. YAML 1.1 scalars (`yes`, `on`, `n` are booleans, `0644` is octal, `1_000`
 * is 1000), `<<` merge keys, `!!binary` decoded, timestamps left as the text they are written
 * as, a number out of float64 range left as a string (`1e400`), duplicate keys an error.
 * js-yaml does the parsing (fast, no AST kept); each plain scalar is resolved by the rules of
 * go-yaml v2's `resolve`, so that what we validate is what the cluster would store.
 */

/** What go-yaml v2 makes of a plain scalar: its tag and value. */
type Resolved = { tag: 'null' | 'bool' | 'int' | 'float' | 'timestamp' | 'str'; value: unknown };

const SPECIAL = new Map<string, Resolved>();
for (const [tag, value, words] of [
  ['bool', true, 'y Y yes Yes YES true True TRUE on On ON'],
  ['bool', false, 'n N no No NO false False FALSE off Off OFF'],
  ['null', null, '~ null Null NULL'],
  ['float', Number.NaN, '.nan .NaN .NAN'],
  ['float', Number.POSITIVE_INFINITY, '.inf .Inf .INF +.inf +.Inf +.INF'],
  ['float', Number.NEGATIVE_INFINITY, '-.inf -.Inf -.INF'],
] as const) {
  for (const word of words.split(' ')) SPECIAL.set(word, { tag, value });
}
SPECIAL.set('', { tag: 'null', value: null });

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** strconv.ParseFloat's syntax for what YAML_STYLE_FLOAT lets through, and `.5` forms. */
const GO_FLOAT = /^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/;
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

let lastInput: string | undefined;
let lastResolved: Resolved = { tag: 'str', value: '' };

/** go-yaml v2 `resolve("", in)`: first character decides which forms are tried. */
export function resolvePlain(input: string): Resolved {
  if (input === lastInput) return lastResolved;
  lastInput = input;
  lastResolved = resolveUncached(input);
  return lastResolved;
}

function resolveUncached(input: string): Resolved {
  const first = input[0];
  const special = SPECIAL.get(input);
  if (special && (input === '' || first === '.' || first === '+' || first === '-' || 'yYnNtTfFoO~'.includes(first!))) return special;
  if (first === '.') {
    const f = goParseFloat(input);
    return f === undefined ? { tag: 'str', value: input } : { tag: 'float', value: f };
  }
  if (first !== '+' && first !== '-' && !(first! >= '0' && first! <= '9')) return { tag: 'str', value: input };
  if (isTimestamp(input)) return { tag: 'timestamp', value: input };
  const plain = input.replace(/_/g, '');
  const int = goParseInt(plain);
  if (int !== undefined) return { tag: 'int', value: int };
  if (YAML_STYLE_FLOAT.test(plain)) {
    const f = goParseFloat(plain);
    if (f !== undefined) return { tag: 'float', value: f };
  }
  // strconv's base 0 already reads 0b; go-yaml's own 0b branch adds nothing for our purposes.
  return { tag: 'str', value: input };
}

/** strconv.ParseInt(s, 0, 64), then ParseUint: sign, 0x / 0o / 0b / leading-0 octal, decimal. */
function goParseInt(s: string): number | undefined {
  const m = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  const [, sign, digits] = m as unknown as [string, string, string];
  let value: bigint;
  if (/^0[oO]/.test(digits)) value = BigInt(`0o${digits.slice(2)}`);
  else if (/^0[0-7]+$/.test(digits)) value = BigInt(`0o${digits.slice(1)}`);
  else value = BigInt(digits);
  if (sign === '-') value = -value;
  if (value > (sign === '' || sign === '+' ? UINT64_MAX : INT64_MAX) || value < -INT64_MAX - 1n) return undefined;
  return Number(value);
}

/** strconv.ParseFloat(s, 64): undefined when out of range (Go returns an error there). */
function goParseFloat(s: string): number | undefined {
  if (!GO_FLOAT.test(s)) return undefined;
  const f = Number(s);
  return Number.isFinite(f) ? f : undefined;
}

/** go-yaml v2 parseTimestamp: four-digit year, then one of its four layouts. */
function isTimestamp(s: string): boolean {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:([Tt])|[ ])(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?)?$/.exec(s);
  if (!m) return false;
  const [, y, mo, d, t, h, mi, sec, zone] = m;
  // "2006-1-2 15:4:5" takes no zone; the T layouts need one.
  if (h !== undefined && (t ? zone === undefined : zone !== undefined)) return false;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return false;
  if (h !== undefined && (Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59)) return false;
  if (zone && zone !== 'Z' && (Number(zone.slice(1, 3)) > 23 || Number(zone.slice(4)) > 59)) return false;
  return true;
}

/** A document that holds a value JSON cannot carry: the API server refuses it too. */
export class NonJsonValueError extends Error {}

function finite(value: unknown, text: string): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new NonJsonValueError(`${JSON.stringify(text)} is ${Number.isNaN(value) ? 'NaN' : 'infinity'}, which JSON (and so the API server) cannot hold`);
  return value;
}

/**
 * The JSON value of a resolved scalar: timestamps reach JSON as the text they are written as
 * (go-yaml v2 keeps it for interface{}), and a non-finite float cannot reach JSON.
 */
function build(r: Resolved, text: string): unknown {
  if (r.tag === 'float') return finite(r.value, text);
  return r.tag === 'timestamp' ? text : r.value;
}

const scalar = (tag: string, accepts: (r: Resolved) => boolean) =>
  new Type(`tag:yaml.org,2002:${tag}`, {
    kind: 'scalar',
    resolve: (text: string | null) => accepts(resolvePlain(text ?? '')),
    construct: (text: string | null) => build(resolvePlain(text ?? ''), text ?? ''),
  });

/** Tags go-yaml v2 does not resolve (`!foo`, `!!set`): the node is read as if untagged. */
const anyTag = (prefix: string) =>
  (['scalar', 'sequence', 'mapping'] as const).map(
    (kind) => new Type(prefix, { kind, multi: true, construct: (data: unknown) => (data === null && kind === 'scalar' ? '' : data) }),
  );

// `!!float 1` is the float 1.
const [nullType, boolType, intType, floatType, timestampType] = [
  scalar('null', (r) => r.tag === 'null'),
  scalar('bool', (r) => r.tag === 'bool'),
  scalar('int', (r) => r.tag === 'int'),
  scalar('float', (r) => r.tag === 'float' || r.tag === 'int'),
  scalar('timestamp', (r) => r.tag === 'timestamp'),
];

/**
 * Every untagged plain scalar in one type (js-yaml tries each implicit type in turn, and most
 * scalars are strings no type accepts): resolved once, built as its go-yaml v2 tag says. The
 * typed ones above stay for explicit tags (`!!int "3"`).
 */
const plainType = new Type('tag:yaml.org,2002:kube-plain', {
  kind: 'scalar',
  resolve: (text: string | null) => resolvePlain(text ?? '').tag !== 'str',
  construct: (text: string | null) => build(resolvePlain(text ?? ''), text ?? ''),
});

const KUBE_SCHEMA = FAILSAFE_SCHEMA.extend({
  implicit: [
    plainType,
    // js-yaml merges the keys of a mapping pair whose key resolves to this tag.
    new Type('tag:yaml.org,2002:merge', { kind: 'scalar', resolve: (text: string | null) => text === '<<' }),
  ],
  explicit: [nullType, boolType, intType, floatType, timestampType, new Type('tag:yaml.org,2002:binary', { kind: 'scalar', resolve: isBase64, construct: decodeBase64 }), ...anyTag('!'), ...anyTag('tag:')],
});

function isBase64(text: string | null): boolean {
  const compact = (text ?? '').replace(/\s+/g, '');
  return /^[A-Za-z0-9+/]*={0,2}$/.test(compact) && compact.length % 4 === 0;
}

function decodeBase64(text: string | null): string {
  return Buffer.from((text ?? '').replace(/\s+/g, ''), 'base64').toString('utf8');
}

/**
 * Parses one document (the text between two `---` lines). Throws js-yaml's YAMLException (with
 * `mark.line`, 0-based, relative to the text) on a syntax error or duplicate key, and
 * NonJsonValueError on NaN or infinity.
 */
export function loadKubeDocument(text: string): unknown {
  return load(text, { schema: KUBE_SCHEMA, json: false });
}

/**
 * Splits a stream into documents where kubeconform does: at every line that starts with
 * `---` (the rest of that line is dropped). Fed in chunks, so a large file is never held
 * whole; `line` is the 1-based line of a document's first line in the stream.
 */
export class DocumentSplitter {
  private pending = '';
  private line = 1;
  private started = false;

  /** The documents that `chunk` completes. */
  push(chunk: string): { text: string; line: number }[] {
    this.pending += chunk;
    const out: { text: string; line: number }[] = [];
    const separator = /\n---[^\n]*\n/g;
    let start = 0;
    for (let m = separator.exec(this.pending); m; m = separator.exec(this.pending)) {
      const text = this.pending.slice(start, m.index);
      out.push({ text, line: this.line });
      this.line += countLines(text) + 1;
      start = m.index + m[0].length;
    }
    if (out.length > 0) this.started = true;
    this.pending = this.pending.slice(start);
    return out;
  }

  /** The last document (a final `---` line without a newline ends the one before it). */
  end(): { text: string; line: number }[] {
    const last = /\n---[^\n]*$/.exec(this.pending);
    const text = last ? this.pending.slice(0, last.index) : this.pending;
    if (text === '' && this.started && !last) return [];
    return [{ text, line: this.line }];
  }
}

export function* splitDocuments(text: string): Generator<{ text: string; line: number }> {
  const splitter = new DocumentSplitter();
  yield* splitter.push(text);
  yield* splitter.end();
}

function countLines(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
