import { runCheckStages } from '../check/check-stages.js';
import type { Finding } from '../core/findings.js';
import { loadWaivers, type Waiver } from '../policy/waivers.js';
import { FleetRun } from '../render/fleet-run.js';
import { prepareSchemas } from '../validate/schema-preflight.js';
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
  const [{ findings }, waivers] = await Promise.all([runCheckStages(run, { engine: 'builtin', schemas, env: options.env, today: options.today, onProgress: options.onProgress }), loadWaivers(ws.model)]);
  return { findings, waivers: waivers.waivers, run };
}
