import { runCheckStages } from '../check/check-stages.js';
import type { Finding } from '../core/findings.js';
import { FleetRun, type FleetRunOptions } from '../render/fleet-run.js';
import type { EngineName } from '../validate/engine.js';
import { prepareSchemas } from '../validate/schema-preflight.js';
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
  const { fleet, findings: all } = await runCheckStages(run, { scope, engine: options.engine, schemas, env: options.env, today: options.today });
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
