import type { Finding } from '../findings.js';
import { locate, parseYamlDocs, type JsonPath, type YamlDoc } from '../yaml/parse-yaml.js';

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
}

/** A document that is not a Kubernetes object (no kind, not a mapping): it cannot be validated. */
export interface ManifestProblem {
  file: string;
  doc: number;
  line: number;
  message: string;
}

export interface ParsedManifests {
  manifests: Manifest[];
  problems: ManifestProblem[];
  /** YAML syntax, duplicate keys, alias bombs, binary content. */
  findings: Finding[];
}

/**
 * Splits a multi-document YAML stream into Kubernetes objects, `List` kinds unwrapped.
 * `chartPath` maps a chart name to its repository directory, to turn helm's `# Source:`
 * comments into template paths.
 */
export function parseManifests(file: string, text: string, origin: ManifestOrigin, chartPath: (chart: string) => string | undefined = () => undefined): ParsedManifests {
  const { docs, findings } = parseYamlDocs(file, text);
  const out: ParsedManifests = { manifests: [], problems: [], findings };
  for (const doc of docs) {
    if (doc.data === null || doc.data === undefined) continue; // empty document: `---` alone
    const docOrigin = origin.kind === 'rendered' ? { ...origin, template: sourceTemplate(doc, chartPath) ?? origin.template } : origin;
    collect(doc, doc.data, '', docOrigin, out);
  }
  return out;
}

function collect(doc: YamlDoc, data: unknown, pointer: string, origin: ManifestOrigin, out: ParsedManifests): void {
  const line = lineOf(doc, pointer);
  const problem = (message: string): void => {
    out.problems.push({ file: doc.file, doc: doc.index, line, message });
  };
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return problem('document is not a mapping, so it is not a Kubernetes object');
  const object = data as Record<string, unknown>;
  const { apiVersion, kind } = object;
  if (typeof kind !== 'string' || kind === '') return problem('missing "kind"');
  if (typeof apiVersion !== 'string' || apiVersion === '') return problem(`${kind}: missing "apiVersion"`);
  if (kind.endsWith('List') && Array.isArray(object.items)) {
    object.items.forEach((item, i) => collect(doc, item, `${pointer}/items/${i}`, origin, out));
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
    position: (p, which = 'value') => {
      const loc = locate(doc, pointerToPath(pointer + p), which);
      return { line: loc.line ?? 1, column: loc.column ?? 1 };
    },
  });
}

/** helm prefixes each document with `# Source: <chart>/templates/<file>` (subcharts: `<chart>/charts/<sub>/templates/…`). */
function sourceTemplate(doc: YamlDoc, chartPath: (chart: string) => string | undefined): string | undefined {
  // After a `---` line the comment belongs to the document's first node, not to the document.
  const comment = [doc.doc.commentBefore, doc.doc.contents?.commentBefore].filter(Boolean).join('\n');
  const match = /^ ?Source: ([^/\s]+)\/(\S+)$/m.exec(comment);
  if (!match) return undefined;
  let [, chart, rest] = match as unknown as [string, string, string];
  // A library chart's templates render under the parent's name but live in the library.
  const sub = /^charts\/([^/]+)\/(.*)$/.exec(rest);
  if (sub) [chart, rest] = [sub[1]!, sub[2]!];
  const base = chartPath(chart);
  return base ? `${base}/${rest}` : undefined;
}

function lineOf(doc: YamlDoc, pointer: string): number {
  return locate(doc, pointerToPath(pointer)).line ?? 1;
}

/** "/spec/ports/0" -> ["spec", "ports", 0] (RFC 6901 unescaping). */
export function pointerToPath(pointer: string): JsonPath {
  return pointer
    .split('/')
    .slice(1)
    .map((raw) => {
      const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      return /^(0|[1-9]\d*)$/.test(segment) ? Number(segment) : segment;
    });
}
