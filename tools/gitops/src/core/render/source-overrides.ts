import type { ApplicationSource } from '../appset/application.js';

/** The override files Argo CD's repo-server merges into a source, in order: `.argocd-source.yaml`, then the Application's own. */
export function sourceOverrideFiles(dir: string, appName: string): string[] {
  const base = dir === '' || dir === '.' ? '' : `${dir}/`;
  return [`${base}.argocd-source.yaml`, `${base}.argocd-source-${appName}.yaml`];
}

/**
 * The repo-server's mergeSourceParameters: each override is a JSON merge patch (RFC 7386) on
 * the source, in order; only config-management fields may change, so chart, path, repoURL
 * and targetRevision are kept as the Application has them.
 */
export function mergeSourceOverrides(source: ApplicationSource, patches: readonly unknown[]): ApplicationSource {
  let merged: unknown = structuredClone(source);
  for (const patch of patches) merged = mergePatch(merged, patch);
  const out = (isObject(merged) ? merged : {}) as ApplicationSource;
  const kept = { chart: source.chart, path: source.path, repoURL: source.repoURL, targetRevision: source.targetRevision };
  return { ...out, ...Object.fromEntries(Object.entries(kept).filter(([, v]) => v !== undefined)) };
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
