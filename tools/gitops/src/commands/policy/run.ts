import type { CommandHandler } from '../../cli/types.js';
import { UsageError } from '../../core/errors.js';
import { uniqueFindings, type Finding } from '../../core/findings.js';
import { evaluatePolicy, loadProjects, policyApps } from '../../policy/evaluate.js';
import { rules } from '../../policy/registry.js';
import { appKey, loadWaivers } from '../../policy/waivers.js';
import { fleetManifests } from '../../render/fleet-manifests.js';
import { planFleet, renderPlans } from '../../render/render-fleet.js';
import { countSummary } from '../../reporters/summary.js';
import { openWorkspace } from '../../workspace.js';
import type { PolicyOptions } from './command.js';

export const runPolicy: CommandHandler<PolicyOptions> = async (ctx, options) => {
  const started = Date.now();
  const today = todayOf(ctx.env);
  const ws = await openWorkspace({ repo: ctx.repo, env: ctx.env });
  // Rejects an unknown --env or --service before anything is rendered.
  const selectedPlans = (await planFleet(ws, { envs: options.env, services: options.service })).plans;
  const fleet = await planFleet(ws);
  const selected = new Set(selectedPlans.map((p) => appKey(p.env.name, p.service)));

  // Cross-Application rules (principals, gateways, PDBs, network policies) need the whole
  // environment, so --service narrows the report, not the render.
  const envs = new Set(selectedPlans.map((p) => p.env.name));
  const plans = fleet.plans.filter((p) => envs.has(p.env.name));
  const [rendered, projects, waivers] = await Promise.all([
    renderPlans(ws, plans, { concurrency: options.concurrency, env: ctx.env, onProgress: (done, total) => ctx.progress(`rendering ${done}/${total}`) }),
    loadProjects(ws.model),
    loadWaivers(ws.model),
  ]);
  const parsed = fleetManifests(rendered);

  // A render that failed is an error of its own, never a pass.
  const isSelected = (env: string, service: string) => selected.has(appKey(env, service));
  const findings: Finding[] = [...fleet.findings, ...projects.findings, ...waivers.findings];
  for (const app of rendered) if (isSelected(app.plan.env.name, app.plan.service)) findings.push(...app.findings);
  for (const app of parsed) {
    const { plan } = app.app;
    if (!isSelected(plan.env.name, plan.service)) continue;
    findings.push(...app.findings.map((f) => ({ ...f, application: plan.app.name, env: plan.env.name, service: plan.service })));
    for (const problem of app.problems) {
      findings.push({
        code: 'YAML_NOT_A_MAPPING',
        severity: 'error',
        message: `${plan.app.name}: rendered document ${problem.doc + 1} is not a Kubernetes object: ${problem.message}`,
        location: { file: plan.chart.path },
        application: plan.app.name,
        env: plan.env.name,
        service: plan.service,
      });
    }
  }

  const result = evaluatePolicy({
    apps: policyApps(parsed, ws.model),
    selected,
    all: fleet.plans.map((p) => appKey(p.env.name, p.service)),
    projects: projects.projects,
    waivers: waivers.waivers,
    today,
  });
  findings.push(...result.findings);

  const all = uniqueFindings(findings);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const waived = result.waived > 0 ? `, ${result.waived} waived` : '';
  return { findings: all, summary: `policy: ${result.checked}/${selected.size} applications checked against ${rules.length} rules: ${countSummary(all)}${waived} in ${seconds}s` };
};

/** The date waivers expire against: GITOPS_TODAY (for tests and "as of" runs), else today in UTC. */
function todayOf(env: NodeJS.ProcessEnv): string {
  const given = env.GITOPS_TODAY;
  if (given === undefined || given === '') return new Date().toISOString().slice(0, 10);
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(given);
  if (!m || new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).toISOString().slice(0, 10) !== given) {
    throw new UsageError('USAGE', `GITOPS_TODAY=${given} is not a date`, { hint: 'Set it to a date as YYYY-MM-DD, or unset it to use the current date.' });
  }
  return given;
}
