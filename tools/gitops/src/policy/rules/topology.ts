import { arr, minPods, rec, selectorMatches, type Workload } from '../model.js';
import type { Rule, Violation } from '../rule.js';
import { onTemplate } from './common.js';

const ZONE_KEYS = new Set(['topology.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/zone']);

/** A constraint or term spreads the workload only when its selector matches the workload's own pods. */
function spreadsOverZones(w: Workload): boolean {
  return arr(w.podSpec.topologySpreadConstraints).some((c) => {
    const constraint = rec(c);
    return ZONE_KEYS.has(String(constraint.topologyKey)) && constraint.labelSelector !== undefined && selectorMatches(constraint.labelSelector, w.labels);
  });
}

function hasAntiAffinity(w: Workload): boolean {
  const anti = rec(rec(w.podSpec.affinity).podAntiAffinity);
  const terms = [...arr(anti.requiredDuringSchedulingIgnoredDuringExecution), ...arr(anti.preferredDuringSchedulingIgnoredDuringExecution).map((p) => rec(p).podAffinityTerm)];
  return terms.some((t) => {
    const term = rec(t);
    return term.topologyKey !== undefined && term.labelSelector !== undefined && selectorMatches(term.labelSelector, w.labels);
  });
}

export const topologyRules: Rule[] = [
  {
    code: 'POLICY_TOPOLOGY_SPREAD_MISSING',
    title: 'Replicated workloads spread their pods over zones (topologySpreadConstraints) or keep them apart (pod anti-affinity).',
    hint: 'Enable topologySpread.zone (topologyKey topology.kubernetes.io/zone) with a labelSelector that matches the pods, so that one zone or node going down leaves replicas running.',
    severity: { baseline: 'off', restricted: 'error' },
    check(app) {
      const out: Violation[] = [];
      for (const w of app.workloads) {
        if (!w.replicated || minPods(app, w).count < 2) continue;
        if (spreadsOverZones(w) || hasAntiAffinity(w)) continue;
        const hostnameOnly = arr(w.podSpec.topologySpreadConstraints).length > 0;
        out.push(onTemplate(w, '/spec/topologySpreadConstraints', hostnameOnly ? 'spreads its pods over nodes but not over zones (no zone constraint selects its pods)' : 'neither spreads its pods over zones nor keeps them apart'));
      }
      return out;
    },
  },
];
