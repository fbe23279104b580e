import type { SourceLocation } from '../findings.js';
import { locate } from '../yaml/parse-yaml.js';
import { originKey, type ApplicationManifest } from './application.js';
import type { AppSetEngine } from './engine.js';
import type { ParamSet } from './generators.js';

/** Argo CD's finalizer for a cascading delete (v1alpha1.ResourcesFinalizerName). */
export const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

export interface AppSetTemplate {
  metadata?: Record<string, unknown>;
  spec?: Record<string, unknown>;
}

export interface RenderSettings {
  engine: AppSetEngine;
  goTemplate: boolean;
  options: string[];
  /** spec.syncPolicy.preserveResourcesOnDeletion of the ApplicationSet. */
  preserveResourcesOnDeletion: boolean;
  /** metadata.namespace of the ApplicationSet. */
  namespace: string | undefined;
}

export type RenderOutcome =
  | { manifest: ApplicationManifest; origins: Map<string, SourceLocation[]> }
  | { error: string; path: (string | number)[] };

/**
 * Renders the template for one parameter set as the controller does (GetTempApplication,
 * Render.RenderTemplateParams, then GenerateApplications and createOrUpdateInCluster):
 * every string and every map key is a template; the metadata keeps name, namespace, labels,
 * annotations and finalizers; the finalizer is added unless the set preserves resources;
 * the namespace is the ApplicationSet's; the spec is normalized as NormalizeApplicationSpec.
 */
export function renderApplication(template: AppSetTemplate, set: ParamSet, settings: RenderSettings): RenderOutcome {
  const meta = template.metadata ?? {};
  const tmpl: Record<string, unknown> = {
    metadata: pick(meta, ['name', 'namespace', 'labels', 'annotations', 'finalizers']),
    spec: template.spec ?? {},
  };
  const origins = new Map<string, SourceLocation[]>();
  const params = set.params ?? {};
  // RenderTemplateParams returns the template untouched (and adds no finalizer) for no params.
  const noParams = Object.keys(params).length === 0;

  const sources: string[] = [];
  if (!noParams) collectTemplates(tmpl, sources);
  const unique = [...new Set(sources)];
  const results = new Map(settings.engine.render(set.id, settings.goTemplate, settings.options, unique).map((r, i) => [unique[i]!, r]));

  let failure: { error: string; path: (string | number)[] } | undefined;
  const replace = (text: string, path: (string | number)[]): string => {
    if (noParams || !text.includes('{{')) return text;
    const result = results.get(text)!;
    if (result.error) {
      failure ??= { error: result.error, path };
      return text;
    }
    // Deepest parameter first: in '{{.chart}}-{{.releases.prod.chart}}' the pin is what a person edits.
    const reads = [...(result.reads ?? [])].sort((a, b) => b.length - a.length);
    if (reads.length > 0) origins.set(originKey(path), reads.map((read) => originOf(set, read)));
    return result.text;
  };
  const walk = (value: unknown, path: (string | number)[]): unknown => {
    if (typeof value === 'string') return replace(value, path);
    if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, i]));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        // A nil map entry is skipped by deeplyReplace, as an unset field is absent.
        if (v === null || v === undefined) continue;
        out[replace(k, [...path, k])] = walk(v, [...path, k]);
      }
      return out;
    }
    return value;
  };
  const rendered = walk(tmpl, []) as { metadata: ApplicationManifest["metadata"]; spec: ApplicationManifest['spec'] };
  if (failure) return failure;

  const metadata = rendered.metadata;
  if (!noParams && !settings.preserveResourcesOnDeletion && (metadata.finalizers ?? []).length === 0) metadata.finalizers = [RESOURCES_FINALIZER];
  if (settings.namespace !== undefined) metadata.namespace = settings.namespace;
  const manifest: ApplicationManifest = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata, spec: normalizeSpec(rendered.spec) };
  return { manifest, origins };
}

function pick(from: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (from[k] !== undefined && from[k] !== null) out[k] = from[k];
  return out;
}

function collectTemplates(value: unknown, out: string[]): void {
  if (typeof value === 'string') {
    if (value.includes('{{')) out.push(value);
  } else if (Array.isArray(value)) {
    for (const v of value) collectTemplates(v, out);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (v === null || v === undefined) continue;
      if (k.includes('{{')) out.push(k);
      collectTemplates(v, out);
    }
  }
}

/** Where parameter `read` is written: its line in the generator file, or the set's fallback. */
function originOf(set: ParamSet, read: string[]): SourceLocation {
  const first = read[0] ?? '';
  if (!set.file || first === 'path' || /^path\[\d+\]$/.test(first) || first === 'values') return set.fallback;
  return locate(set.file, [...set.base, ...read]);
}

/**
 * argo.NormalizeApplicationSpec, applied before the controller writes an Application: a
 * sync policy with nothing set and source types with nothing set are dropped.
 */
function normalizeSpec(spec: ApplicationManifest['spec']): ApplicationManifest['spec'] {
  // An empty project never gets here: the controller's validation fails the whole set first.
  const out = { ...spec };
  const sync = out.syncPolicy as Record<string, unknown> | undefined;
  if (sync && typeof sync === 'object' && sync.automated == null && isZero(sync.syncOptions) && sync.retry == null && sync.managedNamespaceMetadata == null) {
    delete out.syncPolicy;
  }
  const normalizeSource = (source: Record<string, unknown>) => {
    const copy = { ...source };
    for (const kind of ['kustomize', 'helm', 'directory', 'plugin']) if (kind in copy && isZero(copy[kind])) delete copy[kind];
    return copy;
  };
  if (Array.isArray(out.sources) && out.sources.length > 0) out.sources = out.sources.map((s) => normalizeSource(s as Record<string, unknown>)) as typeof out.sources;
  else if (out.source && typeof out.source === 'object') out.source = normalizeSource(out.source as Record<string, unknown>) as typeof out.source;
  return out;
}

/** A field the Go struct would hold at its zero value: nothing set anywhere inside it. */
function isZero(value: unknown): boolean {
  if (value === undefined || value === null || value === '' || value === false || value === 0) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.values(value).every(isZero);
  return false;
}
