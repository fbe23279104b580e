import type { CommandHandler } from '../../cli/types.js';
import { lintRepo } from '../../lint/lint-repo.js';
import { FleetRun } from '../../render/fleet-run.js';
import { openWorkspace } from '../../workspace.js';
import type { LintOptions } from './command.js';
import { countSummary, plural } from '../../reporters/summary.js';

export const runLint: CommandHandler<LintOptions> = async (ctx, options) => {
  const ws = await openWorkspace({ repo: ctx.repo, env: ctx.env });
  const { findings, applications } = await lintRepo(new FleetRun(ws), { envs: options.env, services: options.service });
  return { findings, data: { summary: { applications } }, summary: `linted ${plural(applications, 'application')}: ${countSummary(findings)}` };
};
