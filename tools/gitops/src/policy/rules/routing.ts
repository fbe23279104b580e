import type { Manifest } from '../../core/manifests/manifest.js';
import { arr, fleetOfKind, fqdn, int, nsOf, rec, str, type PolicyApp, type PolicyFleet } from '../model.js';
import type { Rule, Violation } from '../rule.js';
import { on } from './common.js';

const ISTIO_NETWORKING = 'networking.istio.io';
const ROUTE_KINDS = ['http', 'tcp', 'tls'] as const;

function virtualServices(app: PolicyApp): Manifest[] {
  return app.manifests.filter((m) => m.kind === 'VirtualService' && m.apiVersion.startsWith(`${ISTIO_NETWORKING}/`));
}

/** Does a DestinationRule host (possibly a wildcard like *.ns.svc.cluster.local) cover a host? */
function hostCovers(pattern: string, host: string): boolean {
  return pattern === host || (pattern.startsWith('*') && host.endsWith(pattern.slice(1)));
}

/** DestinationRules for a host: the Application's own first, then the rest of the environment. */
function destinationRulesFor(app: PolicyApp, fleet: PolicyFleet, host: string): Manifest[] {
  const index = fleet.memo(`destination-rules|${app.env.name}`, () => {
    const exact = new Map<string, { app: PolicyApp; manifest: Manifest }[]>();
    const wildcard: { pattern: string; entry: { app: PolicyApp; manifest: Manifest } }[] = [];
    for (const entry of fleetOfKind(fleet, app, 'DestinationRule', ISTIO_NETWORKING)) {
      const pattern = fqdn(str(rec(entry.manifest.object.spec).host), nsOf(entry.manifest, entry.app.namespace));
      if (pattern.startsWith('*')) wildcard.push({ pattern, entry });
      else exact.set(pattern, [...(exact.get(pattern) ?? []), entry]);
    }
    return { exact, wildcard };
  });
  const all = [...(index.exact.get(host) ?? []), ...index.wildcard.filter(({ pattern }) => hostCovers(pattern, host)).map(({ entry }) => entry)];
  return [...all.filter(({ app: a }) => a === app), ...all.filter(({ app: a }) => a !== app)].map(({ manifest }) => manifest);
}

export const routingRules: Rule[] = [
  {
    code: 'POLICY_ROUTE_WEIGHTS',
    title: 'The destination weights of each VirtualService route with several destinations add up to 100.',
    hint: 'Make the weights of the route add up to 100 (e.g. 90 and 10 for a canary).',
    severity: { baseline: 'error', restricted: 'error' },
    mesh: true,
    check(app) {
      const out: Violation[] = [];
      for (const vs of virtualServices(app)) {
        const spec = rec(vs.object.spec);
        for (const kind of ROUTE_KINDS) {
          arr(spec[kind]).forEach((r, i) => {
            const destinations = arr(rec(r).route).map(rec);
            if (destinations.length < 2) return;
            const total = destinations.reduce((sum, d) => sum + (int(d.weight) ?? 0), 0);
            if (total !== 100) {
              const name = str(rec(r).name);
              out.push(on(vs, `/spec/${kind}/${i}/route`, `${kind} route ${name ? `"${name}"` : i} sends ${total}% of its traffic (weights ${destinations.map((d) => int(d.weight) ?? 0).join(' + ')}), not 100%`));
            }
          });
        }
      }
      return out;
    },
  },
  {
    code: 'POLICY_ROUTE_SUBSET_UNDEFINED',
    title: 'Every subset a VirtualService routes or mirrors to is defined by a DestinationRule of the same host.',
    hint: 'Add the subset (its name and pod labels) to the DestinationRule of that host, or route without a subset: traffic to an undefined subset fails with 503.',
    severity: { baseline: 'error', restricted: 'error' },
    mesh: true,
    reads: 'environment',
    check(app, fleet) {
      const out: Violation[] = [];
      for (const vs of virtualServices(app)) {
        const spec = rec(vs.object.spec);
        const ns = nsOf(vs, app.namespace);
        const check = (destination: unknown, pointer: string) => {
          const d = rec(destination);
          const subset = str(d.subset);
          if (!subset) return;
          const host = fqdn(str(d.host), ns);
          const rules = destinationRulesFor(app, fleet, host);
          if (rules.length === 0) {
            out.push(on(vs, `${pointer}/subset`, `routes to subset "${subset}" of ${host}, but no DestinationRule for that host exists`));
          } else if (!rules.some((dr) => arr(rec(dr.object.spec).subsets).some((s) => rec(s).name === subset))) {
            out.push(on(vs, `${pointer}/subset`, `routes to subset "${subset}" of ${host}, which DestinationRule ${rules[0]!.name} does not define`));
          }
        };
        for (const kind of ROUTE_KINDS) {
          arr(spec[kind]).forEach((r, i) => {
            arr(rec(r).route).forEach((d, j) => check(rec(d).destination, `/spec/${kind}/${i}/route/${j}/destination`));
            if (kind === 'http' && rec(r).mirror !== undefined) check(rec(r).mirror, `/spec/http/${i}/mirror`);
          });
        }
      }
      return out;
    },
  },
  {
    code: 'POLICY_GATEWAY_UNKNOWN',
    title: 'Every gateway a VirtualService binds to is "mesh" or a Gateway that exists in the environment.',
    hint: 'Name a Gateway this Application renders (name, or <namespace>/<name>), one another Application of the environment renders, or "mesh".',
    severity: { baseline: 'error', restricted: 'error' },
    mesh: true,
    reads: 'environment',
    check(app, fleet) {
      const out: Violation[] = [];
      const gateways = fleet.memo(`gateways|${app.env.name}`, () => new Set(fleetOfKind(fleet, app, 'Gateway', ISTIO_NETWORKING).map(({ app: a, manifest: g }) => `${nsOf(g, a.namespace)}/${g.name}`)));
      for (const vs of virtualServices(app)) {
        const spec = rec(vs.object.spec);
        const ns = nsOf(vs, app.namespace);
        const check = (names: unknown, pointer: string) => {
          arr(names).forEach((g, i) => {
            const name = str(g);
            if (name === 'mesh') return;
            const key = name.includes('/') ? name : `${ns}/${name}`;
            if (!gateways.has(key)) out.push(on(vs, `${pointer}/${i}`, `binds to gateway "${name}", which no Application of ${app.env.name} renders`));
          });
        };
        check(spec.gateways, '/spec/gateways');
        for (const kind of ROUTE_KINDS) {
          arr(spec[kind]).forEach((r, i) => arr(rec(r).match).forEach((m, j) => check(rec(m).gateways, `/spec/${kind}/${i}/match/${j}/gateways`)));
        }
      }
      return out;
    },
  },
];
