import { readFileSync } from 'node:fs';
import { ConfigError } from '../core/errors.js';

/** The pull request a comment goes to. */
export interface PullRequestRef {
  /** Repository owner (user or organisation). */
  owner: string;
  /** Repository name. */
  repo: string;
  /** The pull request's number; GitHub's issue API addresses PR comments by it. */
  issueNumber: number;
}

export interface ResolvePullRequestOptions {
  /** `owner/name`; defaults to GITHUB_REPOSITORY. */
  repository?: string;
  /** Defaults to `pull_request.number` of the event payload at GITHUB_EVENT_PATH. */
  issueNumber?: number;
  /** Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Works out which pull request to comment on: explicit options first, then the GitHub
 * Actions environment. Throws a ConfigError (exit 2) naming what is missing.
 */
export function resolvePullRequest(options: ResolvePullRequestOptions = {}): PullRequestRef {
  const env = options.env ?? process.env;
  const repository = options.repository ?? env.GITHUB_REPOSITORY;
  const match = repository === undefined ? null : /^([^/\s]+)\/([^/\s]+)$/.exec(repository);
  if (!match) {
    throw new ConfigError(
      'GITHUB_CONTEXT_MISSING',
      repository === undefined
        ? 'No repository to comment on: GITHUB_REPOSITORY is not set.'
        : `GITHUB_REPOSITORY must be \`owner/name\`, not \`${repository}\`.`,
      { hint: 'GitHub Actions sets GITHUB_REPOSITORY; elsewhere set it to `owner/name`.' },
    );
  }
  const issueNumber = options.issueNumber ?? pullRequestFromEvent(env.GITHUB_EVENT_PATH);
  if (issueNumber === undefined || !Number.isSafeInteger(issueNumber) || issueNumber <= 0) {
    throw new ConfigError('GITHUB_CONTEXT_MISSING', 'No pull request to comment on: the workflow event is not about one.', {
      hint:
        'Run the comment step on `pull_request` (or `pull_request_target`) events, whose payload at ' +
        'GITHUB_EVENT_PATH carries `pull_request.number`, or pass the number explicitly.',
    });
  }
  return { owner: match[1]!, repo: match[2]!, issueNumber };
}

function pullRequestFromEvent(path: string | undefined): number | undefined {
  if (path === undefined || path === '') return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new ConfigError('GITHUB_CONTEXT_MISSING', `Cannot read the workflow event payload ${path}.`, {
      hint: 'GITHUB_EVENT_PATH should point at the JSON file GitHub Actions writes for the event.',
      cause,
    });
  }
  const number = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
  const record = (value: unknown): Record<string, unknown> | undefined =>
    typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  const event = record(payload);
  const pullRequest = record(event?.pull_request);
  if (pullRequest) return number(pullRequest.number);
  // issue_comment on a pull request: the issue is the PR, and says so with `issue.pull_request`.
  const issue = record(event?.issue);
  if (issue && record(issue.pull_request)) return number(issue.number);
  return undefined;
}

/**
 * The page of the current workflow run, whose artifacts hold the full report:
 * `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}`.
 * Undefined outside GitHub Actions.
 */
export function workflowRunUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = env;
  if (!server || !repository || !runId) return undefined;
  return `${server.replace(/\/+$/, '')}/${repository}/actions/runs/${runId}`;
}
