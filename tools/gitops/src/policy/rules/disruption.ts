import type { Manifest } from '../../core/manifests/manifest.js';
import { describe, int, minPods, nsOf, rec, requiredLabels, selectorIndex, selectorMatches, str, workloadsLabelled, type PolicyApp, type PolicyFleet, type Workload } from '../model.js';
import type { Rule, Violation } from '../rule.js';
import { on, plural } from './common.js';

/** policy/v1: an empty selector selects every pod of the namespace, a missing one none. */
function pdbSelects(pdb: Manifest, labels: Record<string, string>): boolean {
  const selector = rec(pdb.object.spec).selector;
  return selector !== undefined && selector !== null && selectorMatches(selector, labels);
}

function pdbsSelecting(fleet: PolicyFleet, app: PolicyApp, w: Workload): Manifest[] {
  return selectorIndex(fleet, app, w.namespace, 'PodDisruptionBudget', 'policy', (pdb) => requiredLabels(rec(pdb.object.spec).selector))
    .candidates(w.labels)
    .filter((pdb) => pdbSelects(pdb, w.labels));
}

/** Pods a PDB lets the eviction API take at once from a workload running `pods` pods; Kubernetes rounds percentages up. */
function evictable(spec: Record<string, unknown>, pods: number): { allowed: number; field: string; shown: string } | undefined {
  const scaled = (value: unknown): number | undefined => {
    const n = int(value);
    if (n !== undefined) return n;
    const pct = /^(\d+)%$/.exec(str(value));
    return pct ? Math.ceil((Number(pct[1]) * pods) / 100) : undefined;
  };
  if (spec.minAvailable !== undefined) {
    const min = scaled(spec.minAvailable);
    return min === undefined ? undefined : { allowed: pods - min, field: 'minAvailable', shown: `minAvailable ${String(spec.minAvailable)}` };
  }
  if (spec.maxUnavailable !== undefined) {
    const max = scaled(spec.maxUnavailable);
    return max === undefined ? undefined : { allowed: Math.min(max, pods), field: 'maxUnavailable', shown: `maxUnavailable ${String(spec.maxUnavailable)}` };
  }
  return undefined;
}

export const disruptionRules: Rule[] = [
  {
    code: 'POLICY_PDB_MISSING',
    title: 'Replicated workloads with 2 or more pods have a PodDisruptionBudget.',
    hint: 'Enable podDisruptionBudget (maxUnavailable: 1 is a good default), so that node drains and cluster upgrades take the pods one at a time.',
    severity: { baseline: 'off', restricted: 'error' },
    reads: 'environment',
    check(app, fleet) {
      const out: Violation[] = [];
      for (const w of app.workloads) {
        if (!w.replicated || minPods(app, w).count < 2) continue;
        if (pdbsSelecting(fleet, app, w).length === 0) out.push(on(w.manifest, '', 'no PodDisruptionBudget covers its pods'));
      }
      return out;
    },
  },
  {
    code: 'POLICY_PDB_BLOCKS_EVICTION',
    title: 'A PodDisruptionBudget still lets a pod be evicted at the lowest replica count (HPA minimum or replicas), and no pod has two budgets.',
    hint: 'Use maxUnavailable: 1, or a minAvailable below the HPA minimum (or replicas): a budget that allows no eviction makes every node drain hang.',
    severity: { baseline: 'warning', restricted: 'error' },
    reads: 'environment',
    check(app, fleet) {
      const out: Violation[] = [];
      for (const pdb of app.manifests.filter((m) => m.kind === 'PodDisruptionBudget')) {
        const spec = rec(pdb.object.spec);
        for (const { app: owner, w } of workloadsLabelled(fleet, app, nsOf(pdb, app.namespace), requiredLabels(spec.selector)[0])) {
          if (!w.replicated || !pdbSelects(pdb, w.labels)) continue;
          const { count, from } = minPods(owner, w);
          if (count === 0) continue;
          const budget = evictable(spec, count);
          if (budget && budget.allowed < 1) {
            const at = from === 'hpa' ? `${plural(count, 'pod')} at the HPA minimum` : plural(count, 'replica');
            out.push(on(pdb, `/spec/${budget.field}`, `${budget.shown} lets no pod of ${describe(w)} (${at}) be evicted`));
          }
        }
      }
      for (const w of app.workloads) {
        const budgets = pdbsSelecting(fleet, app, w);
        if (budgets.length > 1) {
          out.push(on(w.manifest, '', `its pods are covered by ${budgets.length} PodDisruptionBudgets (${budgets.map((b) => b.name).join(', ')}), so the eviction API refuses to evict any of them`));
        }
      }
      return out;
    },
  },
];
