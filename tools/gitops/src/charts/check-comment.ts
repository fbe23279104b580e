import { createGitHubClient, resolvePullRequest, splitMarkdown, syncStickyComment, workflowRunUrl } from '../github/index.js';

/**
 * Keeps the pull request's sticky chart comment (its own marker, beside the rendered-diff
 * comment) in step with `gitops chart check`: each changed chart's verdict and the blast
 * radius over its consumers; removed when the pull request no longer changes a chart.
 */
export async function postChartCheckComment(markdown: string | undefined, env: NodeJS.ProcessEnv, issueNumber?: number): Promise<string> {
  const octokit = createGitHubClient({ env });
  const pr = resolvePullRequest({ env, issueNumber });
  const parts = markdown === undefined ? [] : splitMarkdown(markdown);
  const result = await syncStickyComment(octokit, { ...pr, marker: 'chart-check', parts, artifactUrl: workflowRunUrl(env) });
  if (parts.length === 0) return `no chart changed: ${result.deleted.length} comment(s) removed from #${pr.issueNumber}`;
  return `comment on #${pr.issueNumber}: ${result.created.length} created, ${result.updated.length} updated, ${result.unchanged.length} unchanged${result.url ? ` (${result.url})` : ''}`;
}
