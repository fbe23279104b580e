import { changeReach, type ChangeReach } from '../core/release/reach.js';
import { promotionChain } from '../core/release/chain.js';
import type { Finding } from '../core/findings.js';
import { planFleet, renderPlans } from '../render/render-fleet.js';
import type { RenderedApp } from '../render/render-app.js';
import type { Workspace } from '../workspace.js';
import { affectedApps } from './affected.js';
import type { IgnorePath } from './ignore.js';
import { diffResources, type ChangeStatus, type ResourceChange } from './resources.js';

export interface AppDiff {
  name: string;
  env: string;
  service: string;
  status: ChangeStatus | 'error';
  resources: ResourceChange[];
  /** Why one side could not be rendered: the Application's error, the others go on. */
  errors: { side: 'base' | 'head'; findings: Finding[] }[];
}

export interface FleetDiff {
  base: { ref: string; commit: string };
  head: { ref: string; commit?: string };
  /** Applications that could change, in env/service order; unchanged ones included. */
  applications: AppDiff[];
  /** Plan findings of the head that stop an Application from rendering at all. */
  findings: Finding[];
  /** Which environments the change reaches on merge, and which only by promotion. */
  reach?: ChangeReach;
}

export interface DiffOptions {
  envs?: string[];
  services?: string[];
  ignore: IgnorePath[];
  context?: number;
  concurrency?: number;
  env?: NodeJS.ProcessEnv;
}

/** A base commit from before the repository had its layout (no gitops.yaml): it has no Applications. */
export interface EmptyBase {
  empty: true;
  label: string;
  commit: string;
}

/** Renders the Applications a change can affect at both sides and diffs them per resource. */
export async function diffFleet(baseWs: Workspace | EmptyBase, headWs: Workspace, changed: ReadonlySet<string>, options: DiffOptions): Promise<FleetDiff> {
  // The base may predate an environment or service: filters are checked on the head only.
  const [basePlan, headPlan] = await Promise.all(['empty' in baseWs ? { plans: [], findings: [] } : planFleet(baseWs, {}), planFleet(headWs, { envs: options.envs, services: options.services })]);
  const inScope = (plan: { env: { name: string }; service: string }) =>
    (!options.envs?.length || options.envs.includes(plan.env.name)) && (!options.services?.length || options.services.includes(plan.service));
  const pairs = affectedApps(basePlan.plans.filter(inScope), headPlan.plans, changed);

  const renderOptions = { concurrency: options.concurrency, env: options.env, parseManifests: false };
  const [baseApps, headApps] = await Promise.all([
    'empty' in baseWs ? [] : renderPlans(baseWs, pairs.flatMap((p) => (p.base ? [p.base] : [])), renderOptions),
    renderPlans(headWs, pairs.flatMap((p) => (p.head ? [p.head] : [])), renderOptions),
  ]);
  const byName = (apps: RenderedApp[]) => new Map(apps.map((a) => [a.plan.app.name, a]));
  const [baseByName, headByName] = [byName(baseApps), byName(headApps)];

  const applications = pairs.map((pair): AppDiff => {
    const a = baseByName.get(pair.name);
    const b = headByName.get(pair.name);
    const errors: AppDiff['errors'] = [];
    if (a && a.manifests === undefined) errors.push({ side: 'base', findings: a.findings });
    if (b && b.manifests === undefined) errors.push({ side: 'head', findings: b.findings });
    const base = { name: pair.name, env: pair.env, service: pair.service };
    if (errors.length > 0) return { ...base, status: 'error', resources: [], errors };
    const namespace = (b ?? a)!.plan.namespace;
    const resources = diffResources(a?.manifests, b?.manifests, { namespace, ignore: options.ignore, context: options.context });
    const status: ChangeStatus = !a ? 'added' : !b ? 'removed' : resources.every((r) => r.status === 'unchanged') ? 'unchanged' : 'changed';
    return { ...base, status, resources, errors };
  });

  return {
    base: 'empty' in baseWs ? { ref: baseWs.label, commit: baseWs.commit } : { ref: baseWs.snapshot.label, commit: baseWs.snapshot.commit! },
    head: { ref: headWs.snapshot.label, commit: headWs.snapshot.commit },
    applications,
    findings: headPlan.findings,
    reach: changeReach(headPlan.plans, changed, applications.filter((a) => a.status !== 'unchanged').map((a) => a.env), promotionChain(headWs.model.environments).order),
  };
}
