import { arr, rec, requiredLabels, selectorIndex, selectorMatches, type PolicyApp, type PolicyFleet, type Workload } from '../model.js';
import type { Rule, Violation } from '../rule.js';
import { onTemplate } from './common.js';

/** Does a NetworkPolicy restrict who may connect to a workload's pods? */
function isolatesIngress(fleet: PolicyFleet, app: PolicyApp, w: Workload): 'yes' | 'egress-only' | 'no' {
  let selected = false;
  for (const np of selectorIndex(fleet, app, w.namespace, 'NetworkPolicy', 'networking.k8s.io', (m) => requiredLabels(rec(m.object.spec).podSelector)).candidates(w.labels)) {
    const spec = rec(np.object.spec);
    if (!selectorMatches(spec.podSelector, w.labels)) continue;
    selected = true;
    // Without policyTypes, a policy always isolates ingress (and egress only if it has egress rules).
    const types = spec.policyTypes === undefined ? ['Ingress'] : arr(spec.policyTypes);
    if (types.includes('Ingress')) return 'yes';
  }
  return selected ? 'egress-only' : 'no';
}

export const networkPolicyRules: Rule[] = [
  {
    code: 'POLICY_NETWORK_POLICY_MISSING',
    title: "Every workload's pods are selected by a NetworkPolicy that restricts ingress.",
    hint: 'Enable the networkPolicy of the service (ingress from its callers only): without one, any pod of the cluster can connect to it.',
    severity: { baseline: 'warning', restricted: 'error' },
    reads: 'environment',
    check(app, fleet) {
      const out: Violation[] = [];
      for (const w of app.workloads) {
        const verdict = isolatesIngress(fleet, app, w);
        if (verdict === 'egress-only') out.push(onTemplate(w, '/metadata/labels', 'is selected only by egress NetworkPolicies: any pod may connect to it'));
        else if (verdict === 'no') out.push(onTemplate(w, '/metadata/labels', 'is selected by no NetworkPolicy: any pod may connect to it'));
      }
      return out;
    },
  },
];
