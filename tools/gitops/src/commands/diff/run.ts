import type { CommandHandler } from '../../cli/types.js';
import { diffFleet } from '../../diff/diff-fleet.js';
import { parseIgnore } from '../../diff/ignore.js';
import { countApps, jsonReport, markdownReport, textReport } from '../../diff/report.js';
import { writeAtomic } from '../../render/render-app.js';
import { openWorkspace } from '../../workspace.js';
import type { DiffOptions } from './command.js';

export const runDiff: CommandHandler<DiffOptions> = async (ctx, options) => {
  const started = Date.now();
  const [baseWs, headWs] = await Promise.all([
    openWorkspace({ repo: ctx.repo, ref: options.base, env: ctx.env }),
    openWorkspace({ repo: ctx.repo, ref: options.head, env: ctx.env }),
  ]);
  const changed = new Set(await headWs.git.changedFiles(baseWs.snapshot.commit!, headWs.snapshot.commit));
  const diff = await diffFleet(baseWs, headWs, changed, {
    envs: options.env,
    services: options.service,
    ignore: options.ignore.map(parseIgnore),
    context: options.context,
    concurrency: options.concurrency,
    env: ctx.env,
  });

  const report = options.format === 'json' ? jsonReport(diff) : options.format === 'markdown' ? markdownReport(diff) : textReport(diff);
  if (options.out) await writeAtomic(options.out, report);
  let commented = '';
  if (options.comment) {
    // Loaded only when asked: Octokit is not needed to diff.
    const { postDiffComment } = await import('../../diff/comment.js');
    commented = `; ${await postDiffComment(diff, ctx.env)}`;
  }
  const c = countApps(diff.applications);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const failed = diff.applications.flatMap((a) => a.errors.flatMap((e) => e.findings));
  return {
    findings: [...diff.findings, ...failed],
    stdout: options.out ? undefined : report,
    summary: `${c.changed} changed, ${c.added} added, ${c.removed} removed, ${c.error} failed, ${c.unchanged} unchanged of ${diff.applications.length} affected applications (${changed.size} files changed) in ${seconds}s${commented}`,
  };
};
