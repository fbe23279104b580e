import type { GitHubClient } from './client.js';
import { toGitHubError, type GitHubOperation } from './errors.js';

export interface PullRequestUpsert {
  owner: string;
  repo: string;
  /** The branch with the change. */
  head: string;
  /** The branch it merges into. */
  base: string;
  title: string;
  body: string;
  labels: string[];
}

export interface PullRequestUpsertResult {
  number: number;
  url: string;
  created: boolean;
}

/**
 * Opens the pull request of `head`, or updates the open one (found by its head branch), so
 * that re-running the same promotion edits one pull request instead of opening another.
 */
export async function upsertPullRequest(octokit: GitHubClient, options: PullRequestUpsert): Promise<PullRequestUpsertResult> {
  const { owner, repo, head, base, title, body, labels } = options;
  const op = (action: string): GitHubOperation => ({ action, permissions: ['pull-requests: write', 'contents: write'], scope: 'repo', target: `${owner}/${repo}` });
  const call = async <T>(operation: GitHubOperation, request: () => Promise<T>): Promise<T> => {
    try {
      return await request();
    } catch (error) {
      throw toGitHubError(error, operation);
    }
  };
  const open = await call(op(`list the pull requests of ${owner}:${head}`), () => octokit.rest.pulls.list({ owner, repo, head: `${owner}:${head}`, state: 'open', per_page: 10 }));
  const existing = open.data[0];
  let number: number;
  let url: string;
  if (existing) {
    const updated = await call(op(`update pull request #${existing.number}`), () => octokit.rest.pulls.update({ owner, repo, pull_number: existing.number, title, body }));
    ({ number, html_url: url } = updated.data);
  } else {
    const created = await call(op(`open a pull request from ${head}`), () => octokit.rest.pulls.create({ owner, repo, head, base, title, body }));
    ({ number, html_url: url } = created.data);
  }
  if (labels.length > 0) await call(op(`label pull request #${number}`), () => octokit.rest.issues.addLabels({ owner, repo, issue_number: number, labels }));
  return { number, url, created: !existing };
}
