import { YAMLException } from 'js-yaml';
import { pointerToPath } from '../json-pointer.js';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Node } from 'yaml';
import type { Finding } from '../findings.js';
import { locate, yamlDoc, type JsonPath, type YamlDoc } from '../yaml/parse-yaml.js';
import { loadKubeDocument, NonJsonValueError, splitDocuments } from './kube-yaml.js';

/** Where a manifest came from: a file a person gave, or the render of one Application. */
export type ManifestOrigin =
  | { kind: 'file' }
  | {
      kind: 'rendered';
      env: string;
      service: string;
      application: string;
      /** Repository path of the template that produced it (helm's `# Source:` line), when known. */
      template?: string;
    };

/** One Kubernetes object with a way back to the text it was read from. */
export interface Manifest {
  /** A path given on the command line, or `<env>/<service>.yaml` (the `render --out` layout) for a render. */
  file: string;
  origin: ManifestOrigin;
  /** Index of the YAML document in the file. */
  doc: number;
  /** JSON pointer of the object inside its document: "" or "/items/<n>" for a List. */
  pointer: string;
  object: Record<string, unknown>;
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  /**
   * 1-based line and column where the value at a JSON pointer (relative to the object) is
   * written; with 'key', where its key is (an unknown field is fixed at its name).
   */
  position(pointer: string, which?: 'key' | 'value'): { line: number; column: number };
  /** The same for the same object read from the same text (a render's digest, document, pointer): what caches key it by. */
  identity?: string;
}

/** A document that is not a Kubernetes object (no kind, not a mapping, not YAML): it cannot be validated. */
export interface ManifestProblem {
  file: string;
  doc: number;
  line: number;
  message: string;
  /** Already a finding of its own (a YAML error at its line): the verdict needs no second one. */
  reported?: boolean;
}

export interface ParsedManifests {
  manifests: Manifest[];
  problems: ManifestProblem[];
  /** YAML syntax, duplicate keys, values JSON cannot hold, binary content. */
  findings: Finding[];
}

/** One document of a stream, as split from its text. */
export interface ManifestDocument {
  text: string;
  /** 1-based line of its first line in the file. */
  line: number;
}

/** A document's data as the cluster reads it, or null where reading it failed (read again for its finding). */
export type DecodedDocument = { data: unknown } | null;

/**
 * The data of a stream's documents carried between runs (see render/manifest-cache.ts): the
 * documents `known` holds are not read again; `seen` collects what this parse read.
 */
export interface DecodeMemo {
  known?: readonly DecodedDocument[];
  seen: DecodedDocument[];
}

/**
 * Splits a multi-document YAML stream into Kubernetes objects, read as the cluster reads them
 * (see kube-yaml.ts), `List` kinds unwrapped as kubeconform does. `chartPath` maps a chart name
 * to its repository directory, to turn helm's `# Source:` comments into template paths.
 */
export function parseManifests(file: string, text: string, origin: ManifestOrigin, chartPath: (chart: string) => string | undefined = () => undefined, memo?: DecodeMemo): ParsedManifests {
  const out: ParsedManifests = { manifests: [], problems: [], findings: [] };
  if (text.includes('\0')) {
    out.findings.push({ code: 'YAML_SYNTAX', severity: 'error', message: 'file is binary, not YAML', location: { file } });
    out.problems.push({ file, doc: 0, line: 1, message: 'file is binary, not YAML', reported: true });
    return out;
  }
  let index = 0;
  for (const doc of splitDocuments(text)) addDocument(file, index++, doc, origin, out, chartPath, memo);
  return out;
}

/**
 * Adds the objects of one document: each document is parsed alone, so a broken one costs only
 * its own verdict, and its text is kept for positions, which are worked out only when asked.
 */
export function addDocument(file: string, index: number, source: ManifestDocument, origin: ManifestOrigin, out: ParsedManifests, chartPath: (chart: string) => string | undefined = () => undefined, memo?: DecodeMemo): void {
  let data: unknown;
  const known = memo?.known?.[index];
  try {
    if (known) data = known.data;
    else {
      data = loadKubeDocument(source.text);
      if (mayAlias(source.text)) checkAliases(source.text);
    }
    if (memo) memo.seen[index] = { data };
  } catch (err) {
    if (memo) memo.seen[index] = null;
    const { message, line, column, duplicate, hint } = yamlError(err);
    const at = source.line + line;
    out.findings.push({
      code: duplicate ? 'YAML_DUPLICATE_KEY' : 'YAML_SYNTAX',
      severity: 'error',
      message,
      hint: duplicate ? 'Keep one of the two keys: YAML parsers disagree on which one wins.' : hint,
      location: { file, line: at, column: column + 1 },
      ...(origin.kind === 'rendered' ? { env: origin.env, service: origin.service, application: origin.application } : {}),
    });
    out.problems.push({ file, doc: index, line: at, message, reported: true });
    return;
  }
  if (data === null || data === undefined) return; // empty document: `---` alone, or comments
  const doc = new LazyDoc(file, index, source);
  const docOrigin = origin.kind === 'rendered' ? { ...origin, template: sourceTemplate(source.text, chartPath) ?? origin.template } : origin;
  collect(doc, data, '', docOrigin, out, true);
}

/** Aliases a document may expand; bounds a billion-laughs document to a small cost. */
const MAX_ALIAS_COUNT = 100;
const ANCHOR = /&[^\s,[\]{}]/;
/** An alias starts a node: after a line start, a space, a flow indicator or a JSON-like key's colon. */
const ALIAS = /(?:^|[\s,[{:])\*[^\s,[\]{}]/m;

/** Whether a document may expand an alias or merge into a key it has: `&&` in a shell command alone is neither. */
function mayAlias(text: string): boolean {
  return ANCHOR.test(text) && (ALIAS.test(text) || text.includes('<<'));
}

class AliasBombError extends Error {}
class MergeCollisionError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

/**
 * Documents with anchors, checked with the yaml library's tree:
 * - js-yaml shares an aliased node instead of copying it, but everything after it (the schema
 *   check, JSON for kubeconform) walks the expanded tree: expansions are counted first;
 * - a `<<` merge that sets a key the map already has, or has explicitly, is a duplicate key
 *   to kubeconform -strict (go-yaml v2's strict decoder), whatever the order: so it is here.
 */
function checkAliases(text: string): void {
  const lines = new LineCounter();
  const doc = parseDocument(text, { version: '1.1', merge: true, uniqueKeys: false, strict: false, lineCounter: lines });
  try {
    doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    throw new AliasBombError(`${(err as Error).message} (more than ${MAX_ALIAS_COUNT} alias expansions)`);
  }
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<string>();
      const add = (key: string, node: Node | null | undefined) => {
        if (seen.has(key)) throw new MergeCollisionError(`map keys must be unique (key "${key}" set twice, through a << merge)`, lines.linePos(node?.range?.[0] ?? 0).line - 1);
        seen.add(key);
      };
      for (const pair of map.items) {
        const key = pair.key as Node | null;
        if (isScalar(key) && typeof key.value === 'symbol') {
          const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
          for (const source of sources) {
            const target = isAlias(source) ? source.resolve(doc) : source;
            if (isMap(target)) for (const merged of target.items) add(String(isScalar(merged.key) ? merged.key.value : merged.key), key);
          }
        } else {
          add(String(isScalar(key) ? key.value : key), key);
        }
      }
    },
  });
}

function yamlError(err: unknown): { message: string; line: number; column: number; duplicate: boolean; hint?: string } {
  if (err instanceof YAMLException) {
    const reason = err.reason || err.message;
    const duplicate = /duplicated mapping key/.test(reason);
    return { message: duplicate ? 'map keys must be unique (duplicated mapping key)' : reason, line: err.mark?.line ?? 0, column: err.mark?.column ?? 0, duplicate };
  }
  if (err instanceof NonJsonValueError) return { message: err.message, line: 0, column: 0, duplicate: false, hint: 'Quote the value if a string is meant.' };
  if (err instanceof MergeCollisionError) return { message: err.message, line: err.line, column: 0, duplicate: true };
  if (err instanceof AliasBombError) return { message: err.message, line: 0, column: 0, duplicate: false, hint: 'Write the values out instead of nesting aliases.' };
  throw err;
}

/** A document's text, parsed with positions the first time a position is asked for. */
class LazyDoc {
  private parsed?: YamlDoc;
  constructor(
    readonly file: string,
    readonly index: number,
    private readonly source: ManifestDocument,
  ) {}

  locate(path: JsonPath, which: 'key' | 'value'): { line: number; column: number } {
    if (!this.parsed) {
      const lines = new LineCounter();
      const doc = parseDocument(this.source.text, { lineCounter: lines, version: '1.1', merge: true, uniqueKeys: false, strict: false, prettyErrors: false });
      this.parsed = yamlDoc(this.file, this.index, this.source.text, doc, lines, undefined);
    }
    const loc = locate(this.parsed, path, which);
    return { line: (loc.line ?? 1) + this.source.line - 1, column: loc.column ?? 1 };
  }
}

function collect(doc: LazyDoc, data: unknown, pointer: string, origin: ManifestOrigin, out: ParsedManifests, top: boolean): void {
  const problem = (message: string): void => {
    out.problems.push({ file: doc.file, doc: doc.index, line: doc.locate(pointerToPath(pointer), 'value').line, message });
  };
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return problem('document is not a mapping, so it is not a Kubernetes object');
  const object = data as Record<string, unknown>;
  const { apiVersion, kind } = object;
  if (typeof kind !== 'string') return problem('missing "kind"');
  if (typeof apiVersion !== 'string') return problem(`${kind}: missing "apiVersion"`);
  if (kind === '') return problem('missing "kind"');
  if (apiVersion === '') return problem(`${kind}: missing "apiVersion"`);
  // kubeconform reads a document's name first (kubeconform's Signature): a metadata that is not
  // a mapping, or a name, namespace or generateName that is a map or a list, makes it unreadable.
  const unreadable = top && signatureProblem(object);
  if (unreadable) return problem(`${kind}: ${unreadable}`);
  // kubeconform unwraps a top-level `kind: List` (any case), and only that: a PodList is a kind of its own.
  if (top && kind.toLowerCase() === 'list') {
    if (Array.isArray(object.items)) object.items.forEach((item, i) => collect(doc, item, `${pointer}/items/${i}`, origin, out, false));
    else if (object.items !== undefined && object.items !== null) problem(`${kind}: "items" is not a list`);
    return;
  }
  const metadata = (typeof object.metadata === 'object' && object.metadata !== null ? object.metadata : {}) as Record<string, unknown>;
  out.manifests.push({
    file: doc.file,
    origin,
    doc: doc.index,
    pointer,
    object,
    apiVersion,
    kind,
    name: typeof metadata.name === 'string' ? metadata.name : typeof metadata.generateName === 'string' ? metadata.generateName : '',
    namespace: typeof metadata.namespace === 'string' ? metadata.namespace : undefined,
    position: (p, which = 'value') => doc.locate(pointerToPath(pointer + p), which),
  });
}

/**
 * kubeconform's Signature decodes the document into {apiVersion, kind, metadata: {name,
 * namespace, generateName}} with Go's encoding/json, which matches keys whatever their case
 * and converts scalars to strings: a map or list there, or a metadata that is not a map, fails.
 */
function signatureProblem(object: Record<string, unknown>): string | undefined {
  const isNode = (v: unknown) => typeof v === 'object' && v !== null;
  for (const [key, value] of Object.entries(object)) {
    const lower = key.toLowerCase();
    if ((lower === 'kind' || lower === 'apiversion') && isNode(value)) return `"${key}" is not a string`;
    if (lower !== 'metadata' || value === null || value === undefined) continue;
    if (!isNode(value) || Array.isArray(value)) return `"${key}" is not a mapping`;
    for (const [field, v] of Object.entries(value as Record<string, unknown>)) {
      if (['name', 'namespace', 'generatename'].includes(field.toLowerCase()) && isNode(v)) return `"${key}.${field}" is not a string`;
    }
  }
  return undefined;
}

/** helm prefixes each document with `# Source: <chart>/templates/<file>` (subcharts: `<chart>/charts/<sub>/templates/…`). */
function sourceTemplate(text: string, chartPath: (chart: string) => string | undefined): string | undefined {
  // Only the comments before the document's first node are helm's.
  const head = /^(?:(?:---[^\n]*|[ \t]*(?:#[^\n]*)?)\n)*/.exec(text)?.[0] ?? '';
  const match = /^# ?Source: ([^/\s]+)\/(\S+)$/m.exec(head);
  if (!match) return undefined;
  let [, chart, rest] = match as unknown as [string, string, string];
  // A library chart's templates render under the parent's name but live in the library.
  const sub = /^charts\/([^/]+)\/(.*)$/.exec(rest);
  if (sub) [chart, rest] = [sub[1]!, sub[2]!];
  const base = chartPath(chart);
  return base ? `${base}/${rest}` : undefined;
}

