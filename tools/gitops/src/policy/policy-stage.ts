import { UsageError } from '../core/errors.js';
import { uniqueFindings, type Finding } from '../core/findings.js';
import { fleetManifests, type AppManifests } from '../render/fleet-manifests.js';
import type { RenderedApp } from '../render/render-app.js';
import { planFleet, renderPlans } from '../render/render-fleet.js';
import type { Workspace } from '../workspace.js';
import { evaluatePolicy, loadProjects, policyApps } from './evaluate.js';
import { appKey, loadWaivers } from './waivers.js';

export interface PolicyStageOptions {
  /** Only the Applications of these environments (all when empty). */
  envs?: string[];
  /** Only report on these services (all when empty); their environments are still rendered whole. */
  services?: string[];
  /** YYYY-MM-DD: the date waivers expire against (see policyToday). */
  today: string;
  /**
   * Renders the caller already has (e.g. `gitops check`); any Application of the selected
   * environments missing from them is rendered here.
   */
  rendered?: readonly RenderedApp[];
  /** Their objects, when the caller has parsed them already (validate and policy share one parse). */
  parsed?: readonly AppManifests[];
  concurrency?: number;
  /** Environment for locating helm. */
  env?: NodeJS.ProcessEnv;
  onProgress?: (done: number, total: number) => void;
}

export interface PolicyStageResult {
  /** Load and render findings of the selected Applications, rule findings, waiver findings. */
  findings: Finding[];
  /** Findings a waiver covered. */
  waived: number;
  /** Applications whose rules ran (rendered), and Applications selected. */
  checked: number;
  selected: number;
  /** The parsed renders the rules saw, to trace findings back to values lines. */
  apps: AppManifests[];
}

/**
 * The policy stage: renders every Application of the selected environments (cross-Application
 * rules need them all), runs the rules over the selected ones and applies the waivers.
 */
export async function policyStage(ws: Workspace, options: PolicyStageOptions): Promise<PolicyStageResult> {
  // Rejects an unknown --env or --service before anything is rendered.
  const selectedPlans = (await planFleet(ws, { envs: options.envs, services: options.services })).plans;
  const fleet = await planFleet(ws);
  const selected = new Set(selectedPlans.map((p) => appKey(p.env.name, p.service)));
  const envs = new Set(selectedPlans.map((p) => p.env.name));

  const have = new Map((options.rendered ?? []).map((r) => [r.plan.app.name, r]));
  const plans = fleet.plans.filter((p) => envs.has(p.env.name));
  const [renderedHere, projects, waivers] = await Promise.all([
    renderPlans(ws, plans.filter((p) => !have.has(p.app.name)), { concurrency: options.concurrency, env: options.env, onProgress: options.onProgress }),
    loadProjects(ws.model),
    loadWaivers(ws.model),
  ]);
  const byName = new Map(renderedHere.map((r) => [r.plan.app.name, r]));
  const rendered = plans.map((p) => have.get(p.app.name) ?? byName.get(p.app.name)!);
  const known = new Map((options.parsed ?? []).map((p) => [p.app.plan.app.name, p]));
  const parsedHere = fleetManifests(rendered.filter((r) => !known.has(r.plan.app.name)));
  const parsedHereByName = new Map(parsedHere.map((p) => [p.app.plan.app.name, p]));
  const parsed = rendered.filter((r) => r.manifests !== undefined).map((r) => known.get(r.plan.app.name) ?? parsedHereByName.get(r.plan.app.name)!);

  // A render that failed is an error of its own, never a pass.
  const isSelected = (r: RenderedApp) => selected.has(appKey(r.plan.env.name, r.plan.service));
  const findings: Finding[] = [...fleet.findings, ...projects.findings, ...waivers.findings];
  for (const app of rendered) if (isSelected(app)) findings.push(...app.findings);
  for (const { app, findings: yaml, problems } of parsed) {
    if (!isSelected(app)) continue;
    const { plan } = app;
    const about = { application: plan.app.name, env: plan.env.name, service: plan.service };
    findings.push(...yaml.map((f) => ({ ...f, ...about })));
    for (const problem of problems) {
      findings.push({ code: 'YAML_NOT_A_MAPPING', severity: 'error', message: `${plan.app.name}: rendered document ${problem.doc + 1} is not a Kubernetes object: ${problem.message}`, location: { file: plan.chart.path }, ...about });
    }
  }

  const result = evaluatePolicy({
    apps: policyApps(parsed, ws.model),
    selected,
    all: fleet.plans.map((p) => appKey(p.env.name, p.service)),
    projects: projects.projects,
    waivers: waivers.waivers,
    today: options.today,
  });
  return { findings: uniqueFindings([...findings, ...result.findings]), waived: result.waived, checked: result.checked, selected: selected.size, apps: parsed };
}

/** The date waivers expire against: GITOPS_TODAY (tests, "as of" runs), else today in UTC. */
export function policyToday(env: NodeJS.ProcessEnv): string {
  const given = env.GITOPS_TODAY;
  if (given === undefined || given === '') return new Date().toISOString().slice(0, 10);
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(given);
  if (!m || new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).toISOString().slice(0, 10) !== given) {
    throw new UsageError('USAGE', `GITOPS_TODAY=${given} is not a date`, { hint: 'Set it to a date as YYYY-MM-DD, or unset it to use the current date.' });
  }
  return given;
}
