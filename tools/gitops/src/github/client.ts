import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import Bottleneck from 'bottleneck';
import { ConfigError } from '../core/errors.js';

const GitOpsOctokit = Octokit.plugin(retry, throttling);

/** The Octokit every GitHub call of the tool goes through: REST methods, pagination, retry, throttling. */
export type GitHubClient = InstanceType<typeof GitOpsOctokit>;

export const DEFAULT_GITHUB_API_URL = 'https://api.github.com';

/** The REST API version the requests are written against (sent as X-GitHub-Api-Version). */
export const GITHUB_API_VERSION = '2022-11-28';

export interface GitHubClientOptions {
  /** Defaults to GITHUB_TOKEN, then GH_TOKEN. A GitHub App installation token works the same way. */
  token?: string;
  /** REST API root; defaults to GITHUB_API_URL (GitHub Enterprise), then https://api.github.com. */
  baseUrl?: string;
  /** Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Retries of a 5xx or a request that got no answer. Default 3. */
  retries?: number;
  /** Retries of a request refused by a primary or secondary rate limit. Default 2. */
  rateLimitRetries?: number;
  /** A rate limit that asks to wait longer than this fails instead of stalling the job. Default 120. */
  maxRateLimitWaitSeconds?: number;
  /**
   * Length of one "second" of waiting, in ms. Both plugins compute waits in seconds
   * (retry-after, x-ratelimit-reset, 1/4/9 s back-off) and multiply by this. Default 1000;
   * tests pass 0 so that nothing waits.
   */
  retryAfterBaseMs?: number;
  /**
   * Minimum pause between two writes (and between two writes that notify people, such as
   * a new comment). Defaults to the throttling plugin's, which follows GitHub's guidance
   * (1 s, and 3 s for notifying writes); tests pass 0.
   */
  writeIntervalMs?: number;
  /** Receives retry notices and octokit's warnings; silent by default (only main.ts prints). */
  warn?: (message: string) => void;
  /** Defaults to `gitops`. */
  userAgent?: string;
}

/** The token for GitHub from the options or the environment; ConfigError (exit 2) when there is none. */
export function resolveGitHubToken(options: Pick<GitHubClientOptions, 'token' | 'env'> = {}): string {
  const env = options.env ?? process.env;
  const token = options.token || env.GITHUB_TOKEN || env.GH_TOKEN;
  if (!token) {
    throw new ConfigError('GITHUB_TOKEN_MISSING', 'No GitHub token: GITHUB_TOKEN and GH_TOKEN are both unset.', {
      hint:
        'In a workflow pass `env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}` (or a GitHub App token) and grant ' +
        '`permissions: pull-requests: write`; locally `export GH_TOKEN=$(gh auth token)`.',
    });
  }
  return token;
}

/**
 * Builds the one Octokit the tool uses. Rate limits (403/429 with GitHub's rate-limit
 * headers or message) wait as GitHub asks and retry a bounded number of times; 5xx and
 * unanswered requests retry with back-off; 401, 403 and 404 fail at once (see
 * toGitHubError for the message they become).
 */
export function createGitHubClient(options: GitHubClientOptions = {}): GitHubClient {
  const env = options.env ?? process.env;
  const warn = options.warn ?? (() => {});
  const rateLimitRetries = options.rateLimitRetries ?? 2;
  const maxWait = options.maxRateLimitWaitSeconds ?? 120;
  const baseMs = options.retryAfterBaseMs ?? 1000;

  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number): boolean => {
      const what = `${request.method} ${request.url}`;
      if (retryCount >= rateLimitRetries || retryAfter > maxWait) {
        warn(`GitHub ${kind} rate limit on ${what}; not retrying (asked to wait ${retryAfter}s).`);
        return false;
      }
      warn(`GitHub ${kind} rate limit on ${what}; retrying in ${retryAfter}s.`);
      return true;
    };

  const interval = options.writeIntervalMs;
  const octokit = new GitOpsOctokit({
    auth: resolveGitHubToken({ token: options.token, env }),
    baseUrl: (options.baseUrl || env.GITHUB_API_URL || DEFAULT_GITHUB_API_URL).replace(/\/+$/, ''),
    userAgent: options.userAgent ?? 'gitops',
    log: { debug: () => {}, info: () => {}, warn, error: warn },
    retry: {
      retries: options.retries ?? 3,
      retryAfterBaseValue: baseMs,
      // 429 is left to the throttling plugin, which honours retry-after and
      // x-ratelimit-reset; a blind 1 s retry during a secondary limit prolongs it.
      doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451],
    },
    throttle: {
      onRateLimit: onLimit('primary'),
      onSecondaryRateLimit: onLimit('secondary'),
      retryAfterBaseValue: baseMs,
      ...(interval === undefined
        ? {}
        : {
            write: new Bottleneck.Group({ maxConcurrent: 1, minTime: interval }),
            notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: interval }),
          }),
    },
  });
  octokit.hook.before('request', (request) => {
    request.headers['x-github-api-version'] = GITHUB_API_VERSION;
  });
  return octokit;
}
