import type { CommandHandler } from '../../cli/types.js';
import { UsageError } from '../../core/errors.js';
import { parseIgnore } from '../../diff/ignore.js';
import { policyToday } from '../../policy/policy-stage.js';
import { promote } from '../../promote/promote.js';
import { jsonData, markdownReport, promotionSummary, textReport } from '../../promote/report.js';
import { openWorkspace } from '../../workspace.js';
import type { PromoteOptions } from './command.js';

export const runPromote: CommandHandler<PromoteOptions> = async (ctx, options) => {
  if (!options.to) throw new UsageError('USAGE', 'promote: which environment? --to ENV is required', { hint: 'gitops promote orders --to staging' });
  if (options.plan && options.dryRun) throw new UsageError('USAGE', 'promote: --plan and --dry-run do not go together', { hint: '--plan reports every service; --dry-run shows the edit and the rendered diff.' });
  if (options.pr && (options.plan || options.dryRun)) throw new UsageError('USAGE', 'promote: --pr writes a branch; it does not go with --plan or --dry-run', { hint: 'gitops promote orders --to prod --pr' });
  if (options.all && options.services.length > 0) throw new UsageError('USAGE', 'promote: name services or pass --all, not both', { hint: 'gitops promote --all --to prod' });
  const ws = await openWorkspace({ repo: ctx.repo, env: ctx.env });
  const outcome = await promote(ws, {
    services: options.services,
    all: options.all || (options.plan && options.services.length === 0),
    to: options.to,
    from: options.from,
    // --pr commits on a branch: the working tree is never written.
    dryRun: options.dryRun || options.pr,
    planOnly: options.plan,
    now: clock(ctx.env),
    today: policyToday(ctx.env),
    engine: options.engine,
    schemaDir: options.schemaDir,
    ignore: options.ignore.map(parseIgnore),
    concurrency: options.concurrency,
    env: ctx.env,
    onProgress: ctx.progress,
  });
  const mode = options.plan ? 'plan' : options.dryRun || options.pr ? 'dry-run' : 'write';
  let opened = '';
  if (options.pr && outcome.edits.length > 0 && outcome.diff && outcome.refusals.length === 0) {
    // Loaded only when asked: Octokit is not needed to promote locally.
    const { openPromotionPr } = await import('../../promote/pull-request.js');
    opened = `; ${await openPromotionPr(ws, outcome, ctx.env)}`;
  }
  // --plan reports the blocked services; only a refusal of the whole promotion is a finding there.
  const findings = [...outcome.refusals, ...(options.plan ? [] : outcome.candidates.flatMap((c) => c.blocked))];
  return {
    findings,
    stdout: textReport(outcome, mode),
    markdown: markdownReport(outcome, mode),
    data: jsonData(outcome, mode),
    summary: `${options.pr && opened ? promotionSummary(outcome, mode).replace(': dry run, nothing written', '') : promotionSummary(outcome, mode)}${opened}`,
  };
};

function clock(env: NodeJS.ProcessEnv): Date {
  const set = env.GITOPS_NOW;
  if (set === undefined || set === '') return new Date();
  const now = new Date(set);
  if (Number.isNaN(now.getTime())) throw new UsageError('USAGE', `GITOPS_NOW=${set}: not a date-time`, { hint: 'Use ISO 8601, e.g. 2026-12-01T09:00:00Z.' });
  return now;
}
