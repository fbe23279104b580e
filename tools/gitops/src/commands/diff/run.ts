import { readFile } from 'node:fs/promises';
import type { CommandHandler } from '../../cli/types.js';
import { checkResultsMarkdown, hasCheckFindings, parseCheckResults, type CheckResults } from '../../diff/check-results.js';
import { diffFleet } from '../../diff/diff-fleet.js';
import { parseIgnore } from '../../diff/ignore.js';
import { countApps, jsonData, markdownReport, textReport, visibleApps } from '../../diff/report.js';
import { foreignChanges } from '../../governance/foreign-changes.js';
import { readCodeowners } from '../../governance/read-codeowners.js';
import { openWorkspace, type Workspace } from '../../workspace.js';
import { ConfigError, UsageError } from '../../core/errors.js';
import type { Finding } from '../../core/findings.js';
import type { EmptyBase } from '../../diff/diff-fleet.js';
import type { DiffOptions } from './command.js';

export const runDiff: CommandHandler<DiffOptions> = async (ctx, options) => {
  const started = Date.now();
  const range = splitRange(options);
  // Read first: a missing or unreadable check report fails before anything renders.
  const checks = options.checkReport === undefined ? undefined : await readCheckReport(options.checkReport);
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

  const authorTeam = options.authorTeam ?? ctx.env.GITOPS_AUTHOR_TEAM;
  const ownership = authorTeam ? await ownershipFindings('empty' in baseWs ? headWs : baseWs, changed, authorTeam) : [];
  const sections = [checks ? checkResultsMarkdown(checks) : '', markdownReport(diff)].filter(Boolean);
  const markdown = sections.join('\n');
  let commented = '';
  if (options.comment) {
    // Loaded only when asked: Octokit is not needed to diff.
    const { postDiffComment } = await import('../../diff/comment.js');
    const worthPosting = visibleApps(diff).length > 0 || (checks !== undefined && hasCheckFindings(checks));
    commented = `; ${await postDiffComment(worthPosting ? markdown : undefined, ctx.env, options.pr)}`;
  }
  const c = countApps(diff.applications);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const failed = diff.applications.flatMap((a) => a.errors.flatMap((e) => e.findings));
  return {
    findings: [...diff.findings, ...failed, ...ownership],
    stdout: textReport(diff),
    markdown,
    data: jsonData(diff),
    summary: `${c.changed} changed, ${c.added} added, ${c.removed} removed, ${c.error} failed, ${c.unchanged} unchanged of ${diff.applications.length} affected applications (${changed.size} files changed) in ${seconds}s${commented}`,
  };
};

/** The check report beside the diff in the PR comment; untrusted in a workflow_run, so only its shape is taken. */
async function readCheckReport(file: string): Promise<CheckResults> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError('PATH_NOT_FOUND', `--check-report ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`, {
      hint: 'Pass the file gitops check --format json=FILE wrote (in CI: the check job\'s artifact).',
      cause: err,
    });
  }
  const results = parseCheckResults(text);
  if (!results) throw new UsageError('USAGE', `--check-report ${file}: not a JSON report of gitops check (schemaVersion 2)`, { hint: 'Write it with gitops check --format json=FILE.' });
  return results;
}

/** Changed files the author's team does not own, by the base's CODEOWNERS (the one GitHub enforces). */
async function ownershipFindings(ws: Workspace, changed: Set<string>, authorTeam: string): Promise<Finding[]> {
  const { codeowners, findings } = await readCodeowners(ws.snapshot);
  return codeowners ? foreignChanges(codeowners, changed, authorTeam) : findings;
}

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
