import { createGitHubClient, resolvePullRequest, splitMarkdown, syncStickyComment, workflowRunUrl } from '../github/index.js';

/**
 * Keeps the pull request's one sticky comment (check results per environment beside the
 * rendered diff) in step with the change: edited in place on every push, split before
 * GitHub's size limit, removed when there is nothing to show (`markdown` undefined).
 */
export async function postDiffComment(markdown: string | undefined, env: NodeJS.ProcessEnv, issueNumber?: number): Promise<string> {
  const octokit = createGitHubClient({ env });
  const pr = resolvePullRequest({ env, issueNumber });
  const parts = markdown === undefined ? [] : splitMarkdown(markdown);
  const result = await syncStickyComment(octokit, { ...pr, marker: 'diff', parts, artifactUrl: workflowRunUrl(env) });
  if (parts.length === 0) return `no rendered changes: ${result.deleted.length} comment(s) removed from #${pr.issueNumber}`;
  return `comment on #${pr.issueNumber}: ${result.created.length} created, ${result.updated.length} updated, ${result.unchanged.length} unchanged${result.url ? ` (${result.url})` : ''}`;
}
