import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import type { Finding, SourceLocation } from '../findings.js';

/** Aliases a document may expand; bounds a billion-laughs document to a small cost. */
const MAX_ALIAS_COUNT = 100;

/** One YAML document of a file, with what is needed to locate any value in it. */
export interface YamlDoc {
  file: string;
  /** Index of the document in a multi-document file. */
  index: number;
  doc: Document.Parsed;
  lines: LineCounter;
  /** The document as plain data. */
  data: unknown;
}

export type JsonPath = readonly (string | number)[];

/**
 * Parses every document of a file. YAML 1.2 core schema by default (what Argo CD and our own
 * files use); '1.1' reads values as helm does (`on`, `yes`, `0644` are not strings).
 * Duplicate keys and excessive aliases are findings, not crashes.
 */
export function parseYamlDocs(file: string, text: string, version: '1.1' | '1.2' = '1.2'): { docs: YamlDoc[]; findings: Finding[] } {
  const lines = new LineCounter();
  const findings: Finding[] = [];
  if (text.includes('\0')) {
    return { docs: [], findings: [{ code: 'YAML_SYNTAX', severity: 'error', message: 'file is binary, not YAML', location: { file } }] };
  }
  const parsed = parseAllDocuments(text, {
    lineCounter: lines,
    uniqueKeys: true,
    prettyErrors: false,
    strict: true,
    version,
    // helm's YAML 1.1 reader leaves timestamps as strings.
    customTags: (tags) => tags.filter((t) => typeof t === 'string' || t.tag !== 'tag:yaml.org,2002:timestamp'),
  });
  const docs: YamlDoc[] = [];
  // An empty file parses to an empty stream: no documents, no errors.
  parsed.forEach((doc, index) => {
    const errors = doc.errors;
    for (const err of errors) findings.push(errorFinding(file, lines, err));
    if (errors.length > 0) return;
    try {
      docs.push({ file, index, doc, lines, data: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) });
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

/** Parses a file expected to hold exactly one mapping. */
export function parseYamlMapping(file: string, text: string): { doc?: YamlDoc; findings: Finding[] } {
  const { docs, findings } = parseYamlDocs(file, text);
  if (findings.length > 0) return { findings };
  const doc = docs.find((d) => d.data !== null && d.data !== undefined);
  if (!doc || typeof doc.data !== 'object' || Array.isArray(doc.data)) {
    return {
      findings: [{ code: 'YAML_NOT_A_MAPPING', severity: 'error', message: 'expected a YAML mapping (key: value pairs)', location: { file, line: 1, column: 1 } }],
    };
  }
  return { doc, findings };
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
