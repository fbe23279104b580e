import type { Finding } from '../core/findings.js';
import { originFor } from '../core/render/plan.js';
import type { RepoModel } from '../core/repo/model.js';
import { locate, type YamlDoc } from '../core/yaml/parse-yaml.js';
import type { AppManifests } from '../render/fleet-manifests.js';
import { extractWorkloads, groupOf, nsOf, rec, str, type AppProjectInfo, type PolicyApp, type PolicyFleet, type Workload } from './model.js';
import { rules as allRules } from './registry.js';
import type { Rule, Violation } from './rule.js';
import type { EnvironmentFindings, PolicyMemo } from './policy-memo.js';
import { appKey, applyWaivers, type Waiver } from './waivers.js';

const PROJECT_FILE = /^argocd\/projects\/[^/]+\.ya?ml$/;

/** The AppProjects of argocd/projects/, by name, and the problems reading them. */
export async function loadProjects(model: RepoModel): Promise<{ projects: Map<string, AppProjectInfo>; findings: Finding[] }> {
  const projects = new Map<string, AppProjectInfo>();
  const findings: Finding[] = [];
  for (const file of model.files.filter((f) => PROJECT_FILE.test(f))) {
    const parsed = await model.readYaml(file);
    if (!parsed) continue;
    findings.push(...parsed.findings);
    for (const doc of parsed.docs) {
      const data = rec(doc.data);
      const name = str(rec(data.metadata).name);
      if (data.kind !== 'AppProject' || !name) continue;
      projects.set(name, { name, file, spec: rec(data.spec), location: locate(doc as YamlDoc, ['metadata', 'name']) });
    }
  }
  return { projects, findings };
}

/** Each rendered Application as the rules see it. */
export function policyApps(rendered: readonly AppManifests[], model: RepoModel): PolicyApp[] {
  return rendered.map(({ app, manifests, digest }) => {
    const { plan } = app;
    const spec = plan.app.manifest.spec;
    const service = model.services.get(plan.service);
    const policyApp: Omit<PolicyApp, 'workloads'> = {
      application: plan.app.name,
      env: plan.env,
      profile: plan.env.policyProfile,
      service: plan.service,
      team: service?.team,
      project: spec.project || 'default',
      destination: { ...spec.destination },
      namespace: plan.namespace,
      appLocation: originFor(plan.app, 'spec.destination'),
      fallbackLocation: service ? { file: `${service.dir}/service.yaml` } : plan.app.templateLocation,
      manifests,
      digest,
    };
    // Read from the objects on first use: an environment whose findings are remembered reads none.
    let workloads: Workload[] | undefined;
    return Object.defineProperty(policyApp, 'workloads', { get: () => (workloads ??= extractWorkloads(manifests, plan.namespace)), enumerable: false }) as PolicyApp;
  });
}

export function policyFleet(apps: readonly PolicyApp[], projects: ReadonlyMap<string, AppProjectInfo>): PolicyFleet {
  const byEnv = new Map<string, PolicyApp[]>();
  for (const app of apps) {
    const list = byEnv.get(app.env.name);
    if (list) list.push(app);
    else byEnv.set(app.env.name, [app]);
  }
  // Cross-Application rules ask the same questions for every Application: answer each once,
  // so that a run stays linear in the size of an environment.
  const cache = new Map<string, unknown>();
  const memo = <T>(key: string, compute: () => T): T => {
    if (!cache.has(key)) cache.set(key, compute());
    return cache.get(key) as T;
  };
  const byNamespace = <T>(items: T[], ns: (item: T) => string): Map<string, T[]> => {
    const out = new Map<string, T[]>();
    for (const item of items) {
      const list = out.get(ns(item));
      if (list) list.push(item);
      else out.set(ns(item), [item]);
    }
    return out;
  };
  const fleet: PolicyFleet = {
    appsIn: (env) => byEnv.get(env) ?? [],
    objectsIn(env, kind, group, namespace) {
      const all = memo(`objects|${env}|${kind}|${group ?? '*'}`, () =>
        (byEnv.get(env) ?? []).flatMap((app) => app.manifests.filter((m) => m.kind === kind && (group === undefined || groupOf(m.apiVersion) === group)).map((manifest) => ({ app, manifest }))),
      );
      if (namespace === undefined) return all;
      const index = memo(`objects-by-ns|${env}|${kind}|${group ?? '*'}`, () => byNamespace(all, ({ app, manifest }) => nsOf(manifest, app.namespace)));
      return index.get(namespace) ?? [];
    },
    workloadsIn(env, namespace) {
      const all = memo(`workloads|${env}`, () => (byEnv.get(env) ?? []).flatMap((app) => app.workloads.map((w) => ({ app, w }))));
      if (namespace === undefined) return all;
      return memo(`workloads-by-ns|${env}`, () => byNamespace(all, ({ w }) => w.namespace)).get(namespace) ?? [];
    },
    memo,
    projects,
  };
  return fleet;
}

export interface PolicyInput {
  /** Every rendered Application of the environments checked (cross-Application rules see them all). */
  apps: readonly PolicyApp[];
  /** The Applications to report on ("<env>/<service>"); the rest only inform cross-Application rules. */
  selected: ReadonlySet<string>;
  /** Every Application of the fleet ("<env>/<service>"), rendered or not, to tell a waiver that matched nothing from one whose Application was not checked. */
  all: readonly string[];
  projects: ReadonlyMap<string, AppProjectInfo>;
  waivers: readonly Waiver[];
  /** YYYY-MM-DD. */
  today: string;
  rules?: readonly Rule[];
  /** Remembers each environment's rule findings between runs (see policy-memo.ts). */
  memo?: PolicyMemo;
}

export interface PolicyResult {
  findings: Finding[];
  /** Findings a waiver covered. */
  waived: number;
  /** Applications whose rules ran. */
  checked: number;
}

/** Runs every rule over the selected Applications, at each environment's profile, then applies the waivers. Pure (a memo only remembers). */
export function evaluatePolicy(input: PolicyInput): PolicyResult {
  const rules = input.rules ?? allRules;
  const fleet = policyFleet(input.apps, input.projects);
  const raw: Finding[] = [];
  const evaluated = new Set<string>();
  for (const env of new Set(input.apps.map((a) => a.env.name))) {
    const apps = fleet.appsIn(env);
    const key = input.memo?.key(apps, input.selected, input.projects, rules);
    const remembered = key === undefined ? undefined : input.memo?.get(key);
    const judged = remembered ?? judgeEnvironment(apps, input.selected, rules, fleet);
    if (key !== undefined && !remembered) input.memo?.set(key, judged);
    raw.push(...judged.findings);
    for (const k of judged.evaluated) evaluated.add(k);
  }
  const outcome = applyWaivers(raw, input.waivers, input.today, { selected: input.selected, evaluated, all: input.all });
  return { findings: [...outcome.findings, ...outcome.waiverFindings], waived: outcome.waived, checked: evaluated.size };
}

/** The rule findings of one environment's selected Applications. */
function judgeEnvironment(apps: readonly PolicyApp[], selected: ReadonlySet<string>, rules: readonly Rule[], fleet: PolicyFleet): EnvironmentFindings {
  const findings: Finding[] = [];
  const evaluated: string[] = [];
  for (const app of apps) {
    const key = appKey(app.env.name, app.service);
    if (!selected.has(key)) continue;
    evaluated.push(key);
    const seen = new Set<string>();
    for (const rule of rules) {
      const severity = rule.severity[app.profile];
      if (severity === 'off' || (rule.mesh && app.env.mesh === 'none')) continue;
      for (const v of rule.check(app, fleet)) {
        const finding = toFinding(rule, severity, v, app);
        const id = `${finding.code}|${finding.resource?.kind}|${finding.resource?.name}|${finding.resource?.pointer}|${finding.message}`;
        if (seen.has(id)) continue;
        seen.add(id);
        findings.push(finding);
      }
    }
  }
  return { findings, evaluated };
}

function toFinding(rule: Rule, severity: 'error' | 'warning', v: Violation, app: PolicyApp): Finding {
  const m = v.manifest;
  const template = m?.origin.kind === 'rendered' ? m.origin.template : undefined;
  return {
    code: rule.code,
    severity,
    message: `${app.application}: ${v.message}`,
    hint: v.hint ?? rule.hint,
    // The template that produced the object; the values line that set the field is found from resource.pointer.
    location: m ? (template ? { file: template } : app.fallbackLocation) : (v.location ?? app.appLocation),
    application: app.application,
    env: app.env.name,
    service: app.service,
    ...(m ? { resource: { apiVersion: m.apiVersion, kind: m.kind, name: m.name, namespace: nsOf(m, app.namespace), file: m.file, pointer: v.pointer ?? '' } } : {}),
  };
}
