import type { CommandHandler } from '../../cli/types.js';
import { sortFindings } from '../../core/findings.js';
import { attachValuesOrigins } from '../../lint/attach-origins.js';
import { policyStage, policyToday } from '../../policy/policy-stage.js';
import { FleetRun } from '../../render/fleet-run.js';
import { rules } from '../../policy/registry.js';
import { countSummary, plural } from '../../reporters/summary.js';
import { openWorkspace } from '../../workspace.js';
import type { PolicyOptions } from './command.js';

export const runPolicy: CommandHandler<PolicyOptions> = async (ctx, options) => {
  const started = Date.now();
  const today = policyToday(ctx.env);
  const ws = await openWorkspace({ repo: ctx.repo, env: ctx.env });
  const run = new FleetRun(ws, { concurrency: options.concurrency, env: ctx.env, onProgress: (done, total) => ctx.progress(`rendering ${done}/${total}`) });
  const result = await policyStage(run, { envs: options.env, services: options.service, today });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  return {
    findings: sortFindings(await attachValuesOrigins(result.findings, result.apps, run)),
    data: { summary: { applications: result.selected, checked: result.checked, waived: result.waived } },
    summary: `policy: ${result.checked}/${result.selected} applications checked against ${plural(rules.length, 'rule')}: ${countSummary(result.findings, result.waived)} in ${seconds}s`,
  };
};
