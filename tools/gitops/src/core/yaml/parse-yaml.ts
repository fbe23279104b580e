import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node, type ScalarTag } from 'yaml';
import type { Finding, SourceLocation } from '../findings.js';
import type { JsonPath } from '../json-pointer.js';
import { recallParse, recallValuesFindings } from './parse-store.js';
import { yaml11Scalars, type PlainScalar } from './yaml11-scalars.js';

/** Aliases a document may expand; bounds a billion-laughs document to a small cost. */
const MAX_ALIAS_COUNT = 100;
/**
 * Nesting a document may have. Real files nest a dozen levels; a few thousand `[` exhaust the
 * stack of the parser, the schema validator or helm, so deeper documents are refused here.
 */
export const MAX_YAML_DEPTH = 64;

/** One YAML document of a file, with what is needed to locate any value in it. */
export interface YamlDoc {
  file: string;
  /** Index of the document in a multi-document file. */
  index: number;
  /** The syntax tree, for positions and comments (parsed when first asked for, for a text an earlier run parsed). */
  readonly doc: Document.Parsed;
  readonly lines: LineCounter;
  /** The document as plain data. */
  readonly data: unknown;
  /** The whole text of the file. */
  readonly text: string;
  /** Offsets into `text` of the document and of its contents (undefined: an empty document). */
  readonly start: number;
  readonly contentsStart: number | undefined;
  /** Its plain scalars that helm's YAML 1.1 reads differently from how they look (see yaml11-scalars.ts). */
  readonly yaml11Scalars: readonly PlainScalar[];
}

export type { JsonPath } from '../json-pointer.js';

/**
 * Parses every document of a file. YAML 1.2 core schema by default (what Argo CD and our own
 * files use); '1.1' reads values as helm does (`on`, `yes`, `0644` are not strings).
 * Duplicate keys and excessive aliases are findings, not crashes.
 */
export function parseYamlDocs(file: string, text: string, version: '1.1' | '1.2' = '1.2'): { docs: YamlDoc[]; findings: Finding[] } {
  // By file, then by the text itself: the same string comes back for every Application that
  // reads the file, and a string keeps its hash, where a joined key would be hashed anew.
  const name = `${version}\0${file}`;
  let texts = parsedTexts.get(name);
  if (!texts) parsedTexts.set(name, (texts = new Map()));
  let hit = texts.get(text);
  if (!hit) {
    // Bounded: a long-lived process (tests, a watch) must not keep every text it ever saw.
    if (++parsedCount > MAX_PARSED_TEXTS) {
      parsedTexts.clear();
      parsedCount = 1;
      parsedTexts.set(name, (texts = new Map()));
    }
    hit = parseOrRecall(file, text, version);
    texts.set(text, hit);
  }
  // Fresh arrays: a caller may add to them; the documents themselves are shared, read only.
  return { docs: [...hit.docs], findings: [...hit.findings] };
}

/**
 * Each text parsed once per process: the loader, lint, the values reader and the render all
 * read the same service, environment and chart files. Callers only read the documents.
 */
const parsedTexts = new Map<string, Map<string, { docs: YamlDoc[]; findings: Finding[] }>>();
let parsedCount = 0;
const MAX_PARSED_TEXTS = 20_000;

/** `0o700`: an octal integer to go-yaml v2 (strconv.ParseInt with base 0), a string to the YAML 1.1 spec. */
const GO_OCTAL: ScalarTag = {
  tag: 'tag:yaml.org,2002:int',
  format: 'OCT',
  default: true,
  identify: () => false,
  test: /^[-+]?0o[0-7_]+$/,
  resolve: (text) => (text.startsWith('-') ? -1 : 1) * parseInt(text.replace(/^[-+]?0o/, '').replace(/_/g, ''), 8),
};

/**
 * A document as parsed, with its syntax tree at hand or (for a text an earlier run stored)
 * parsed again only when a position or comment in it is asked for.
 */
export function yamlDoc(file: string, index: number, text: string, doc: Document.Parsed, lines: LineCounter, data: unknown): YamlDoc {
  return new ParsedDoc(file, index, data, text, doc.range[0], doc.contents?.range?.[0], () => ({ doc, lines }));
}

/** A parse from this run, or one an earlier run stored (see parse-store.ts). */
function parseOrRecall(file: string, text: string, version: '1.1' | '1.2'): { docs: YamlDoc[]; findings: Finding[] } {
  const { stored, store } = recallParse(file, text, version);
  if (stored) {
    const trees = new Trees(text, version);
    return { findings: stored.findings, docs: stored.docs.map((d) => new ParsedDoc(file, d.index, d.data, text, d.start, d.contentsStart, trees.of(d.index), d.yaml11Scalars)) };
  }
  const fresh = parseUncached(file, text, version);
  store({ findings: fresh.findings, docs: fresh.docs.map((d) => ({ index: d.index, data: d.data, start: d.start, contentsStart: d.contentsStart, yaml11Scalars: d.yaml11Scalars })) });
  return fresh;
}

/** The syntax trees of a text an earlier run parsed, parsed again when first asked for. */
class Trees {
  constructor(
    private readonly text: string,
    private readonly version: '1.1' | '1.2',
  ) {}
  private parsed?: { docs: Document.Parsed[]; lines: LineCounter };

  /** The tree of the document at `index`, parsed when first called. */
  of(index: number): () => { doc: Document.Parsed; lines: LineCounter } {
    return () => {
      const { docs, lines } = this.get();
      return { doc: docs[index]!, lines };
    };
  }

  private get(): { docs: Document.Parsed[]; lines: LineCounter } {
    if (!this.parsed) {
      const lines = new LineCounter();
      const docs = parseText(this.text, this.version, lines);
      // The text parsed without an error when it was stored: it parses the same now.
      if (!Array.isArray(docs)) throw docs;
      this.parsed = { docs, lines };
    }
    return this.parsed;
  }
}

class ParsedDoc implements YamlDoc {
  constructor(
    readonly file: string,
    readonly index: number,
    readonly data: unknown,
    readonly text: string,
    readonly start: number,
    readonly contentsStart: number | undefined,
    private readonly tree: () => { doc: Document.Parsed; lines: LineCounter },
    private scalars?: readonly PlainScalar[],
  ) {}

  get doc(): Document.Parsed {
    return this.tree().doc;
  }

  get lines(): LineCounter {
    return this.tree().lines;
  }

  get yaml11Scalars(): readonly PlainScalar[] {
    this.scalars ??= yaml11Scalars(this.doc, this.lines);
    return this.scalars;
  }
}

function parseText(text: string, version: '1.1' | '1.2', lines: LineCounter): Document.Parsed[] | Error {
  let parsed: Document.Parsed[];
  try {
    parsed = parseAllDocuments(text, {
      lineCounter: lines,
      uniqueKeys: true,
      prettyErrors: false,
      strict: true,
      version,
      // helm's YAML 1.1 reader (go-yaml v2) leaves timestamps as strings and has no base-60 numbers (1:30);
      // it reads integers with Go's ParseInt(s, 0, 64), which takes 0o700 as octal too.
      customTags: (tags) => [...tags.filter((t) => typeof t === 'string' || (t.tag !== 'tag:yaml.org,2002:timestamp' && t.format !== 'TIME')), ...(version === '1.1' ? [GO_OCTAL] : [])],
    }) as Document.Parsed[];
  } catch (err) {
    return err as Error;
  }
  // A stream of documents is an array-like with an `empty` property when there are none.
  return Array.isArray(parsed) ? parsed : [];
}

function parseUncached(file: string, text: string, version: '1.1' | '1.2'): { docs: YamlDoc[]; findings: Finding[] } {
  const lines = new LineCounter();
  const findings: Finding[] = [];
  if (text.includes('\0')) {
    return { docs: [], findings: [{ code: 'YAML_SYNTAX', severity: 'error', message: 'file is binary, not YAML', location: { file } }] };
  }
  const parsed = parseText(text, version, lines);
  if (!Array.isArray(parsed)) {
    // The parser recurses per nesting level: thousands of levels overflow its stack.
    return { docs: [], findings: [{ code: 'YAML_SYNTAX', severity: 'error', message: `cannot be parsed: ${parsed.message}`, hint: `Nest at most ${MAX_YAML_DEPTH} levels.`, location: { file } }] };
  }
  const docs: YamlDoc[] = [];
  // An empty file parses to an empty stream: no documents, no errors.
  parsed.forEach((doc, index) => {
    const errors = doc.errors;
    for (const err of errors) findings.push(errorFinding(file, lines, err));
    if (errors.length > 0) return;
    const deep = tooDeep(doc.contents);
    if (deep) {
      findings.push({
        code: 'YAML_SYNTAX',
        severity: 'error',
        message: `nested more than ${MAX_YAML_DEPTH} levels deep`,
        hint: 'Flatten the structure: no chart reads values nested this deep.',
        location: { file, ...linePos(lines, deep.range?.[0] ?? 0) },
      });
      return;
    }
    try {
      docs.push(yamlDoc(file, index, text, doc, lines, doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT })));
    } catch (err) {
      findings.push({
        code: 'YAML_SYNTAX',
        severity: 'error',
        message: `${(err as Error).message} (more than ${MAX_ALIAS_COUNT} alias expansions)`,
        hint: 'Write the values out instead of nesting aliases.',
        location: { file, ...linePos(lines, doc.contents?.range?.[0] ?? 0) },
      });
    }
  });
  return { docs, findings };
}

/** The first node nested deeper than MAX_YAML_DEPTH, found without recursion. */
function tooDeep(root: unknown): Node | undefined {
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (!isMap(node) && !isSeq(node)) continue;
    if (depth >= MAX_YAML_DEPTH) return node;
    for (const item of node.items as unknown[]) {
      if (isPair(item)) {
        stack.push([item.key, depth + 1], [item.value, depth + 1]);
      } else stack.push([item, depth + 1]);
    }
  }
  return undefined;
}

/**
 * The documents after the first that hold something: in a file meant to be one document, a
 * second one is silently dropped by helm (values) or ignored by the tool, so it is an error.
 */
function extraDocuments(file: string, docs: readonly YamlDoc[]): Finding[] {
  return docs.slice(1).filter((d) => d.contentsStart !== undefined).map((d) => ({
    code: 'YAML_MULTIPLE_DOCUMENTS' as const,
    severity: 'error' as const,
    message: `a second YAML document (${ordinal(d.index + 1)}) in a file that holds one; it would be ignored`,
    hint: 'Remove the "---" and what follows, or merge it into the first document.',
    location: { file, ...linePos(d.lines, d.start) },
  }));
}

function ordinal(n: number): string {
  return n === 2 ? '2nd' : n === 3 ? '3rd' : `${n}th`;
}

/** Parses a file expected to hold exactly one document, a mapping. */
export function parseYamlMapping(file: string, text: string): { doc?: YamlDoc; findings: Finding[] } {
  const { docs, findings } = parseYamlDocs(file, text);
  if (findings.length > 0) return { findings };
  const extra = extraDocuments(file, docs);
  if (extra.length > 0) return { findings: extra };
  const doc = docs[0];
  if (!doc || doc.data === null || doc.data === undefined || typeof doc.data !== 'object' || Array.isArray(doc.data)) {
    return { findings: [notAMapping(file, doc, 'expected a YAML mapping (key: value pairs)')] };
  }
  return { doc, findings };
}

/**
 * Parses a helm values file as helm reads it (YAML 1.1): one document, whose root is a
 * mapping, or nothing at all (an empty file or only comments: no values). helm itself reads
 * only the first document and fails on a list or a scalar without naming the file.
 */
export function parseValuesFile(file: string, text: string): { doc?: YamlDoc; findings: Finding[] } {
  const { docs, findings } = parseYamlDocs(file, text, '1.1');
  if (findings.length > 0) return { findings };
  const extra = extraDocuments(file, docs);
  if (extra.length > 0) return { findings: extra };
  const doc = docs[0];
  if (doc && doc.data !== null && doc.data !== undefined && (typeof doc.data !== 'object' || Array.isArray(doc.data))) {
    const what = Array.isArray(doc.data) ? 'a list' : `a ${typeof doc.data}`;
    return { findings: [notAMapping(file, doc, `a values file holds a mapping (key: value pairs), not ${what}`)] };
  }
  return { doc, findings: [] };
}

/** parseValuesFile's findings alone, remembered between runs by the file and its text. */
export function valuesFileFindings(file: string, text: string): Finding[] {
  const { stored, store } = recallValuesFindings(file, text);
  if (stored) return [...stored];
  const { findings } = parseValuesFile(file, text);
  store(findings);
  return [...findings];
}

function notAMapping(file: string, doc: YamlDoc | undefined, message: string): Finding {
  const at = doc?.contentsStart;
  return {
    code: 'YAML_NOT_A_MAPPING',
    severity: 'error',
    message,
    hint: 'Write the file as key: value pairs at the top level.',
    location: { file, ...(at === undefined || !doc ? { line: 1, column: 1 } : linePos(doc.lines, at)) },
  };
}

/**
 * Where the value at `path` is written; falls back to the deepest ancestor that exists
 * (a missing key is reported where it should be added).
 */
export function locate(doc: YamlDoc, path: JsonPath, which: 'key' | 'value' = 'value'): SourceLocation {
  let node: Node | null | undefined = doc.doc.contents;
  let keyNode: Node | undefined;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) break;
      keyNode = pair.key as Node;
      node = pair.value as Node | null;
      if (!node) break;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item) break;
      keyNode = undefined;
      node = item;
    } else {
      break;
    }
  }
  const target = which === 'key' && keyNode ? keyNode : (node ?? keyNode);
  const offset = target?.range?.[0] ?? 0;
  return { file: doc.file, ...linePos(doc.lines, offset) };
}

function linePos(lines: LineCounter, offset: number): { line: number; column: number } {
  const pos = lines.linePos(offset);
  return { line: pos.line, column: pos.col };
}

function errorFinding(file: string, lines: LineCounter, err: { code: string; message: string; pos: [number, number] }): Finding {
  const duplicate = err.code === 'DUPLICATE_KEY';
  return {
    code: duplicate ? 'YAML_DUPLICATE_KEY' : 'YAML_SYNTAX',
    severity: 'error',
    message: firstLine(err.message),
    hint: duplicate ? 'Keep one of the two keys: YAML parsers disagree on which one wins.' : undefined,
    location: { file, ...linePos(lines, err.pos[0]) },
  };
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}
