import type { CommandHandler } from '../../cli/types.js';
import { diffFleet } from '../../diff/diff-fleet.js';
import { parseIgnore } from '../../diff/ignore.js';
import { countApps, jsonReport, markdownReport, textReport } from '../../diff/report.js';
import { writeAtomic } from '../../write-atomic.js';
import { openWorkspace, type Workspace } from '../../workspace.js';
import { ConfigError } from '../../core/errors.js';
import type { EmptyBase } from '../../diff/diff-fleet.js';
import type { DiffOptions } from './command.js';

export const runDiff: CommandHandler<DiffOptions> = async (ctx, options) => {
  const started = Date.now();
  const headWs = await openWorkspace({ repo: ctx.repo, ref: options.head, env: ctx.env });
  const baseWs = await openBase(ctx.repo, options.base, headWs, ctx.env);
  const baseCommit = 'empty' in baseWs ? baseWs.commit : baseWs.snapshot.commit!;
  const changed = new Set(await headWs.git.changedFiles(baseCommit, headWs.snapshot.commit));
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

/** The base workspace; a commit from before the repository's layout existed is an empty fleet. */
async function openBase(repo: string, ref: string, head: Workspace, env: NodeJS.ProcessEnv): Promise<Workspace | EmptyBase> {
  try {
    return await openWorkspace({ repo, ref, env });
  } catch (err) {
    if (!(err instanceof ConfigError && err.code === 'CONFIG_NOT_FOUND')) throw err;
    return { empty: true, label: ref, commit: (await head.git.resolveCommit(ref))! };
  }
}
