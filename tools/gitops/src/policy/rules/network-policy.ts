import type { Manifest } from '../../core/manifests/manifest.js';
import { pathToPointer, valueAt } from '../../core/json-pointer.js';
import { arr, describe, nsOf, rec, requiredLabels, selectorIndex, selectorKeys, selectorMatches, str, type PolicyApp, type PolicyFleet, type Rec, type Workload } from '../model.js';
import type { Rule, Violation } from '../rule.js';
import { on, onTemplate } from './common.js';

const NETWORKING = 'networking.k8s.io';

/** The policy types a NetworkPolicy has: without policyTypes, Ingress always, Egress when it has egress rules. */
function policyTypes(spec: Rec): unknown[] {
  // The API server defaults an empty list too, and adds Egress only for a non-empty egress list.
  if (arr(spec.policyTypes).length > 0) return arr(spec.policyTypes);
  return arr(spec.egress).length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

/**
 * Labels a controller adds to its pods, not in the pod template: a selector on one cannot be
 * resolved against the rendered templates, so it is taken to match (no false alarm).
 */
const CONTROLLER_LABELS = ['job-name', 'batch.kubernetes.io/job-name', 'batch.kubernetes.io/controller-uid', 'controller-uid', 'statefulset.kubernetes.io/pod-name', 'apps.kubernetes.io/pod-index', 'pod-template-hash', 'controller-revision-hash', 'pod-template-generation'];

function namesControllerLabel(selector: unknown): boolean {
  return selectorKeys(selector).some((k) => CONTROLLER_LABELS.includes(k));
}

/**
 * Can a pod selector be judged against the workloads this repository renders in a namespace?
 * Not when it names a label a controller adds, nor a label key no such workload carries (the
 * pods of an operator's resource, a database cluster, a bare Pod): those pods are not seen here.
 */
function resolvable(selector: unknown, workloads: readonly { w: Workload }[]): boolean {
  return !namesControllerLabel(selector) && selectorKeys(selector).every((k) => workloads.some(({ w }) => k in w.labels));
}

/** The NetworkPolicies that select a workload's pods and isolate them in one direction. */
function isolating(fleet: PolicyFleet, app: PolicyApp, w: Workload, type: 'Ingress' | 'Egress'): Manifest[] {
  return selectorIndex(fleet, app, w.namespace, 'NetworkPolicy', NETWORKING, (m) => requiredLabels(rec(m.object.spec).podSelector))
    .candidates(w.labels)
    .filter((np) => {
      const spec = rec(np.object.spec);
      return selectorMatches(spec.podSelector, w.labels) && policyTypes(spec).includes(type);
    });
}

/** Does a NetworkPolicy restrict who may connect to a workload's pods? */
function isolatesIngress(fleet: PolicyFleet, app: PolicyApp, w: Workload): 'yes' | 'egress-only' | 'no' {
  if (isolating(fleet, app, w, 'Ingress').length > 0) return 'yes';
  return isolating(fleet, app, w, 'Egress').length > 0 ? 'egress-only' : 'no';
}

/**
 * The namespace a peer names: the policy's own without a namespaceSelector, `*` for an empty
 * one (every namespace), the name for `kubernetes.io/metadata.name` (the label the API server
 * sets on every namespace); undefined for an ipBlock or a selector on other namespace labels,
 * which this repository cannot resolve.
 */
function peerNamespace(peer: Rec, own: string): string | undefined {
  if (peer.ipBlock !== undefined) return undefined;
  if (peer.namespaceSelector === undefined) return own;
  const selector = rec(peer.namespaceSelector);
  const labels = Object.entries(rec(selector.matchLabels));
  if (arr(selector.matchExpressions).length > 0) return undefined;
  if (labels.length === 0) return '*';
  return labels.length === 1 && labels[0]![0] === 'kubernetes.io/metadata.name' ? str(labels[0]![1]) || undefined : undefined;
}

/** Does an ingress peer admit pods with these labels in this namespace? Unresolvable peers are taken to admit (no false alarm). */
function peerAdmits(peer: Rec, own: string, namespace: string, labels: Record<string, string>): boolean {
  const ns = peerNamespace(peer, own);
  if (ns === undefined) return true;
  if (ns !== '*' && ns !== namespace) return false;
  if (peer.podSelector === undefined || namesControllerLabel(peer.podSelector)) return true;
  return selectorMatches(peer.podSelector, labels);
}

/** A NetworkPolicy port (a number, or a name of the target pod's container ports) as a number; undefined when it cannot be resolved. */
function portNumber(port: unknown, target: Workload): number | undefined {
  if (typeof port === 'number') return port;
  if (typeof port !== 'string') return undefined;
  if (/^\d+$/.test(port)) return Number(port);
  for (const c of target.containers) for (const p of arr(c.spec.ports)) if (rec(p).name === port && typeof rec(p).containerPort === 'number') return rec(p).containerPort as number;
  return undefined;
}

/** An egress port of a caller: a port (or range, with endPort) and its protocol. */
interface WantedPort {
  port?: unknown;
  endPort?: unknown;
  protocol: string;
}

/** Does a rule's ports list admit a port of the caller's egress (undefined: the egress names no port, any admitted port will do)? A range counts when the two overlap. */
function portsAdmit(ports: unknown[], wanted: WantedPort | undefined, target: Workload): boolean {
  if (ports.length === 0 || wanted === undefined) return true;
  const low = wanted.port === undefined ? undefined : portNumber(wanted.port, target);
  const high = typeof wanted.endPort === 'number' ? wanted.endPort : low;
  return ports.some((entry) => {
    const p = rec(entry);
    if (str(p.protocol || 'TCP') !== wanted.protocol) return false;
    if (p.port === undefined || low === undefined || high === undefined) return true;
    const from = portNumber(p.port, target);
    if (from === undefined) return true;
    const to = typeof p.endPort === 'number' ? p.endPort : from;
    return low <= to && high >= from;
  });
}

function showPort(p: WantedPort): string {
  return `${String(p.port)}${typeof p.endPort === 'number' ? `-${p.endPort}` : ''}`;
}

/** One egress a callee's ingress does not admit: caller pods sending to callee pods on a port. */
interface DeniedEgress {
  caller: PolicyApp;
  policy: Manifest;
  /** The egress peer, /spec/egress/<i>/to/<j>. */
  pointer: string;
  source: Workload;
  callee: PolicyApp;
  target: Workload;
  port?: string;
  /** The callee's policies that isolate its ingress. */
  by: Manifest[];
}

/** Every egress of the environment towards pods that some Application runs, checked against those pods' ingress; once per environment. */
function deniedEgress(fleet: PolicyFleet, app: PolicyApp): DeniedEgress[] {
  return fleet.memo(`network-denied-egress|${app.env.name}`, () => {
    const out: DeniedEgress[] = [];
    for (const { app: caller, manifest: np } of fleet.objectsIn(app.env.name, 'NetworkPolicy', NETWORKING)) {
      const spec = rec(np.object.spec);
      if (!policyTypes(spec).includes('Egress')) continue;
      const own = nsOf(np, caller.namespace);
      const sources = fleet.workloadsIn(app.env.name, own).filter(({ w }) => selectorMatches(spec.podSelector, w.labels));
      arr(spec.egress).forEach((rule, i) => {
        const ports: WantedPort[] = arr(rec(rule).ports).map((p) => ({ port: rec(p).port, endPort: rec(p).endPort, protocol: str(rec(p).protocol || 'TCP') }));
        arr(rec(rule).to).forEach((to, j) => {
          const peer = rec(to);
          const namespace = peerNamespace(peer, own);
          // A whole namespace, every namespace, or one this repository cannot name: nothing to pair with.
          if (namespace === undefined || namespace === '*' || peer.podSelector === undefined) return;
          const there = fleet.workloadsIn(app.env.name, namespace);
          if (!resolvable(peer.podSelector, there)) return;
          for (const { app: callee, w: target } of there) {
            if (!selectorMatches(peer.podSelector, target.labels)) continue;
            const by = isolating(fleet, app, target, 'Ingress');
            if (by.length === 0) continue;
            for (const { w: source } of sources) {
              for (const wanted of ports.length > 0 ? ports : [undefined]) {
                const admitted = by.some((p) =>
                  arr(rec(p.object.spec).ingress).some((r) => {
                    const from = arr(rec(r).from);
                    // The policy selects the target's pods, so it lives in the target's namespace.
                    const fromOk = from.length === 0 || from.some((f) => peerAdmits(rec(f), target.namespace, source.namespace, source.labels));
                    return fromOk && portsAdmit(arr(rec(r).ports), wanted, target);
                  }),
                );
                if (!admitted) out.push({ caller, policy: np, pointer: `/spec/egress/${i}/to/${j}`, source, callee, target, port: wanted?.port === undefined ? undefined : showPort(wanted), by });
              }
            }
          }
        });
      });
    }
    return out;
  });
}

/**
 * Where a callee's list of admitted callers is written: the namespace of its first peer (a
 * value the service's values set, so the finding lands at the list a person extends), else
 * the ingress rules.
 */
function ingressListPointer(np: Manifest): string {
  const rules = arr(rec(np.object.spec).ingress);
  for (let i = 0; i < rules.length; i++) {
    const from = arr(rec(rules[i]).from);
    for (let j = 0; j < from.length; j++) {
      const path = ['spec', 'ingress', i, 'from', j, 'namespaceSelector', 'matchLabels', 'kubernetes.io/metadata.name'];
      if (str(valueAt(np.object, path))) return pathToPointer(path);
    }
  }
  return '/spec/ingress';
}

function selectorText(selector: unknown): string {
  const labels = Object.entries(rec(rec(selector).matchLabels)).map(([k, v]) => `${k}=${str(v)}`);
  const expressions = arr(rec(selector).matchExpressions).map((e) => `${str(rec(e).key)} ${str(rec(e).operator)}${arr(rec(e).values).length ? ` (${arr(rec(e).values).map(str).join(', ')})` : ''}`);
  return [...labels, ...expressions].join(', ') || 'every pod';
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
  {
    code: 'POLICY_NETWORK_PEER_UNKNOWN',
    title: 'A NetworkPolicy peer in a namespace the environment deploys into selects pods that some Application of the environment runs.',
    hint: 'Name the peer by the labels its pods carry (app.kubernetes.io/name: <service>) and its namespace, or remove it: a peer that selects no pod admits nothing, and usually means a caller or callee was renamed or moved.',
    severity: { baseline: 'warning', restricted: 'error' },
    reads: 'environment',
    check(app, fleet) {
      const deployed = fleet.memo(`workload-namespaces|${app.env.name}`, () => new Set(fleet.workloadsIn(app.env.name).map(({ w }) => w.namespace)));
      const out: Violation[] = [];
      for (const np of app.manifests.filter((m) => m.kind === 'NetworkPolicy' && m.apiVersion.startsWith(`${NETWORKING}/`))) {
        const spec = rec(np.object.spec);
        const own = nsOf(np, app.namespace);
        for (const [direction, field] of [['ingress', 'from'], ['egress', 'to']] as const) {
          arr(spec[direction]).forEach((rule, i) => {
            arr(rec(rule)[field]).forEach((p, j) => {
              const peer = rec(p);
              const namespace = peerNamespace(peer, own);
              // Namespaces no Application deploys into hold the platform's pods (DNS, databases, brokers): not known here.
              if (namespace === undefined || namespace === '*' || peer.podSelector === undefined || !deployed.has(namespace)) return;
              const there = fleet.workloadsIn(app.env.name, namespace);
              if (!resolvable(peer.podSelector, there) || there.some(({ w }) => selectorMatches(peer.podSelector, w.labels))) return;
              out.push(on(np, `/spec/${direction}/${i}/${field}/${j}`, `${direction} ${field} pods ${selectorText(peer.podSelector)} in namespace ${namespace}, which no Application of ${app.env.name} runs`));
            });
          });
        }
      }
      return out;
    },
  },
  {
    code: 'POLICY_NETWORK_EGRESS_DENIED',
    title: "A NetworkPolicy egress to pods of the environment is admitted by those pods' ingress NetworkPolicies (caller and callee agree); reported on both sides, naming the other.",
    hint: "Allow the caller in the callee's networkPolicy.ingress (its namespace and service, on the port it calls), or remove the egress: a connection one side allows and the other denies is dropped.",
    severity: { baseline: 'warning', restricted: 'error' },
    reads: 'environment',
    check(app, fleet) {
      // One violation per pod pair and port: evaluatePolicy keeps one finding per object, field and message.
      const out: Violation[] = [];
      for (const d of deniedEgress(fleet, app)) {
        const port = d.port === undefined ? 'any port' : `port ${d.port}`;
        const names = d.by.map((p) => p.name).join(', ');
        if (d.caller === app) {
          out.push(on(d.policy, d.pointer, `egress to ${describe(d.target)} (namespace ${d.target.namespace}) on ${port} is not admitted by its ingress (NetworkPolicy ${names} of ${d.callee.application}): the connection is dropped`));
        } else if (d.callee === app) {
          // Reported where this Application isolates its pods; a policy of another Application is that one's to change.
          const mine = d.by.find((p) => app.manifests.includes(p));
          if (mine) out.push(on(mine, ingressListPointer(mine), `does not admit ${describe(d.source)} of ${d.caller.application} (namespace ${d.source.namespace}) on ${port}, which NetworkPolicy ${d.policy.name} lets it send to ${describe(d.target)}`));
        }
      }
      return out;
    },
  },
];
