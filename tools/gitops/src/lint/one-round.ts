import type { Finding, FindingCode } from '../core/findings.js';
import { rules } from '../policy/registry.js';
import type { RenderedApp } from '../render/render-app.js';

/**
 * Rules that judge an Application by what other Applications of its environment render: when
 * one of those did not render, their verdict is unknown, not a failure of the caller.
 */
export const CROSS_APPLICATION_CODES: ReadonlySet<FindingCode> = new Set(rules.filter((r) => r.reads === 'environment').map((r) => r.code));

/** The values errors lint reports at their lines, which helm's schema refusal repeats without them. */
const VALUES_SCHEMA_CODES: ReadonlySet<FindingCode> = new Set<FindingCode>(['VALUES_UNKNOWN_KEY', 'VALUES_MISSING_KEY', 'VALUES_WRONG_TYPE', 'VALUES_INVALID']);

/**
 * Makes one `check` read as one round of findings a person can act on, root causes first:
 * - a render helm refused for the chart's schema is one finding, not a copy of each values
 *   error lint already reports at its line (helm's own list is kept when lint found none);
 * - a finding of a cross-Application rule in an environment where another Application did
 *   not render is a warning that says so, not an error blamed on the caller;
 * - the render failures come first.
 */
export function oneRound(findings: readonly Finding[], apps: readonly RenderedApp[]): Finding[] {
  const byName = new Map(apps.map((a) => [a.plan.app.name, a]));
  const failed = new Map<string, string[]>();
  for (const a of apps) if (a.manifests === undefined) failed.set(a.plan.env.name, [...(failed.get(a.plan.env.name) ?? []), a.plan.app.name]);

  const out = findings.map((f): Finding => {
    const app = f.application ? byName.get(f.application) : undefined;
    if (f.code === 'HELM_TEMPLATE_FAILED' && app?.pastValuesSchema && lintSawValuesErrors(findings, app)) {
      return { ...f, message: `${app.plan.app.name}: helm refuses to render these values: they break the chart's values.schema.json (each error above, at its values line)` };
    }
    if (!CROSS_APPLICATION_CODES.has(f.code) || !f.env) return f;
    const others = (failed.get(f.env) ?? []).filter((name) => name !== f.application);
    if (others.length === 0) return f;
    return { ...f, severity: 'warning', message: `${f.message} (not checked: ${others.join(', ')} did not render)`, hint: `Fix the render of ${others.join(', ')} first; this is judged again then.` };
  });
  const first = (f: Finding) => (f.code === 'HELM_TEMPLATE_FAILED' ? 0 : 1);
  // Array.prototype.sort is stable: the order within each group stays as given.
  return out.sort((a, b) => first(a) - first(b));
}

function lintSawValuesErrors(findings: readonly Finding[], app: RenderedApp): boolean {
  // Findings are deduplicated across Applications, so match by the files this one reads.
  const files = new Set([...app.plan.valueFiles.map((v) => v.path), `services/${app.plan.service}/service.yaml`]);
  return findings.some((f) => VALUES_SCHEMA_CODES.has(f.code) && f.severity === 'error' && (f.application === app.plan.app.name || (f.location !== undefined && files.has(f.location.file))));
}
