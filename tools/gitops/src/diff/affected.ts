import { posix } from 'node:path';
import type { RenderPlan } from '../core/render/plan.js';

/** An Application on either side of a change; one side is missing when it was added or removed. */
export interface AppPair {
  name: string;
  env: string;
  service: string;
  base?: RenderPlan;
  head?: RenderPlan;
}

/**
 * The Applications a change can affect: added or removed ones, those whose render plan
 * differs (a pin, a parameter, the value-file list, the environment's versions), and those
 * that read a changed file (a value file, or a chart taken from the tree being changed).
 * Everything else renders the same bytes on both sides, so it is not rendered at all.
 */
export function affectedApps(basePlans: readonly RenderPlan[], headPlans: readonly RenderPlan[], changed: ReadonlySet<string>): AppPair[] {
  const byName = new Map<string, AppPair>();
  const pair = (plan: RenderPlan) => byName.get(plan.app.name) ?? { name: plan.app.name, env: plan.env.name, service: plan.service };
  for (const plan of basePlans) byName.set(plan.app.name, { ...pair(plan), base: plan });
  for (const plan of headPlans) byName.set(plan.app.name, { ...pair(plan), env: plan.env.name, service: plan.service, head: plan });
  return [...byName.values()]
    .filter(({ base, head }) => !base || !head || fingerprint(base) !== fingerprint(head) || readsChanged(base, changed) || readsChanged(head, changed))
    .sort((a, b) => a.env.localeCompare(b.env) || a.service.localeCompare(b.service) || a.name.localeCompare(b.name));
}

/** Everything of a plan that reaches helm's command line. */
function fingerprint(plan: RenderPlan): string {
  const { chart, releaseName, namespace, kubeVersion, apiVersions, set, setString, valueFiles, extraValues, skipCrds, skipSchemaValidation, skipTests, envVars } = plan;
  return JSON.stringify([chart.path, chart.revision, chart.tree, releaseName, namespace, kubeVersion, apiVersions, set, setString, valueFiles, extraValues, skipCrds, skipSchemaValidation, skipTests, envVars]);
}

function readsChanged(plan: RenderPlan, changed: ReadonlySet<string>): boolean {
  if (plan.valueFiles.some((v) => v.tree.kind === 'snapshot' && changed.has(v.path))) return true;
  if (plan.chart.tree.kind !== 'snapshot') return false;
  // A chart taken from the changed tree: its files, and its file:// dependencies beside it.
  const chartsRoot = posix.dirname(plan.chart.path);
  for (const file of changed) if (file.startsWith(`${chartsRoot}/`)) return true;
  return false;
}
