import { ToolError, type ErrorCode } from '../core/errors.js';

/** A GitHub API call failed for good (after any retries). Exits 2 like every ToolError. */
export class GitHubError extends ToolError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly details: {
      /** HTTP status GitHub answered with; absent when it could not be reached. */
      status?: number;
      /** What we were doing, e.g. `PATCH /repos/acme/fleet/issues/comments/7`. */
      request?: string;
      hint?: string;
      cause?: unknown;
    } = {},
  ) {
    super(code, message, details);
  }
}

/** What a failing call was for, so that the error can name it and the permission it needs. */
export interface GitHubOperation {
  /** Completes "GitHub refused to …", e.g. `create a comment on acme/fleet#12`. */
  action: string;
  /** Fine-grained permissions any one of which allows the call, e.g. `pull-requests: write`. */
  permissions: readonly string[];
  /** The same for a classic personal access token, e.g. `repo`. */
  scope: string;
  /** What a 404 means for this call, e.g. `pull request acme/fleet#12`. */
  target: string;
}

interface RequestErrorLike {
  status: number;
  message: string;
  request?: { method?: string; url?: string };
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

// Duck-typed rather than `instanceof RequestError`: @octokit/request-error is not our
// dependency, and two copies of it in node_modules would make instanceof lie.
function isRequestError(error: unknown): error is RequestErrorLike {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { status?: unknown }).status === 'number' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}

function header(error: RequestErrorLike, name: string): string | undefined {
  const value = error.response?.headers?.[name];
  return value === undefined ? undefined : String(value);
}

/** GitHub's own explanation (`{"message": "..."}`), without octokit's "- https://docs..." suffix. */
function githubMessage(error: RequestErrorLike): string {
  const data = error.response?.data;
  if (typeof data === 'object' && data !== null && typeof (data as { message?: unknown }).message === 'string') {
    return (data as { message: string }).message;
  }
  return error.message;
}

/** Path only: octokit's URL may carry the host of a GitHub Enterprise server, never a token, but keep it short. */
function describeRequest(error: RequestErrorLike): string | undefined {
  const { method, url } = error.request ?? {};
  if (method === undefined || url === undefined) return undefined;
  try {
    return `${method} ${new URL(url).pathname}`;
  } catch {
    return `${method} ${url}`;
  }
}

function isRateLimited(error: RequestErrorLike): boolean {
  if (error.status !== 403 && error.status !== 429) return false;
  return header(error, 'x-ratelimit-remaining') === '0' || /rate limit/i.test(githubMessage(error));
}

function either(permissions: readonly string[]): string {
  return permissions.map((permission) => `\`${permission}\``).join(' or ');
}

function resetTime(error: RequestErrorLike): string | undefined {
  const reset = Number(header(error, 'x-ratelimit-reset'));
  return Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000).toISOString() : undefined;
}

/**
 * Turns a failed octokit call into a GitHubError whose message says what was refused and
 * whose hint names the permission to grant. Anything that is not an HTTP error from GitHub
 * (a bug of ours, say) is returned unchanged.
 */
export function toGitHubError(error: unknown, operation: GitHubOperation): unknown {
  if (error instanceof ToolError || !isRequestError(error)) return error;
  const status = error.status;
  const request = describeRequest(error);
  const said = githubMessage(error);
  const base = { status, request, cause: error };

  if (status === 401) {
    return new GitHubError('GITHUB_AUTH', `GitHub rejected the token (401 ${said}) trying to ${operation.action}.`, {
      ...base,
      hint:
        'The token in GITHUB_TOKEN (or GH_TOKEN) is invalid or expired; GitHub App installation tokens last one hour. ' +
        'In a workflow pass `env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}`.',
    });
  }
  if (isRateLimited(error)) {
    const reset = resetTime(error);
    return new GitHubError(
      'GITHUB_RATE_LIMITED',
      `GitHub rate-limited the attempt to ${operation.action} (${status} ${said}), and retrying did not help.`,
      {
        ...base,
        hint: `Run the job again${reset ? ` after ${reset}` : ' later'}; a GitHub App token has a higher limit than a personal one.`,
      },
    );
  }
  if (status === 403) {
    // GitHub names what it would have accepted: fine-grained permissions for app and
    // fine-grained tokens, OAuth scopes for classic tokens.
    const accepted = header(error, 'x-accepted-github-permissions');
    const scopes = header(error, 'x-accepted-oauth-scopes');
    const needs = [accepted && `GitHub accepts: ${accepted}`, scopes && `accepted scopes: ${scopes}`].filter(Boolean);
    return new GitHubError(
      'GITHUB_FORBIDDEN',
      `GitHub refused to ${operation.action} (403 ${said}): the token needs ${either(operation.permissions)} ` +
        `(a classic token the \`${operation.scope}\` scope)${needs.length > 0 ? `; ${needs.join('; ')}` : ''}.`,
      {
        ...base,
        hint:
          `Grant ${either(operation.permissions)} in the workflow's \`permissions:\` (or to the GitHub App). ` +
          'Pull requests from forks only get a read-only GITHUB_TOKEN: post from a `workflow_run` workflow instead.',
      },
    );
  }
  if (status === 404) {
    return new GitHubError('GITHUB_NOT_FOUND', `GitHub found no ${operation.target} (404) trying to ${operation.action}.`, {
      ...base,
      hint:
        'Check GITHUB_REPOSITORY and the pull request number (and GITHUB_API_URL for GitHub Enterprise). ' +
        'GitHub also answers 404 when the token cannot see a private repository: a GitHub App or fine-grained token ' +
        `must be granted this repository, a classic token needs the \`${operation.scope}\` scope.`,
    });
  }
  if (error.response === undefined) {
    // octokit reports a request that never got an answer (DNS, refused, TLS) as a 500 without a response.
    return new GitHubError('GITHUB_FAILED', `Could not reach GitHub to ${operation.action}: ${error.message}.`, {
      request,
      cause: error,
      hint: 'Check the network, and GITHUB_API_URL when using GitHub Enterprise.',
    });
  }
  return new GitHubError('GITHUB_FAILED', `GitHub failed to ${operation.action}: ${status} ${said}.`, {
    ...base,
    hint:
      status >= 500
        ? 'GitHub kept failing after retries; see https://www.githubstatus.com and run the job again.'
        : 'This request was not expected to fail; run again with --verbose and report it if it persists.',
  });
}
