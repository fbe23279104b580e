import type { Manifest } from '../../core/manifests/manifest.js';
import { arr, fleetOfKind, fqdn, inClusterHost, int, mapSelects, nsOf, ofKind, rec, str, stringMap, type PolicyApp, type PolicyFleet } from '../model.js';
import type { Rule, Violation } from '../rule.js';
import { on } from './common.js';
import { selectedWorkloads } from './services.js';

const ISTIO_NETWORKING = 'networking.istio.io';
const ROUTE_KINDS = ['http', 'tcp', 'tls'] as const;

/** A Service of the environment by its in-cluster host name, with its port numbers. */
interface ServiceEntry {
  app: PolicyApp;
  manifest: Manifest;
  ports: number[];
}

function servicesByHost(app: PolicyApp, fleet: PolicyFleet): Map<string, ServiceEntry> {
  return fleet.memo(`services-by-host|${app.env.name}`, () => {
    const index = new Map<string, ServiceEntry>();
    for (const { app: owner, manifest } of fleetOfKind(fleet, app, 'Service', '')) {
      const ports = arr(rec(manifest.object.spec).ports)
        .map((p) => int(rec(p).port))
        .filter((p): p is number => p !== undefined);
      index.set(fqdn(manifest.name, nsOf(manifest, owner.namespace)), { app: owner, manifest, ports });
    }
    return index;
  });
}

/** One route destination of a VirtualService: where it is, the host and the port it names. */
interface RouteTarget {
  vs: Manifest;
  app: PolicyApp;
  pointer: string;
  host: string;
  port?: number;
}

function routeTargets(vs: Manifest, app: PolicyApp): RouteTarget[] {
  const spec = rec(vs.object.spec);
  const ns = nsOf(vs, app.namespace);
  const out: RouteTarget[] = [];
  const add = (destination: unknown, pointer: string) => {
    const d = rec(destination);
    if (!str(d.host)) return;
    out.push({ vs, app, pointer, host: fqdn(str(d.host), ns), port: int(rec(d.port).number) });
  };
  for (const kind of ROUTE_KINDS) {
    arr(spec[kind]).forEach((r, i) => {
      arr(rec(r).route).forEach((d, j) => add(rec(d).destination, `/spec/${kind}/${i}/route/${j}/destination`));
      if (kind === 'http' && rec(r).mirror !== undefined) add(rec(r).mirror, `/spec/http/${i}/mirror`);
    });
  }
  return out;
}

/** Every route target of the environment's VirtualServices, by the host it names: a Service finds its callers without reading every route. */
function routesByHost(app: PolicyApp, fleet: PolicyFleet): Map<string, { vs: Manifest; target: RouteTarget }[]> {
  return fleet.memo(`routes-by-host|${app.env.name}`, () => {
    const index = new Map<string, { vs: Manifest; target: RouteTarget }[]>();
    for (const { app: caller, manifest: vs } of fleetOfKind(fleet, app, 'VirtualService', ISTIO_NETWORKING)) {
      for (const target of routeTargets(vs, caller)) {
        const list = index.get(target.host) ?? [];
        list.push({ vs, target });
        index.set(target.host, list);
      }
    }
    return index;
  });
}

function isVirtualService(m: Manifest): boolean {
  return m.kind === 'VirtualService' && m.apiVersion.startsWith(`${ISTIO_NETWORKING}/`);
}

/** What is wrong with a route target, or undefined when a Service serves it. */
function targetProblem(t: RouteTarget, services: Map<string, ServiceEntry>): { service?: ServiceEntry; what: string } | undefined {
  // Hosts outside the cluster (a ServiceEntry, the internet) are not a Service's to serve.
  if (!inClusterHost(t.host) || t.host.includes('*')) return undefined;
  const service = services.get(t.host);
  if (!service) return { what: `no Application of ${t.app.env.name} renders a Service ${t.host}` };
  if (t.port !== undefined && service.ports.length > 0 && !service.ports.includes(t.port)) {
    return { service, what: `Service ${service.manifest.name} of ${service.app.application} has no port ${t.port} (it serves ${service.ports.join(', ')})` };
  }
  return undefined;
}


/** Subsets Argo Rollouts manages (it sets their pod-template-hash label at each step): named in a Rollout's istio trafficRouting. */
function rolloutSubsets(fleet: PolicyFleet, app: PolicyApp): Set<string> {
  return fleet.memo(`rollout-subsets|${app.env.name}`, () => {
    const out = new Set<string>();
    for (const { app: owner, manifest } of fleetOfKind(fleet, app, 'Rollout', 'argoproj.io')) {
      const dr = rec(rec(rec(rec(rec(manifest.object.spec).strategy).canary).trafficRouting).istio).destinationRule;
      const name = str(rec(dr).name);
      if (!name) continue;
      for (const subset of [str(rec(dr).stableSubsetName), str(rec(dr).canarySubsetName)]) if (subset) out.add(`${nsOf(manifest, owner.namespace)}/${name}/${subset}`);
    }
    return out;
  });
}

/** Each host a Gateway serves, with what makes two claims collide: the gateway workload (selector), the port and the host without its `ns/` prefix. */
function gatewayClaims(gateway: Manifest): { pointer: string; host: string; port?: number; key: string }[] {
  const spec = rec(gateway.object.spec);
  return arr(spec.servers).flatMap((server, i) => {
    const port = int(rec(rec(server).port).number);
    return arr(rec(server).hosts).map((raw, j) => {
      const text = str(raw);
      const host = (text.includes('/') ? text.slice(text.indexOf('/') + 1) : text).toLowerCase();
      return { pointer: `/spec/servers/${i}/hosts/${j}`, host, port, key: JSON.stringify([stringMap(spec.selector), port, host]) };
    });
  });
}

export const contractRules: Rule[] = [
  {
    code: 'POLICY_ROUTE_HOST_UNKNOWN',
    title: 'Every in-cluster host and port a VirtualService routes to, and every DestinationRule host, is a Service of the environment that serves that port.',
    hint: 'Route to a Service that exists with that port (name.namespace and port.number), or, when the Service changed, update its callers in the same change.',
    severity: { baseline: 'error', restricted: 'error' },
    mesh: true,
    reads: 'environment',
    check(app, fleet) {
      const services = servicesByHost(app, fleet);
      const out: Violation[] = [];
      // The caller's side: its own routes.
      for (const vs of app.manifests.filter(isVirtualService)) {
        for (const t of routeTargets(vs, app)) {
          const problem = targetProblem(t, services);
          if (problem) out.push(on(vs, t.port !== undefined && problem.service ? `${t.pointer}/port/number` : `${t.pointer}/host`, `routes to ${t.host}${t.port !== undefined ? `:${t.port}` : ''}, but ${problem.what}`));
        }
      }
      for (const dr of ofKind(app, 'DestinationRule', ISTIO_NETWORKING)) {
        const host = fqdn(str(rec(dr.object.spec).host), nsOf(dr, app.namespace));
        if (!host || host.includes('*') || !inClusterHost(host) || services.has(host)) continue;
        out.push(on(dr, '/spec/host', `is for ${host}, but no Application of ${app.env.name} renders that Service`));
      }
      // The served side: a change to this Application's Services that breaks another Application's routes is reported here, naming the caller.
      const own = new Set(app.manifests.filter((m) => m.kind === 'Service'));
      const routes = routesByHost(app, fleet);
      for (const service of own) {
        for (const { vs, target: t } of routes.get(fqdn(service.name, nsOf(service, app.namespace))) ?? []) {
          if (t.app === app) continue;
          const problem = targetProblem(t, services);
          if (problem?.service && own.has(problem.service.manifest)) {
            // The Service's first port (the charts list the main one first): its field traces back to the values line that changed it.
            const pointer = '/spec/ports/0/port';
            out.push(on(problem.service.manifest, pointer, `serves no port ${t.port}, which VirtualService ${vs.name} of ${t.app.application} routes to (ports: ${problem.service.ports.join(', ')})`));
          }
        }
      }
      return out;
    },
  },
  {
    code: 'POLICY_SUBSET_NO_PODS',
    title: "Every DestinationRule subset's labels match pods of the Service it is for.",
    hint: 'Make the subset labels a subset of the pod labels of the workload behind the Service (or remove the subset): traffic routed to a subset without pods fails with 503.',
    severity: { baseline: 'error', restricted: 'error' },
    mesh: true,
    reads: 'environment',
    check(app, fleet) {
      const services = servicesByHost(app, fleet);
      const managed = rolloutSubsets(fleet, app);
      const out: Violation[] = [];
      for (const dr of ofKind(app, 'DestinationRule', ISTIO_NETWORKING)) {
        const ns = nsOf(dr, app.namespace);
        const target = services.get(fqdn(str(rec(dr.object.spec).host), ns));
        if (!target) continue;
        const pods = selectedWorkloads(target.app, target.manifest);
        // A Service that selects no pods at all is POLICY_SERVICE_SELECTS_NOTHING, on the Service.
        if (pods.length === 0) continue;
        arr(rec(dr.object.spec).subsets).forEach((subset, i) => {
          const name = str(rec(subset).name);
          const labels = stringMap(rec(subset).labels);
          delete labels['rollouts-pod-template-hash'];
          if (managed.has(`${ns}/${dr.name}/${name}`) || Object.keys(labels).length === 0) return;
          if (pods.some((w) => mapSelects(labels, w.labels))) return;
          const shown = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(', ');
          out.push(on(dr, `/spec/subsets/${i}/labels`, `subset "${name}" selects no pod of ${str(rec(dr.object.spec).host)}: the pods of ${pods.map((w) => `${w.kind} ${w.name}`).join(', ')} do not carry ${shown}`));
        });
      }
      return out;
    },
  },
  {
    code: 'POLICY_GATEWAY_HOST_DUPLICATE',
    title: 'A host is served on a port by one Gateway of the environment per gateway workload.',
    hint: "Serve the host from one Gateway and bind the other Applications' VirtualServices to it: Istio picks one of two Gateways claiming a host and the other's routes return 404.",
    severity: { baseline: 'error', restricted: 'error' },
    mesh: true,
    reads: 'environment',
    check(app, fleet) {
      const claims = fleet.memo(`gateway-hosts|${app.env.name}`, () => {
        const index = new Map<string, { app: PolicyApp; gateway: Manifest }[]>();
        for (const { app: owner, manifest: gateway } of fleetOfKind(fleet, app, 'Gateway', ISTIO_NETWORKING)) {
          for (const { key } of gatewayClaims(gateway)) {
            const list = index.get(key) ?? [];
            if (!list.some((c) => c.gateway === gateway)) list.push({ app: owner, gateway });
            index.set(key, list);
          }
        }
        return index;
      });
      const out: Violation[] = [];
      for (const gateway of ofKind(app, 'Gateway', ISTIO_NETWORKING)) {
        for (const claim of gatewayClaims(gateway)) {
          const others = (claims.get(claim.key) ?? []).filter((c) => c.gateway !== gateway);
          if (others.length === 0) continue;
          out.push(on(gateway, claim.pointer, `serves ${claim.host} on port ${claim.port}, which ${others.map((o) => `Gateway ${o.gateway.name} of ${o.app.application}`).join(', ')} serves too, on the same gateway workload`));
        }
      }
      return out;
    },
  },
];
