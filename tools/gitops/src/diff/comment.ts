import { createGitHubClient, resolvePullRequest, splitMarkdown, syncStickyComment, workflowRunUrl } from '../github/index.js';
import type { FleetDiff } from './diff-fleet.js';
import { markdownReport, visibleApps } from './report.js';

/**
 * Keeps the pull request's one sticky "rendered diff" comment in step with the diff: edited
 * in place on every push, split before GitHub's size limit, removed when nothing changes.
 */
export async function postDiffComment(diff: FleetDiff, env: NodeJS.ProcessEnv, issueNumber?: number): Promise<string> {
  const octokit = createGitHubClient({ env });
  const pr = resolvePullRequest({ env, issueNumber });
  const parts = visibleApps(diff).length === 0 ? [] : splitMarkdown(markdownReport(diff));
  const result = await syncStickyComment(octokit, { ...pr, marker: 'diff', parts, artifactUrl: workflowRunUrl(env) });
  if (parts.length === 0) return `no rendered changes: ${result.deleted.length} comment(s) removed from #${pr.issueNumber}`;
  return `comment on #${pr.issueNumber}: ${result.created.length} created, ${result.updated.length} updated, ${result.unchanged.length} unchanged${result.url ? ` (${result.url})` : ''}`;
}
