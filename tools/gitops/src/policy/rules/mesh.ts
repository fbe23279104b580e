import type { Manifest } from '../../core/manifests/manifest.js';
import { escapeSegment as esc } from '../../core/json-pointer.js';
import {
  arr,
  describe,
  fqdn,
  inClusterHost,
  int,
  labelsOf,
  mapSelects,
  namespaceOfKind,
  requiredLabels,
  selectorIndex,
  nsOf,
  rec,
  selectorMatches,
  serviceSelector,
  servicesSelecting,
  sidecarDisabled,
  str,
  stringMap,
  workloadsLabelled,
  type PolicyApp,
  type PolicyFleet,
  type Workload,
} from '../model.js';
import type { Rule, Violation } from '../rule.js';
import { on, onTemplate } from './common.js';

/** Protocols Istio reads from a port name prefix `<protocol>[-suffix]` or from appProtocol. */
const ISTIO_PROTOCOLS = new Set(['http', 'http2', 'https', 'grpc', 'grpc-web', 'tcp', 'tls', 'mongo', 'mysql', 'redis', 'udp']);
/** appProtocol values Kubernetes standardised, which Istio also understands. */
const K8S_APP_PROTOCOLS = new Set(['kubernetes.io/h2c', 'kubernetes.io/ws', 'kubernetes.io/wss']);

const ISTIO_SECURITY = 'security.istio.io';
const ISTIO_NETWORKING = 'networking.istio.io';
/** Istio's root namespace: a PeerAuthentication there without a selector applies to the whole mesh. */
const ISTIO_ROOT_NAMESPACE = 'istio-system';

function protocolOf(port: Record<string, unknown>): string | undefined {
  const appProtocol = str(port.appProtocol).toLowerCase();
  if (appProtocol) return ISTIO_PROTOCOLS.has(appProtocol) || K8S_APP_PROTOCOLS.has(appProtocol) ? appProtocol : undefined;
  const name = str(port.name).toLowerCase();
  if (ISTIO_PROTOCOLS.has(name)) return name;
  const prefix = name.split('-')[0]!;
  return ISTIO_PROTOCOLS.has(prefix) ? prefix : undefined;
}

/** The container port a port reference (name or number) of a workload resolves to. */
function containerPort(w: Workload, ref: unknown): number | undefined {
  const n = int(ref);
  if (n !== undefined) return n;
  for (const c of w.containers) {
    for (const p of arr(c.spec.ports)) if (rec(p).name === ref) return int(rec(p).containerPort);
  }
  return undefined;
}

/**
 * Container ports that Prometheus scrapes (a PodMonitor of the pods, or a ServiceMonitor of a
 * Service in front of them): Prometheus has no mesh certificate, so these may stay PERMISSIVE.
 */
function scrapePorts(fleet: PolicyFleet, app: PolicyApp, w: Workload): Set<number> {
  const ports = new Set<number>();
  const add = (ref: unknown) => {
    const n = containerPort(w, ref);
    if (n !== undefined) ports.add(n);
  };
  for (const pm of selectorIndex(fleet, app, w.namespace, 'PodMonitor', 'monitoring.coreos.com', (m) => requiredLabels(rec(m.object.spec).selector)).candidates(w.labels)) {
    const spec = rec(pm.object.spec);
    if (!selectorMatches(spec.selector, w.labels)) continue;
    for (const e of arr(spec.podMetricsEndpoints)) add(rec(e).port ?? rec(e).targetPort);
  }
  const services = servicesSelecting(fleet, app, w);
  if (services.length === 0) return ports;
  const monitors = selectorIndex(fleet, app, w.namespace, 'ServiceMonitor', 'monitoring.coreos.com', (m) => requiredLabels(rec(m.object.spec).selector));
  for (const svc of services) {
    for (const sm of monitors.candidates(labelsOf(svc))) {
      const spec = rec(sm.object.spec);
      if (!selectorMatches(spec.selector, labelsOf(svc))) continue;
      for (const e of arr(spec.endpoints).map(rec)) {
        if (e.targetPort !== undefined) add(e.targetPort);
        const port = arr(rec(svc.object.spec).ports).map(rec).find((p) => p.name === e.port);
        if (port) add(port.targetPort ?? port.port);
      }
    }
  }
  return ports;
}

const paSelectors = new WeakMap<object, { labels?: Record<string, string> }>();

/** Istio's selector is a plain matchLabels map; none (or an empty one) means the whole namespace. */
function paSelector(pa: Manifest): Record<string, string> | undefined {
  let cached = paSelectors.get(pa.object);
  if (!cached) {
    const labels = stringMap(rec(rec(pa.object.spec).selector).matchLabels);
    cached = { labels: Object.keys(labels).length > 0 ? labels : undefined };
    paSelectors.set(pa.object, cached);
  }
  return cached.labels;
}

/** The PeerAuthentications that decide a workload's mTLS mode, most specific first. */
function peerAuthentications(fleet: PolicyFleet, app: PolicyApp, w: Workload): { workload?: Manifest; namespace?: Manifest; mesh?: Manifest } {
  const local = selectorIndex(fleet, app, w.namespace, 'PeerAuthentication', ISTIO_SECURITY, (pa) => Object.entries(paSelector(pa) ?? {})).candidates(w.labels);
  const root = namespaceOfKind(fleet, app, ISTIO_ROOT_NAMESPACE, 'PeerAuthentication', ISTIO_SECURITY).map(({ manifest }) => manifest);
  return {
    workload: local.find((pa) => paSelector(pa) && mapSelects(paSelector(pa)!, w.labels)),
    namespace: local.find((pa) => !paSelector(pa)),
    mesh: root.find((pa) => !paSelector(pa)),
  };
}

function modeOf(pa: Manifest | undefined): string | undefined {
  const mode = str(rec(rec(pa?.object.spec).mtls).mode);
  return mode && mode !== 'UNSET' ? mode : undefined;
}

/** Pods of a host's Service run without a sidecar: mutual TLS to them cannot work. */
function hostOutsideMesh(fleet: PolicyFleet, app: PolicyApp, host: string): boolean {
  const m = /^([^.]+)\.([^.]+)\.svc\.cluster\.local$/.exec(host);
  if (!m) return false;
  const [, name, namespace] = m as unknown as [string, string, string];
  const byName = fleet.memo(`services-by-name|${app.env.name}|${namespace}`, () => {
    const out = new Map<string, { app: PolicyApp; manifest: Manifest }[]>();
    for (const entry of namespaceOfKind(fleet, app, namespace, 'Service', '')) out.set(entry.manifest.name, [...(out.get(entry.manifest.name) ?? []), entry]);
    return out;
  });
  const backends = byName.get(name) ?? [];
  if (backends.length === 0) return false;
  const workloads = backends.flatMap(({ manifest: s }) => {
    const pair = Object.entries(serviceSelector(s))[0];
    return pair ? workloadsLabelled(fleet, app, namespace, pair).filter(({ w }) => mapSelects(serviceSelector(s), w.labels)) : [];
  });
  return workloads.length > 0 && workloads.every(({ w }) => sidecarDisabled(w));
}

export const meshRules: Rule[] = [
  {
    code: 'POLICY_SIDECAR_INJECTION_DISABLED',
    title: 'In environments with the mesh, pods keep their Istio sidecar (no sidecar.istio.io/inject: "false").',
    hint: 'Remove sidecar.istio.io/inject: "false" (values mesh.injectSidecar): without a sidecar the pod has no mesh identity, no mTLS and no authorization policy.',
    severity: { baseline: 'warning', restricted: 'error' },
    mesh: true,
    check(app) {
      return app.workloads.flatMap((w) => {
        const where = sidecarDisabled(w);
        return where ? [onTemplate(w, `/metadata/${where === 'label' ? 'labels' : 'annotations'}/${esc('sidecar.istio.io/inject')}`, `disables the Istio sidecar (${where} sidecar.istio.io/inject: "false")`)] : [];
      });
    },
  },
  {
    code: 'POLICY_SERVICE_PORT_PROTOCOL',
    title: 'Service ports tell Istio their protocol: appProtocol, or a name <protocol>[-suffix] (http, http2, https, grpc, grpc-web, tcp, tls, mongo, mysql, redis, udp).',
    hint: 'Set appProtocol (e.g. http, grpc, tcp) or name the port "<protocol>-<suffix>" (e.g. http-api): otherwise Istio guesses, and a wrong guess breaks routing, retries and metrics.',
    severity: { baseline: 'warning', restricted: 'error' },
    mesh: true,
    check(app) {
      const out: Violation[] = [];
      for (const s of app.manifests.filter((m) => m.kind === 'Service' && m.apiVersion === 'v1')) {
        if (rec(s.object.spec).type === 'ExternalName') continue;
        arr(rec(s.object.spec).ports).forEach((p, i) => {
          const port = rec(p);
          if (protocolOf(port)) return;
          const what = port.appProtocol !== undefined ? `appProtocol "${str(port.appProtocol)}"` : port.name !== undefined ? `name "${str(port.name)}"` : 'no name or appProtocol';
          out.push(on(s, `/spec/ports/${i}/${port.appProtocol !== undefined ? 'appProtocol' : 'name'}`, `port ${String(port.port)} has ${what}, from which Istio cannot tell the protocol`));
        });
      }
      return out;
    },
  },
  {
    code: 'POLICY_MTLS_NOT_STRICT',
    title: 'A PeerAuthentication requires STRICT mutual TLS for every pod in the mesh (ports that only Prometheus scrapes may stay PERMISSIVE).',
    hint: 'Render a PeerAuthentication with mtls.mode: STRICT for the pods (values mesh); keep port-level PERMISSIVE only for a metrics port a ServiceMonitor or PodMonitor scrapes.',
    severity: { baseline: 'warning', restricted: 'error' },
    mesh: true,
    reads: 'environment',
    check(app, fleet) {
      const out: Violation[] = [];
      for (const w of app.workloads) {
        if (sidecarDisabled(w)) continue;
        const pas = peerAuthentications(fleet, app, w);
        const decided = [pas.workload, pas.namespace, pas.mesh].find((pa) => modeOf(pa) !== undefined);
        const mode = modeOf(decided);
        if (mode !== 'STRICT') {
          if (decided) out.push(on(decided, '/spec/mtls/mode', `sets mTLS mode ${mode} for the pods of ${describe(w)}`));
          else if (pas.workload) out.push(on(pas.workload, '/spec/mtls', `does not set an mTLS mode for the pods of ${describe(w)}, and nothing else makes it STRICT`));
          else out.push(onTemplate(w, '/metadata/labels', 'no PeerAuthentication requires mutual TLS for its pods (the mesh default accepts plaintext)'));
        }
        if (!pas.workload) continue;
        const scraped = scrapePorts(fleet, app, w);
        for (const [port, setting] of Object.entries(rec(rec(pas.workload.object.spec).portLevelMtls))) {
          const portMode = str(rec(setting).mode);
          if ((portMode === 'PERMISSIVE' || portMode === 'DISABLE') && !scraped.has(Number(port))) {
            out.push(on(pas.workload, `/spec/portLevelMtls/${esc(port)}/mode`, `port ${port} of ${describe(w)} accepts plaintext (${portMode}) but is not a port Prometheus scrapes`));
          }
        }
      }
      return out;
    },
  },
  {
    code: 'POLICY_DESTINATION_RULE_TLS',
    title: 'DestinationRules for hosts in the mesh use tls.mode ISTIO_MUTUAL, in every subset and port-level setting.',
    hint: 'Set trafficPolicy.tls.mode: ISTIO_MUTUAL (values mesh); a DISABLE or SIMPLE mode sends plaintext or bypasses mesh identity.',
    severity: { baseline: 'warning', restricted: 'error' },
    mesh: true,
    reads: 'environment',
    check(app, fleet) {
      const out: Violation[] = [];
      for (const dr of app.manifests.filter((m) => m.kind === 'DestinationRule' && m.apiVersion.startsWith(`${ISTIO_NETWORKING}/`))) {
        const spec = rec(dr.object.spec);
        const host = fqdn(str(spec.host), nsOf(dr, app.namespace));
        if (!inClusterHost(host) || hostOutsideMesh(fleet, app, host)) continue;
        const policy = rec(spec.trafficPolicy);
        const mode = rec(policy.tls).mode;
        if (mode !== 'ISTIO_MUTUAL') {
          out.push(on(dr, mode === undefined ? '/spec/trafficPolicy/tls' : '/spec/trafficPolicy/tls/mode', mode === undefined ? `host ${host} has no tls.mode ISTIO_MUTUAL` : `host ${host} uses tls.mode ${String(mode)}`));
        }
        const overrides = (p: Record<string, unknown>, base: string, what: string) => {
          const own = rec(p.tls).mode;
          if (own !== undefined && own !== 'ISTIO_MUTUAL') out.push(on(dr, `${base}/tls/mode`, `${what} uses tls.mode ${String(own)}`));
          arr(p.portLevelSettings).forEach((s, i) => {
            const portMode = rec(rec(s).tls).mode;
            if (portMode !== undefined && portMode !== 'ISTIO_MUTUAL') out.push(on(dr, `${base}/portLevelSettings/${i}/tls/mode`, `${what}, port ${String(rec(rec(s).port).number)}, uses tls.mode ${String(portMode)}`));
          });
        };
        arr(policy.portLevelSettings).forEach((s, i) => {
          const portMode = rec(rec(s).tls).mode;
          if (portMode !== undefined && portMode !== 'ISTIO_MUTUAL') out.push(on(dr, `/spec/trafficPolicy/portLevelSettings/${i}/tls/mode`, `port ${String(rec(rec(s).port).number)} of ${host} uses tls.mode ${String(portMode)}`));
        });
        arr(spec.subsets).forEach((s, i) => {
          const subset = rec(s);
          if (subset.trafficPolicy !== undefined) overrides(rec(subset.trafficPolicy), `/spec/subsets/${i}/trafficPolicy`, `subset ${str(subset.name)}`);
        });
      }
      return out;
    },
  },
];
