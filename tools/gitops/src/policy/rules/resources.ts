import { rec } from '../model.js';
import type { Rule, Violation } from '../rule.js';
import { onContainer } from './common.js';

const SUFFIX: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A Kubernetes quantity ("512Mi", "0.5", "100m", "1e3") as a number; undefined when unreadable. */
export function quantity(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[mkMGTPE]))?$/.exec(value.trim());
  if (!m) return undefined;
  const n = Number(m[1]! + (m[2] ?? ''));
  return n * (SUFFIX[m[3] ?? ''] ?? 1);
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

export const resourceRules: Rule[] = [
  {
    code: 'POLICY_RESOURCES_MISSING',
    title: 'Every container, init containers included, requests CPU and memory and has a memory limit no lower than its request, all as Kubernetes quantities.',
    hint: 'Set resources.requests.cpu, resources.requests.memory and resources.limits.memory in the service values: without them the scheduler packs blindly and one leak takes the node down.',
    severity: { baseline: 'warning', restricted: 'error' },
    check(app) {
      const out: Violation[] = [];
      for (const w of app.workloads) {
        for (const c of w.containers) {
          const resources = rec(c.spec.resources);
          const requests = rec(resources.requests);
          const limits = rec(resources.limits);
          // Kubernetes defaults a missing request to the limit.
          const missing: [string, string][] = [];
          if (!present(requests.cpu) && !present(limits.cpu)) missing.push(['no CPU request', '/resources/requests/cpu']);
          if (!present(requests.memory) && !present(limits.memory)) missing.push(['no memory request', '/resources/requests/memory']);
          if (!present(limits.memory)) missing.push(['no memory limit', '/resources/limits/memory']);
          if (missing.length > 0) {
            out.push(onContainer(w, c, missing.length === 1 ? missing[0]![1] : '/resources', `has ${missing.map(([what]) => what).join(', ')}`));
            continue;
          }
          // The API server rejects what it cannot read as a quantity ("1 GiB", "512MB").
          const unreadable = (['requests', 'limits'] as const).flatMap((kind) =>
            (['cpu', 'memory'] as const).filter((r) => present(rec(resources[kind])[r]) && quantity(rec(resources[kind])[r]) === undefined).map((r) => [kind, r] as const),
          );
          if (unreadable.length > 0) {
            for (const [kind, r] of unreadable) {
              const shown = String(rec(resources[kind])[r]);
              out.push(onContainer(w, c, `/resources/${kind}/${r}`, `has ${r === 'cpu' ? 'CPU' : 'memory'} ${kind === 'limits' ? 'limit' : 'request'} "${shown}", which is not a Kubernetes quantity (e.g. ${r === 'cpu' ? '500m, 2' : '512Mi, 1Gi'})`));
            }
            continue;
          }
          const request = quantity(requests.memory);
          const limit = quantity(limits.memory);
          if (request !== undefined && limit !== undefined && limit < request) {
            out.push(onContainer(w, c, '/resources/limits/memory', `has a memory limit (${String(limits.memory)}) below its request (${String(requests.memory)})`));
          }
        }
      }
      return out;
    },
  },
];
