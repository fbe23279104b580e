import type { CommandHandler } from '../../cli/types.js';
import { diffFleet } from '../../diff/diff-fleet.js';
import { parseIgnore } from '../../diff/ignore.js';
import { countApps, jsonReport, markdownReport, textReport } from '../../diff/report.js';
import { writeAtomic } from '../../write-atomic.js';
import { openWorkspace, type Workspace } from '../../workspace.js';
import { ConfigError, UsageError } from '../../core/errors.js';
import type { EmptyBase } from '../../diff/diff-fleet.js';
import type { DiffOptions } from './command.js';

export const runDiff: CommandHandler<DiffOptions> = async (ctx, options) => {
  const started = Date.now();
  const range = splitRange(options);
  const headWs = await openWorkspace({ repo: ctx.repo, ref: range.head, env: ctx.env });
  const compared = await comparedBase(headWs, range.base, options.mergeBase);
  const baseWs = await openBase(ctx.repo, compared.ref, headWs, ctx.env, compared.label);
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
    commented = `; ${await postDiffComment(diff, ctx.env, options.pr)}`;
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

/** `--base A...B` is `--base A --head B`, as in `git diff A...B`. */
function splitRange(options: DiffOptions): { base: string; head?: string } {
  const range = /^(.+?)\.\.\.(.+)$/.exec(options.base);
  if (!range) return { base: options.base, head: options.head };
  if (options.head) throw new UsageError('USAGE', `--base ${options.base} names the head already: drop --head ${options.head}`, { hint: 'Pass either --base A...B or --base A --head B.' });
  return { base: range[1]!, head: range[2]! };
}

/**
 * Where the head branched from the base, as GitHub's pull-request diff does: commits that
 * reached the base since are other people's, not this change, and comparing with the base's
 * tip would show them reverted. Refs that share no history, or an unknown ref (reported by
 * openBase), are compared as given.
 */
export async function comparedBase(head: Workspace, base: string, useMergeBase: boolean): Promise<{ ref: string; label?: string }> {
  if (!useMergeBase) return { ref: base };
  const baseCommit = await head.git.resolveCommit(base);
  const mergeBase = baseCommit && (await head.git.mergeBase(baseCommit, head.snapshot.commit ?? 'HEAD'));
  if (!mergeBase || mergeBase === baseCommit) return { ref: base };
  return { ref: mergeBase, label: `merge base with ${base}` };
}

/** The base workspace; a commit from before the repository's layout existed is an empty fleet. */
async function openBase(repo: string, ref: string, head: Workspace, env: NodeJS.ProcessEnv, label?: string): Promise<Workspace | EmptyBase> {
  try {
    return await openWorkspace({ repo, ref, label, env });
  } catch (err) {
    if (!(err instanceof ConfigError && err.code === 'CONFIG_NOT_FOUND')) throw err;
    return { empty: true, label: label ?? ref, commit: (await head.git.resolveCommit(ref))! };
  }
}
