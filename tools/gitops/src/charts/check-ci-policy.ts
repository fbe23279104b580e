import type { Finding } from '../core/findings.js';
import type { Manifest } from '../core/manifests/manifest.js';
import type { Environment } from '../core/repo/model.js';
import { evaluatePolicy } from '../policy/evaluate.js';
import { extractWorkloads, type PolicyApp } from '../policy/model.js';
import { rules } from '../policy/registry.js';
import { appKey } from '../policy/waivers.js';

/** The namespace a chart renders into with its CI values (no environment's). */
export const CI_NAMESPACE = 'chart-ci';

/** Rules that judge a chart's render on its own: those reading other Applications or AppProjects do not. */
const SELF_CONTAINED_RULES = rules.filter((r) => r.reads === undefined);

/** How many rules a CI render is not judged by, for the report. */
export const RULES_NOT_FOR_CI = rules.length - SELF_CONTAINED_RULES.length;

/**
 * A chart rendered with one of its CI values files, through the policy rules that judge an
 * Application on its own. A CI values file belongs to no environment, so it is held to the
 * strictest one: the `restricted` profile if any environment runs it, and the Istio rules if
 * any environment runs a mesh. Rules whose verdict reads other Applications or the AppProjects
 * say nothing about a chart alone and are left out.
 */
export function ciPolicyFindings(chart: string, ciFile: string, manifests: Manifest[], environments: readonly Environment[], today: string): Finding[] {
  const strictest = [...environments].sort((a, b) => strictness(b) - strictness(a))[0];
  if (!strictest) return [];
  const env: Environment = { ...strictest, name: 'ci', mesh: environments.some((e) => e.mesh === 'istio') ? 'istio' : 'none' };
  const app: PolicyApp = {
    application: `${chart} with ${ciFile.split('/').pop()}`,
    env,
    profile: environments.some((e) => e.policyProfile === 'restricted') ? 'restricted' : 'baseline',
    service: chart,
    project: 'default',
    destination: { namespace: CI_NAMESPACE },
    namespace: CI_NAMESPACE,
    appLocation: { file: ciFile },
    fallbackLocation: { file: ciFile },
    manifests,
    workloads: extractWorkloads(manifests, CI_NAMESPACE),
  };
  const key = appKey(env.name, chart);
  return evaluatePolicy({ apps: [app], selected: new Set([key]), all: [key], projects: new Map(), waivers: [], today, rules: SELF_CONTAINED_RULES }).findings;
}

function strictness(e: Environment): number {
  return (e.policyProfile === 'restricted' ? 2 : 0) + (e.mesh === 'istio' ? 1 : 0);
}
