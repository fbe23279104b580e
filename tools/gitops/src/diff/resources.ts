import { createTwoFilesPatch } from 'diff';
import { parseDocument, stringify } from 'yaml';
import { loadKubeDocument, splitDocuments } from '../core/manifests/kube-yaml.js';
import { maskSecrets, type SecretChange } from './secrets.js';
import { removeIgnored, type IgnorePath } from './ignore.js';

export type ChangeStatus = 'added' | 'removed' | 'changed' | 'unchanged';

export interface ResourceChange {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  status: ChangeStatus;
  /** Unified diff of the YAML (keys sorted), empty when unchanged. Secret values never appear. */
  diff: string;
  /** For Secrets: the keys whose value changed, with sizes. */
  secretChanges?: SecretChange[];
}

interface Keyed {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  object: Record<string, unknown>;
}

/**
 * Diffs two renders of one Application resource by resource, keyed by group, kind,
 * namespace and name (a resource without a namespace gets the Application's, as Argo CD
 * applies it). Resources in a stable order: kind, namespace, name.
 */
export function diffResources(base: string | undefined, head: string | undefined, options: { namespace: string; ignore: readonly IgnorePath[]; context?: number }): ResourceChange[] {
  const before = index(base, options);
  const after = index(head, options);
  const keys = [...new Set([...before.keys(), ...after.keys()])];
  const changes = keys.map((key): ResourceChange => {
    const a = before.get(key);
    const b = after.get(key);
    const ref = (b ?? a)!;
    const masked = ref.kind === 'Secret' && (ref.apiVersion === 'v1') ? maskSecrets(a?.object, b?.object) : undefined;
    const textA = a ? stableYaml(masked?.base ?? a.object) : '';
    const textB = b ? stableYaml(masked?.head ?? b.object) : '';
    const status: ChangeStatus = !a ? 'added' : !b ? 'removed' : textA === textB ? 'unchanged' : 'changed';
    const label = `${ref.kind}/${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
    const diff = status === 'unchanged' ? '' : unifiedDiff(a ? `a/${label}` : '/dev/null', b ? `b/${label}` : '/dev/null', textA, textB, options.context ?? 3);
    return { apiVersion: ref.apiVersion, kind: ref.kind, namespace: ref.namespace, name: ref.name, status, diff, secretChanges: masked?.changes.length ? masked.changes : undefined };
  });
  return changes.sort((x, y) => x.kind.localeCompare(y.kind) || x.namespace.localeCompare(y.namespace) || x.name.localeCompare(y.name));
}

function index(text: string | undefined, options: { namespace: string; ignore: readonly IgnorePath[] }): Map<string, Keyed> {
  const out = new Map<string, Keyed>();
  if (!text) return out;
  for (const doc of splitDocuments(text)) {
    const object = readDocument(doc.text);
    if (!object || typeof object !== 'object' || Array.isArray(object)) continue;
    const o = object as { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } };
    if (!o.kind || !o.apiVersion) continue;
    const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0]! : '';
    const namespace = o.metadata?.namespace ?? options.namespace;
    const name = o.metadata?.name ?? '';
    const cleaned = removeIgnored(object as Record<string, unknown>, options.ignore);
    out.set(`${group}/${o.kind}/${namespace}/${name}`, { apiVersion: o.apiVersion, kind: o.kind, namespace, name, object: cleaned });
  }
  return out;
}

/**
 * A rendered document as the cluster reads it (kube-yaml.ts: `yes` a boolean, `010` octal);
 * one it cannot read (a render finding of its own), as the yaml library makes it out, so the
 * diff still shows it.
 */
function readDocument(text: string): unknown {
  try {
    return loadKubeDocument(text);
  } catch {
    return parseDocument(text).toJS() as unknown;
  }
}

/** YAML with every map's keys sorted, so a reordering in a template is no change. */
export function stableYaml(object: unknown): string {
  return stringify(object, { sortMapEntries: true, lineWidth: 0, aliasDuplicateObjects: false });
}

/** `--- a/…`, `+++ b/…` and the hunks; jsdiff's leading `====` line and empty headers dropped. */
function unifiedDiff(from: string, to: string, a: string, b: string, context: number): string {
  const patch = createTwoFilesPatch(from, to, a, b, undefined, undefined, { context });
  return patch
    .split('\n')
    .filter((line, i) => !(i === 0 && line.startsWith('====')))
    .map((line) => (line.startsWith('--- ') || line.startsWith('+++ ') ? line.trimEnd() : line))
    .join('\n');
}
