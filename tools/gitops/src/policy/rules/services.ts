import { arr, int, mapSelects, ofKind, rec, selectorEmpty, selectorMatches, stringMap, type PolicyApp, type Workload } from '../model.js';
import type { Rule, Violation } from '../rule.js';
import { on } from './common.js';

/** The workloads of this Application a Service sends traffic to. */
export function selectedWorkloads(app: PolicyApp, service: { object: Record<string, unknown>; namespace?: string }): Workload[] {
  const selector = stringMap(rec(service.object.spec).selector);
  const ns = service.namespace ?? app.namespace;
  return app.workloads.filter((w) => w.namespace === ns && mapSelects(selector, w.labels));
}

/** Services that route to pods by selector (not ExternalName, not hand-managed Endpoints). */
function routingServices(app: PolicyApp) {
  return ofKind(app, 'Service', '').filter((s) => {
    const spec = rec(s.object.spec);
    return spec.type !== 'ExternalName' && Object.keys(rec(spec.selector)).length > 0;
  });
}

export const serviceRules: Rule[] = [
  {
    code: 'POLICY_SELECTOR_MISMATCH',
    title: "A workload's selector matches its own pod template labels.",
    hint: 'Make spec.selector a subset of spec.template.metadata.labels (selector labels are immutable: change them with a new workload name).',
    severity: { baseline: 'error', restricted: 'error' },
    check(app) {
      const out: Violation[] = [];
      for (const w of app.workloads) {
        // Jobs generate their selector unless manualSelector is set.
        if (!w.replicated && w.kind !== 'DaemonSet') continue;
        const own = rec(w.manifest.object.spec).selector;
        const selector = own ?? (w.podManifest !== w.manifest ? rec(w.podManifest.object.spec).selector : undefined);
        if (selector === undefined || selectorEmpty(selector)) {
          out.push(on(w.manifest, '/spec/selector', 'has no pod selector'));
        } else if (!selectorMatches(selector, w.labels)) {
          out.push(on(w.manifest, '/spec/selector', 'selector does not match its pod template labels'));
        }
      }
      return out;
    },
  },
  {
    code: 'POLICY_SERVICE_SELECTS_NOTHING',
    title: "Every Service's selector matches the pods of a workload of its Application.",
    hint: "Make the Service's spec.selector match the workload's pod template labels.",
    severity: { baseline: 'error', restricted: 'error' },
    check(app) {
      return routingServices(app)
        .filter((s) => selectedWorkloads(app, s).length === 0)
        .map((s) => on(s, '/spec/selector', 'selects no pods of this Application'));
    },
  },
  {
    code: 'POLICY_SERVICE_TARGET_PORT_UNKNOWN',
    title: "Every Service port's targetPort is a port of the containers it selects (by name or number).",
    hint: 'Set targetPort to the name (or number) of a port in the container\'s ports[]: a name no container declares leaves the Service without endpoints.',
    severity: { baseline: 'error', restricted: 'error' },
    check(app) {
      const out: Violation[] = [];
      for (const s of routingServices(app)) {
        const workloads = selectedWorkloads(app, s);
        if (workloads.length === 0) continue;
        const ports = workloads.flatMap((w) => w.containers.filter((c) => !c.init || c.sidecar).flatMap((c) => arr(c.spec.ports).map(rec)));
        arr(rec(s.object.spec).ports).forEach((p, i) => {
          const port = rec(p);
          const target = port.targetPort ?? port.port;
          const number = int(target);
          const known = number !== undefined ? ports.some((cp) => int(cp.containerPort) === number) : ports.some((cp) => cp.name === target);
          if (!known) {
            const field = port.targetPort === undefined ? 'port' : 'targetPort';
            out.push(on(s, `/spec/ports/${i}/${field}`, `port ${String(port.name ?? port.port)} targets ${typeof target === 'string' ? `"${target}"` : String(target)}, which no container it selects declares`));
          }
        });
      }
      return out;
    },
  },
];
