import { sortFindings, uniqueFindings, type Finding } from '../core/findings.js';
import { attachValuesOrigins } from '../lint/attach-origins.js';
import { lintRepo } from '../lint/lint-repo.js';
import { policyStage } from '../policy/policy-stage.js';
import { FleetRun, type FleetRunOptions } from '../render/fleet-run.js';
import { renderFleet } from '../render/render-fleet.js';
import type { EngineName } from '../validate/engine.js';
import { prepareSchemas } from '../validate/schema-preflight.js';
import { validateRendered } from '../validate/validate-stage.js';
import type { Workspace } from '../workspace.js';

export interface PromotedChecksOptions extends FleetRunOptions {
  env: NodeJS.ProcessEnv;
  engine: EngineName;
  schemaDir?: string;
  today: string;
}

/**
 * `gitops check` of the promoted Applications in the target environment, over the edited
 * workspace: lint, render, validate and the policy of the environment's profile. Error
 * findings of those Applications (and of the files a promotion writes), by service.
 */
export async function checkPromoted(ws: Workspace, target: string, services: readonly string[], options: PromotedChecksOptions): Promise<Map<string, Finding[]>> {
  const scope = { envs: [target], services: [...services] };
  const schemas = await prepareSchemas(ws, { flag: options.schemaDir, env: options.env, envs: [target], cwd: process.cwd() });
  const run = new FleetRun(ws, { concurrency: options.concurrency, env: options.env, onProgress: options.onProgress });
  const [lint, fleet] = await Promise.all([lintRepo(run, scope), renderFleet(ws, scope, run)]);
  const apps = run.manifests(fleet.apps);
  const validation = await validateRendered(ws, apps, { engine: options.engine, schemas, env: options.env });
  const policy = await policyStage(run, { ...scope, today: options.today });
  const located = await attachValuesOrigins([...validation.findings, ...policy.findings], policy.apps, run);
  const all = sortFindings(uniqueFindings([...lint.findings, ...fleet.findings, ...fleet.apps.flatMap((a) => a.findings), ...located]));
  const appService = new Map(fleet.apps.filter((a) => a.plan.env.name === target).map((a) => [a.plan.app.name, a.plan.service] as const));
  const out = new Map<string, Finding[]>(services.map((s) => [s, []]));
  for (const f of all) {
    if (f.severity !== 'error') continue;
    // Another environment's or service's problem is not this promotion's.
    const service = f.application ? appService.get(f.application) : f.env === undefined || f.env === target ? (f.service ?? services.find((s) => f.location?.file.startsWith(`services/${s}/`))) : undefined;
    if (service && out.has(service)) out.get(service)!.push(f);
  }
  return out;
}
