import type { Finding } from '../core/findings.js';
import { pointerToPath } from '../core/manifests/manifest.js';
import { valuesOrigin } from '../core/values/provenance.js';
import type { AppManifests } from '../render/fleet-manifests.js';
import type { AppValuesCache } from './lint-values.js';

/**
 * Moves each finding about a rendered field (validate, policy) from the chart template to
 * the values line that set the field, when the values show where it came from. The
 * template stays in the message's `rendered by` note; findings with no evidence are kept
 * as they are.
 */
export async function attachValuesOrigins(findings: readonly Finding[], apps: readonly AppManifests[], values: AppValuesCache): Promise<Finding[]> {
  const byApp = new Map(apps.map((a) => [a.app.plan.app.name, a]));

  return Promise.all(
    findings.map(async (finding) => {
      const app = finding.application ? byApp.get(finding.application) : undefined;
      const ref = finding.resource;
      if (!app || !ref || ref.pointer === undefined) return finding;
      const manifest = app.manifests.find((m) => m.kind === ref.kind && m.name === ref.name && (m.namespace ?? '') === (ref.namespace ?? ''));
      if (!manifest) return finding;
      const appValues = await values.get(app.app.plan);
      if (!appValues) return finding;
      const path = pointerToPath(ref.pointer);
      const origin = valuesOrigin(appValues.layers, appValues.merged, path, valueAt(manifest.object, path));
      if (!origin) return finding;
      const template = finding.location?.file;
      return { ...finding, location: origin, message: template && template !== origin.file ? `${finding.message} (rendered by ${template})` : finding.message };
    }),
  );
}

function valueAt(object: unknown, path: readonly (string | number)[]): unknown {
  let node = object;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[String(segment)];
  }
  return node;
}
