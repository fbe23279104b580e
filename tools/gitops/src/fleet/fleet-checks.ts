import { sortFindings, uniqueFindings, type Finding } from '../core/findings.js';
import { attachValuesOrigins } from '../lint/attach-origins.js';
import { lintRepo } from '../lint/lint-repo.js';
import { policyStage } from '../policy/policy-stage.js';
import { loadWaivers, type Waiver } from '../policy/waivers.js';
import { FleetRun } from '../render/fleet-run.js';
import { renderFleet } from '../render/render-fleet.js';
import { prepareSchemas } from '../validate/schema-preflight.js';
import { validateRendered } from '../validate/validate-stage.js';
import type { Workspace } from '../workspace.js';

export interface FleetChecksOptions {
  today: string;
  /** --schema-dir */
  schemaDir?: string;
  concurrency?: number;
  env: NodeJS.ProcessEnv;
  cwd: string;
  onProgress?: (message: string) => void;
}

export interface FleetChecks {
  /** Every finding of `gitops check` over the whole fleet, located at the line to edit. */
  findings: Finding[];
  /** Every valid waiver of the repository, expired ones included. */
  waivers: Waiver[];
  /** The run, for the stages that come after (chart usage reads its chart store). */
  run: FleetRun;
}

/**
 * `gitops check` over the whole fleet, composed from the same stages in the same order (lint,
 * render, validate, policy, values origins) so that the fleet marks as failing exactly what
 * check reports. The whole fleet, whatever the filters: a cell is blocked when its promotion
 * source fails, and the source may be filtered out of the view.
 */
export async function runFleetChecks(ws: Workspace, options: FleetChecksOptions): Promise<FleetChecks> {
  const schemas = await prepareSchemas(ws, { flag: options.schemaDir, env: options.env, cwd: options.cwd });
  const run = new FleetRun(ws, { concurrency: options.concurrency, env: options.env, onProgress: (done, total) => options.onProgress?.(`rendering ${done}/${total}`) });
  const [lint, fleet, waivers] = await Promise.all([lintRepo(run), renderFleet(ws, {}, run), loadWaivers(ws.model)]);
  options.onProgress?.('validating');
  const validation = await validateRendered(ws, run.manifests(fleet.apps), { engine: 'builtin', schemas, env: options.env });
  options.onProgress?.('policy');
  const policy = await policyStage(run, { today: options.today });
  const located = await attachValuesOrigins([...validation.findings, ...policy.findings], policy.apps, run);
  const findings = sortFindings(uniqueFindings([...lint.findings, ...fleet.findings, ...fleet.apps.flatMap((a) => a.findings), ...located]));
  return { findings, waivers: waivers.waivers, run };
}
