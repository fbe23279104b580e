import { describe, hpaFor, int, ofKind, rec } from '../model.js';
import type { Rule, Violation } from '../rule.js';
import { on } from './common.js';

export const replicaRules: Rule[] = [
  {
    code: 'POLICY_REPLICAS_TOO_FEW',
    title: 'Replicated workloads run at least 2 replicas, unless an HPA manages them.',
    hint: 'Set replicas: 2 or more, or enable autoscaling with minReplicas ≥ 2: one pod means downtime at every rollout, node drain and crash.',
    severity: { baseline: 'off', restricted: 'error' },
    check(app) {
      const out: Violation[] = [];
      for (const w of app.workloads) {
        if (!w.replicated || hpaFor(app, w)) continue;
        const replicas = int(w.replicas) ?? 1;
        // 0 is a deliberate "switched off", not an availability risk.
        if (replicas === 1) out.push(on(w.manifest, '/spec/replicas', w.replicas === undefined ? 'runs 1 replica (replicas is not set)' : 'runs 1 replica'));
      }
      return out;
    },
  },
  {
    code: 'POLICY_REPLICAS_WITH_HPA',
    title: 'A workload that an HPA scales does not also set replicas.',
    hint: 'Remove replicas from the workload when autoscaling is on: every Argo CD sync would otherwise reset the count the HPA chose.',
    severity: { baseline: 'warning', restricted: 'error' },
    check(app) {
      const out: Violation[] = [];
      for (const w of app.workloads) {
        const hpa = hpaFor(app, w);
        if (hpa && w.replicas !== undefined && w.replicas !== null) {
          out.push(on(w.manifest, '/spec/replicas', `sets replicas: ${String(w.replicas)} although ${describe(hpa)} scales it`));
        }
      }
      return out;
    },
  },
  {
    code: 'POLICY_HPA_MIN_REPLICAS',
    title: 'HorizontalPodAutoscalers keep at least 2 replicas.',
    hint: 'Set autoscaling.minReplicas to 2 or more.',
    severity: { baseline: 'off', restricted: 'error' },
    check(app) {
      return ofKind(app, 'HorizontalPodAutoscaler', 'autoscaling').flatMap((hpa) => {
        const spec = rec(hpa.object.spec);
        const min = int(spec.minReplicas) ?? 1;
        return min < 2 ? [on(hpa, '/spec/minReplicas', `minReplicas is ${min}${spec.minReplicas === undefined ? ' (not set)' : ''}`)] : [];
      });
    },
  },
  {
    code: 'POLICY_HPA_RANGE',
    title: 'HorizontalPodAutoscalers have room to scale: maxReplicas above minReplicas.',
    hint: 'Set autoscaling.maxReplicas above minReplicas, or turn autoscaling off and set replicas.',
    severity: { baseline: 'warning', restricted: 'error' },
    check(app) {
      return ofKind(app, 'HorizontalPodAutoscaler', 'autoscaling').flatMap((hpa) => {
        const spec = rec(hpa.object.spec);
        const min = int(spec.minReplicas) ?? 1;
        const max = int(spec.maxReplicas);
        return max !== undefined && max <= min ? [on(hpa, '/spec/maxReplicas', `maxReplicas (${max}) is not above minReplicas (${min}): it cannot scale`)] : [];
      });
    },
  },
];
