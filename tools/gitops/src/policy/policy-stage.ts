import { UsageError } from '../core/errors.js';
import { uniqueFindings, type Finding } from '../core/findings.js';
import type { AppManifests } from '../render/fleet-manifests.js';
import type { FleetRun } from '../render/fleet-run.js';
import type { RenderedApp } from '../render/render-app.js';
import { evaluatePolicy, loadProjects, policyApps } from './evaluate.js';
import { PolicyMemo } from './policy-memo.js';
import { appKey, loadWaivers } from './waivers.js';

export interface PolicyStageOptions {
  /** Only the Applications of these environments (all when empty). */
  envs?: string[];
  /** Only report on these services (all when empty); their environments are still rendered whole. */
  services?: string[];
  /** YYYY-MM-DD: the date waivers expire against (see policyToday). */
  today: string;
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
 * rules need them all; the run renders each once, whoever asked first), runs the rules over the
 * selected ones and applies the waivers.
 */
export async function policyStage(run: FleetRun, options: PolicyStageOptions): Promise<PolicyStageResult> {
  const { ws } = run;
  // Rejects an unknown --env or --service before anything is rendered.
  const selectedPlans = await run.select({ envs: options.envs, services: options.services });
  const fleet = await run.plan();
  const selected = new Set(selectedPlans.map((p) => appKey(p.env.name, p.service)));
  const envs = new Set(selectedPlans.map((p) => p.env.name));

  const plans = fleet.plans.filter((p) => envs.has(p.env.name));
  const [rendered, projects, waivers] = await Promise.all([run.render(plans), loadProjects(ws.model), loadWaivers(ws.model)]);
  const parsed = run.manifests(rendered);

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
    memo: new PolicyMemo(ws.cacheDir),
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
