import { uniqueFindings, type Finding } from '../core/findings.js';
import type { RenderPlan } from '../core/render/plan.js';
import type { AppDiff, FleetDiff } from '../diff/diff-fleet.js';
import type { IgnorePath } from '../diff/ignore.js';
import { diffResources } from '../diff/resources.js';
import { attachValuesOrigins } from '../lint/attach-origins.js';
import { oneRound } from '../lint/one-round.js';
import { policyStage } from '../policy/policy-stage.js';
import { FleetRun, type FleetRunOptions } from '../render/fleet-run.js';
import type { RenderedApp } from '../render/render-app.js';
import type { EngineName } from '../validate/engine.js';
import { prepareSchemas } from '../validate/schema-preflight.js';
import { validateRendered } from '../validate/validate-stage.js';
import type { Workspace } from '../workspace.js';
import { chartDirResolver, loadCharts } from './check-charts.js';
import { atTemplateLine, type ChartDirOf } from './check-template-errors.js';

/** One consumer of the chart: how its render changes when its pin moves, and what then fails. */
export interface ImpactedApp {
  name: string;
  env: string;
  service: string;
  /** The version it pins now. */
  pinned: string;
  status: 'unchanged' | 'changed' | 'fails';
  /** Resources added, removed or changed. */
  changedResources: number;
  /** What fails only after the move: render, validate, policy. */
  failing: ('render' | 'validate' | 'policy')[];
  /** Those findings (error severity), located as `check` locates them. */
  findings: Finding[];
}

export interface ChartImpact {
  chart: string;
  /** The version the pins move to, or "HEAD" for the chart as it is in the working tree. */
  target: string;
  applications: ImpactedApp[];
  /** The per-resource diffs, in the shape of `gitops diff` (its reporters print it). */
  diff: FleetDiff;
}

export interface ImpactOptions extends FleetRunOptions {
  chart: string;
  /** A released version; none: the chart at the head. */
  version?: string;
  envs?: string[];
  engine: EngineName;
  schemaDir?: string;
  today: string;
  ignore: IgnorePath[];
  /** Where each chart lives in this repository, when the caller has it already (chart check). */
  chartDirOf?: ChartDirOf;
}

/**
 * The blast radius of a chart change before it is released: every Application that uses the
 * chart, rendered at its pin and as if its pin moved to `version` (or the head), diffed per
 * resource; the moved side is validated and put through policy, and only what fails after the
 * move (and not before) counts against it.
 */
export async function chartImpact(ws: Workspace, options: ImpactOptions): Promise<ChartImpact> {
  const target = options.version ?? 'HEAD';
  const uses = (p: RenderPlan) => p.chart.name === options.chart;
  const move = (p: RenderPlan): RenderPlan =>
    uses(p)
      ? { ...p, chart: { ...p.chart, revision: target, tree: options.version ? { kind: 'release', chart: options.chart, version: options.version } : { kind: 'snapshot' } } }
      : p;
  const runOptions = { concurrency: options.concurrency, env: options.env, onProgress: options.onProgress };
  const current = new FleetRun(ws, runOptions);
  const moved = new FleetRun(ws, { ...runOptions, transformPlan: move });

  const consumers = (await current.select({ envs: options.envs })).filter(uses);
  const movedPlans = (await moved.select({ envs: options.envs })).filter(uses);
  const [before, after] = await Promise.all([current.render(consumers), moved.render(movedPlans)]);
  const [failsBefore, failsAfter] = await Promise.all([failures(current, before, consumers, options), failures(moved, after, movedPlans, options)]);
  // The head is this repository's chart directory: a template helm refused is named as a person edits it
  // (after comparing with the pinned side, whose messages speak helm's paths too).
  const chartDirOf = options.version ? undefined : (options.chartDirOf ?? chartDirResolver(await loadCharts(ws.model.config.charts?.dir ?? 'platform-charts', ws.model.files, (paths) => ws.snapshot.readFiles(paths))));

  const afterByName = new Map(after.map((a) => [a.plan.app.name, a]));
  const applications: ImpactedApp[] = [];
  const diffs: AppDiff[] = [];
  for (const a of before) {
    const b = afterByName.get(a.plan.app.name)!;
    const { plan } = a;
    const resources = a.manifests !== undefined && b.manifests !== undefined ? diffResources(a.manifests, b.manifests, { namespace: plan.namespace, ignore: options.ignore }) : [];
    const changedResources = resources.filter((r) => r.status !== 'unchanged').length;
    const known = new Set((failsBefore.get(plan.app.name) ?? []).map(findingKey));
    const fresh = (failsAfter.get(plan.app.name) ?? []).filter((f) => !known.has(findingKey(f)));
    const failing = [...new Set(fresh.map(stageOf))];
    applications.push({
      name: plan.app.name,
      env: plan.env.name,
      service: plan.service,
      pinned: plan.chart.revision,
      status: failing.length > 0 ? 'fails' : changedResources > 0 ? 'changed' : 'unchanged',
      changedResources,
      failing,
      findings: chartDirOf ? fresh.map((f) => atTemplateLine(f, chartDirOf)) : fresh,
    });
    const errors = b.manifests === undefined ? [{ side: 'head' as const, findings: b.findings }] : [];
    diffs.push({ name: plan.app.name, env: plan.env.name, service: plan.service, status: errors.length > 0 ? 'error' : changedResources > 0 ? 'changed' : 'unchanged', resources, errors });
  }
  return {
    chart: options.chart,
    target,
    applications,
    diff: { base: { ref: 'pinned versions', commit: ws.snapshot.commit ?? 'working tree' }, head: { ref: `${options.chart} ${target}` }, applications: diffs, findings: [] },
  };
}

/** Error findings per Application: its render, its objects' schemas, policy over its environment. */
async function failures(run: FleetRun, apps: readonly RenderedApp[], plans: readonly RenderPlan[], options: ImpactOptions): Promise<Map<string, Finding[]>> {
  const out = new Map<string, Finding[]>();
  const add = (f: Finding) => {
    if (f.severity !== 'error' || !f.application) return;
    // The policy stage repeats each Application's render findings.
    out.set(f.application, uniqueFindings([...(out.get(f.application) ?? []), f]));
  };
  const rendering = apps.flatMap((app) => app.findings.map((f) => ({ ...f, application: app.plan.app.name })));
  const parsed = run.manifests(apps);
  const envs = [...new Set(plans.map((p) => p.env.name))];
  const env = options.env ?? process.env;
  const schemas = await prepareSchemas(run.ws, { flag: options.schemaDir, env, envs, cwd: process.cwd() });
  const validation = await validateRendered(run.ws, parsed, { engine: options.engine, schemas, env });
  const services = [...new Set(plans.map((p) => p.service))];
  const policy = envs.length > 0 ? await policyStage(run, { envs, services, today: options.today }) : { findings: [], apps: parsed };
  const consumer = new Set(plans.map((p) => p.app.name));
  const located = await attachValuesOrigins([...validation.findings, ...policy.findings.filter((f) => f.application && consumer.has(f.application))], policy.apps, run);
  // A consumer that stops rendering leaves the others' cross-Application verdicts unknown, not failed.
  for (const f of oneRound([...rendering, ...located], apps)) add(f);
  return out;
}

function stageOf(f: Finding): ImpactedApp['failing'][number] {
  if (f.code.startsWith('POLICY_')) return 'policy';
  if (f.code.startsWith('MANIFEST_') || f.code.startsWith('API_')) return 'validate';
  return 'render';
}

/** The same problem before and after the move: code, object and field, whatever the message. */
function findingKey(f: Finding): string {
  return JSON.stringify([f.code, f.resource?.kind, f.resource?.name, f.resource?.pointer, f.resource ? '' : f.message.replace(/\d+\.\d+\.\d+/g, '')]);
}
