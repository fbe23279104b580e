/**
 * What policy rules see: each Application's rendered objects, its pod templates unwrapped, and
 * the rest of its environment for rules that look across Applications. Built once per run,
 * then read-only.
 */
import type { SourceLocation } from '../core/findings.js';
import { valueAt } from '../core/json-pointer.js';
import { matchesSelector, parseSelector, type Requirement } from '../core/label-selector.js';
import type { Manifest } from '../core/manifests/manifest.js';
import type { Environment } from '../core/repo/model.js';
import type { Profile } from './rule.js';

export type Rec = Record<string, unknown>;

/** One Argo CD Application with its rendered objects. */
export interface PolicyApp {
  application: string;
  env: Environment;
  profile: Profile;
  service: string;
  /** Owning team from service.yaml, when the service has one. */
  team?: string;
  /** spec.project of the Application. */
  project: string;
  destination: { server?: string; name?: string; namespace?: string };
  /** The namespace helm rendered into: objects without metadata.namespace land here. */
  namespace: string;
  /** Where the Application's destination is written (the ApplicationSet template), for findings about it. */
  appLocation: SourceLocation;
  /** For objects whose template helm did not name. */
  fallbackLocation: SourceLocation;
  manifests: Manifest[];
  /** What the manifests were read from (AppManifests.digest): with the fields above, all a rule sees of the Application. Undefined: not known, never remembered. */
  digest?: string;
  workloads: Workload[];
}

/** Something that runs pods: Deployment, StatefulSet, DaemonSet, Rollout, Job, CronJob. */
export interface Workload {
  /** The controller object (for a Rollout with workloadRef, the Rollout). */
  manifest: Manifest;
  kind: string;
  name: string;
  namespace: string;
  /** The object that holds the pod template: the controller, or the Deployment a Rollout's workloadRef names. */
  podManifest: Manifest;
  /** Pointer of the pod template (PodTemplateSpec) inside podManifest. */
  templatePointer: string;
  /** Pod template labels and annotations. */
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** The pod spec, {} when the template could not be found. */
  podSpec: Rec;
  containers: Container[];
  /** Keeps pods running (not a Job or CronJob). */
  longRunning: boolean;
  /** Replicated by a count (Deployment, StatefulSet, Rollout), so replicas, HPAs and PDBs apply. */
  replicated: boolean;
  /** spec.replicas as written; undefined when absent. */
  replicas?: unknown;
}

export interface Container {
  spec: Rec;
  name: string;
  init: boolean;
  /** An init container with restartPolicy: Always runs for the pod's whole life (a native sidecar). */
  sidecar: boolean;
  /** Pointer of the container inside the workload's podManifest. */
  pointer: string;
}

/** The other Applications of each environment, for rules that cross Applications. */
export interface PolicyFleet {
  /** Every rendered Application of an environment (all services, whatever the --service filter). */
  appsIn(env: string): readonly PolicyApp[];
  /** Objects of a kind (and API group) across an environment, or one namespace of it, each with its Application; indexed once. */
  objectsIn(env: string, kind: string, group?: string, namespace?: string): readonly { app: PolicyApp; manifest: Manifest }[];
  /** Workloads across an environment, or one namespace of it, each with its Application. */
  workloadsIn(env: string, namespace?: string): readonly { app: PolicyApp; w: Workload }[];
  /** Computes a value derived from the fleet once per run (indexes that rules share). */
  memo<T>(key: string, compute: () => T): T;
  /** AppProjects of argocd/projects/, by name. */
  projects: ReadonlyMap<string, AppProjectInfo>;
}

export interface AppProjectInfo {
  name: string;
  file: string;
  spec: Rec;
  location: SourceLocation;
}

const POD_TEMPLATE: Record<string, string> = {
  Deployment: '/spec/template',
  StatefulSet: '/spec/template',
  DaemonSet: '/spec/template',
  ReplicaSet: '/spec/template',
  Rollout: '/spec/template',
  Job: '/spec/template',
  CronJob: '/spec/jobTemplate/spec/template',
  // Only as the target of a Rollout's workloadRef.
  PodTemplate: '/template',
};

/** apiVersion groups each workload kind is served by (a CRD of another group may reuse a name). */
const WORKLOAD_GROUPS: Record<string, string[]> = {
  Deployment: ['apps', 'extensions'],
  StatefulSet: ['apps'],
  DaemonSet: ['apps', 'extensions'],
  ReplicaSet: ['apps', 'extensions'],
  Rollout: ['argoproj.io'],
  Job: ['batch'],
  CronJob: ['batch'],
};

export function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

/** The workloads of an Application's objects, pod templates resolved (Rollout workloadRef included). */
export function extractWorkloads(manifests: readonly Manifest[], defaultNamespace: string): Workload[] {
  const isWorkload = (m: Manifest) => WORKLOAD_GROUPS[m.kind]?.includes(groupOf(m.apiVersion)) ?? false;
  // A Deployment that a Rollout's workloadRef names only carries the template: the Rollout runs the pods.
  const referenced = new Set<Manifest>();
  const refTarget = new Map<Manifest, Manifest | undefined>();
  for (const m of manifests) {
    if (m.kind !== 'Rollout' || !isWorkload(m)) continue;
    const ref = rec(rec(m.object.spec).workloadRef);
    if (!ref.name) continue;
    const target = manifests.find((d) => d.kind === (str(ref.kind) || 'Deployment') && d.name === ref.name && nsOf(d, defaultNamespace) === nsOf(m, defaultNamespace));
    refTarget.set(m, target);
    if (target) referenced.add(target);
  }

  const workloads: Workload[] = [];
  for (const m of manifests) {
    if (!isWorkload(m) || referenced.has(m)) continue;
    const hasRef = refTarget.has(m);
    const podManifest = hasRef ? refTarget.get(m) : m;
    const templatePointer = POD_TEMPLATE[hasRef ? podManifest?.kind ?? 'Deployment' : m.kind]!;
    // No pod template to check (a workloadRef to an object the Application does not render,
    // or no template at all): schema validation reports that, pod rules have nothing to say.
    if (!podManifest || valueAt(podManifest.object, templatePointer) === undefined) continue;
    const template = rec(valueAt(podManifest.object, templatePointer));
    const metadata = rec(template.metadata);
    const podSpec = rec(template.spec);
    const containers: Container[] = [];
    for (const [field, init] of [['initContainers', true], ['containers', false]] as const) {
      arr(podSpec[field]).forEach((c, i) => {
        const spec = rec(c);
        containers.push({ spec, name: str(spec.name), init, sidecar: init && spec.restartPolicy === 'Always', pointer: `${templatePointer}/spec/${field}/${i}` });
      });
    }
    workloads.push({
      manifest: m,
      kind: m.kind,
      name: m.name,
      namespace: nsOf(m, defaultNamespace),
      podManifest,
      templatePointer,
      labels: stringMap(metadata.labels),
      annotations: stringMap(metadata.annotations),
      podSpec,
      containers,
      longRunning: m.kind !== 'Job' && m.kind !== 'CronJob',
      replicated: ['Deployment', 'StatefulSet', 'Rollout', 'ReplicaSet'].includes(m.kind),
      replicas: rec(m.object.spec).replicas,
    });
  }
  return workloads;
}

/** The namespace an object lands in: its own, or the one helm rendered into. */
export function nsOf(m: Manifest, defaultNamespace: string): string {
  return m.namespace ?? defaultNamespace;
}

export function ofKind(app: PolicyApp, kind: string, group?: string): Manifest[] {
  return app.manifests.filter((m) => m.kind === kind && (group === undefined || groupOf(m.apiVersion) === group));
}

/** "Deployment orders" */
export function describe(m: { kind: string; name: string }): string {
  return `${m.kind} ${m.name}`;
}

// ---- plain-data helpers: rendered objects are foreign input, every field may be anything ----

export function rec(value: unknown): Rec {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Rec) : {};
}

export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(rec(value))) if (v !== null && v !== undefined) out[k] = String(v);
  return out;
}

/** An integer as Kubernetes reads it (a number, or a numeric string from an unquoted template). */
export function int(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  return undefined;
}

// ---- label selectors ----

/** A selector as read once: its requirements, and the label pairs it requires (a label In one value). */
interface CompiledSelector {
  requirements: Requirement[];
  required: readonly [string, string][];
}

/** Selectors are compared with every workload of an environment: read each one once. */
const compiledSelectors = new WeakMap<object, CompiledSelector | undefined>();

/**
 * A selector as read once; one the API server would refuse (core/label-selector.ts) selects
 * nothing here, as it selects nothing in a cluster that never admitted it.
 */
function compileSelector(selector: unknown): CompiledSelector | undefined {
  const keep = typeof selector === 'object' && selector !== null;
  if (keep && compiledSelectors.has(selector)) return compiledSelectors.get(selector);
  const parsed = parseSelector(selector);
  const compiled =
    typeof parsed === 'string' ? undefined : { requirements: parsed, required: parsed.filter((r) => r.operator === 'In' && r.values.length === 1).map((r): [string, string] => [r.key, r.values[0]!]) };
  if (keep) compiledSelectors.set(selector, compiled);
  return compiled;
}

/** The label keys a LabelSelector names (matchLabels and matchExpressions). */
export function selectorKeys(selector: unknown): string[] {
  return compileSelector(selector)?.requirements.map((r) => r.key) ?? [];
}

/** A LabelSelector (matchLabels and matchExpressions) against a label set. An empty selector selects everything. */
export function selectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  const compiled = compileSelector(selector);
  return compiled !== undefined && matchesSelector(compiled.requirements, labels);
}

/** True when a selector has no terms at all (selects every pod of the namespace). */
export function selectorEmpty(selector: unknown): boolean {
  const s = rec(selector);
  return Object.keys(rec(s.matchLabels)).length === 0 && arr(s.matchExpressions).length === 0;
}

/** A Service-style selector (a plain map) against a label set; an empty map selects nothing. */
export function mapSelects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  let empty = true;
  for (const k in selector) {
    if (labels[k] !== selector[k]) return false;
    empty = false;
  }
  return !empty;
}

const objectLabels = new WeakMap<object, Record<string, string>>();

/** metadata.labels of an object as a string map, read once. */
export function labelsOf(m: Manifest): Record<string, string> {
  let labels = objectLabels.get(m.object);
  if (!labels) {
    labels = stringMap(rec(m.object.metadata).labels);
    objectLabels.set(m.object, labels);
  }
  return labels;
}

const serviceSelectors = new WeakMap<object, Record<string, string>>();

/** A Service's spec.selector as a label map, read once. */
export function serviceSelector(service: Manifest): Record<string, string> {
  let selector = serviceSelectors.get(service.object);
  if (!selector) {
    selector = stringMap(rec(service.object.spec).selector);
    serviceSelectors.set(service.object, selector);
  }
  return selector;
}

// ---- HPAs and replicas ----

/** The HorizontalPodAutoscaler that scales a workload, if any. */
export function hpaFor(app: PolicyApp, w: Workload): Manifest | undefined {
  return ofKind(app, 'HorizontalPodAutoscaler', 'autoscaling').find((h) => {
    const ref = rec(rec(h.object.spec).scaleTargetRef);
    return ref.kind === w.kind && ref.name === w.name && nsOf(h, app.namespace) === w.namespace && (ref.apiVersion === undefined || groupOf(str(ref.apiVersion)) === groupOf(w.manifest.apiVersion));
  });
}

/** The fewest pods a replicated workload runs: the HPA's minimum, else its replicas (Kubernetes' default 1). */
export function minPods(app: PolicyApp, w: Workload): { count: number; from: 'hpa' | 'replicas' } {
  const hpa = hpaFor(app, w);
  if (hpa) return { count: int(rec(hpa.object.spec).minReplicas) ?? 1, from: 'hpa' };
  return { count: int(w.replicas) ?? 1, from: 'replicas' };
}

// ---- hosts ----

/** An Istio host as a fully qualified name: short names resolve in the namespace of the object naming them. */
export function fqdn(host: string, namespace: string): string {
  if (host.includes('*')) return host;
  const parts = host.split('.');
  if (parts.length === 1) return `${host}.${namespace}.svc.cluster.local`;
  if (parts.length === 2) return `${host}.svc.cluster.local`;
  if (parts.length === 3 && parts[2] === 'svc') return `${host}.cluster.local`;
  return host;
}

/** A host served inside the cluster (a Kubernetes Service name), as opposed to an external one. */
export function inClusterHost(host: string): boolean {
  return /\.svc\.cluster\.local$/.test(host);
}

// ---- across the environment ----

/** Objects of a kind in every Application of the environment, with the Application each came from. */
export function fleetOfKind(fleet: PolicyFleet, app: PolicyApp, kind: string, group?: string): readonly { app: PolicyApp; manifest: Manifest }[] {
  return fleet.objectsIn(app.env.name, kind, group);
}

/** Objects of a kind in one namespace of the Application's environment. */
export function namespaceOfKind(fleet: PolicyFleet, app: PolicyApp, namespace: string, kind: string, group?: string): readonly { app: PolicyApp; manifest: Manifest }[] {
  return fleet.objectsIn(app.env.name, kind, group, namespace);
}

/** The Services of the environment that send traffic to a workload's pods. */
export function servicesSelecting(fleet: PolicyFleet, app: PolicyApp, w: Workload): Manifest[] {
  return fleet.memo(`services-selecting|${app.application}|${w.kind}|${w.namespace}|${w.name}`, () =>
    selectorIndex(fleet, app, w.namespace, 'Service', '', (s) => Object.entries(serviceSelector(s)))
      .candidates(w.labels)
      .filter((s) => rec(s.object.spec).type !== 'ExternalName' && mapSelects(serviceSelector(s), w.labels)),
  );
}

/** Istio's per-pod opt-out: `sidecar.istio.io/inject: "false"` as a label (current) or annotation (legacy). */
export function sidecarDisabled(w: Workload): 'label' | 'annotation' | undefined {
  if (w.labels['sidecar.istio.io/inject'] === 'false') return 'label';
  if (w.annotations['sidecar.istio.io/inject'] === 'false') return 'annotation';
  return undefined;
}

// ---- indexes: which selectors can match a label set, without trying every one ----

/** The label pairs a selector requires (a label In one value), read once. */
export function requiredLabels(selector: unknown): readonly [string, string][] {
  return compileSelector(selector)?.required ?? [];
}

/**
 * Many selectors against one label set, in time proportional to the labels: each selector is
 * filed under one label pair it requires, so only selectors filed under a pair of the label
 * set are tried (selectors that require none are always tried). Candidates still need a full match.
 */
export class SelectorIndex<T> {
  private readonly byPair = new Map<string, T[]>();
  private readonly always: T[] = [];

  constructor(items: readonly T[], required: (item: T) => readonly [string, string][]) {
    for (const item of items) {
      const first = required(item)[0];
      if (!first) this.always.push(item);
      else {
        const key = `${first[0]}\0${first[1]}`;
        const list = this.byPair.get(key);
        if (list) list.push(item);
        else this.byPair.set(key, [item]);
      }
    }
  }

  candidates(labels: Record<string, string>): T[] {
    const out = [...this.always];
    for (const k in labels) {
      const list = this.byPair.get(`${k}\0${labels[k]}`);
      if (list) out.push(...list);
    }
    return out;
  }
}

/** Objects of a kind in a namespace of the environment, indexed by the labels their selector requires. */
export function selectorIndex(fleet: PolicyFleet, app: PolicyApp, namespace: string, kind: string, group: string, required: (m: Manifest) => readonly [string, string][]): SelectorIndex<Manifest> {
  return fleet.memo(`selector-index|${app.env.name}|${namespace}|${kind}|${group}`, () =>
    new SelectorIndex(
      namespaceOfKind(fleet, app, namespace, kind, group).map(({ manifest }) => manifest),
      required,
    ),
  );
}

/** Workloads of a namespace of the environment that carry a label pair. */
export function workloadsLabelled(fleet: PolicyFleet, app: PolicyApp, namespace: string, pair: readonly [string, string] | undefined): readonly { app: PolicyApp; w: Workload }[] {
  if (!pair) return fleet.workloadsIn(app.env.name, namespace);
  const index = fleet.memo(`workloads-by-label|${app.env.name}|${namespace}`, () => {
    const byPair = new Map<string, { app: PolicyApp; w: Workload }[]>();
    for (const entry of fleet.workloadsIn(app.env.name, namespace)) {
      for (const k in entry.w.labels) {
        const key = `${k}\0${entry.w.labels[k]}`;
        const list = byPair.get(key);
        if (list) list.push(entry);
        else byPair.set(key, [entry]);
      }
    }
    return byPair;
  });
  return index.get(`${pair[0]}\0${pair[1]}`) ?? [];
}
