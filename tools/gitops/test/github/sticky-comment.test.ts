import { describe, expect, it } from 'vitest';
import { createGitHubClient } from '../../src/github/client.js';
import { GitHubError } from '../../src/github/errors.js';
import { splitMarkdown } from '../../src/github/split-markdown.js';
import { syncStickyComment, type StickyCommentOptions } from '../../src/github/sticky-comment.js';
import { startGitHubServer, type GitHubServer } from '../helpers/github-server.js';

const LIST = '/repos/acme/fleet/issues/12/comments';
const COMMENTS = '/repos/acme/fleet/issues/comments';
const target = { owner: 'acme', repo: 'fleet', issueNumber: 12, marker: 'diff' } as const;

function client(server: GitHubServer) {
  // Waits of 0 ms: retries and write spacing happen, nothing sleeps.
  return createGitHubClient({ token: 'test-token', baseUrl: server.url, env: {}, retryAfterBaseMs: 0, writeIntervalMs: 0 });
}

function sync(server: GitHubServer, options: Partial<StickyCommentOptions> & Pick<StickyCommentOptions, 'parts'>) {
  return syncStickyComment(client(server), { ...target, ...options });
}

function comment(id: number, body: string, login = 'github-actions[bot]') {
  return { id, body, html_url: `https://github.test/acme/fleet/pull/12#issuecomment-${id}`, user: { login, type: 'Bot' } };
}

/** Requests without headers, for exact comparison. */
function sent(server: GitHubServer) {
  return server.requests.map(({ method, path, query, body }) => ({ method, path, query, body }));
}

const list = (query: Record<string, string> = { per_page: '100' }) => ({ method: 'GET', path: LIST, query, body: undefined });

describe('syncStickyComment', () => {
  it('creates the comment when the PR has none, with the token and API version', async () => {
    const server = await startGitHubServer();
    server.reply({ body: [comment(1, 'LGTM', 'alice')] }, { status: 201, body: comment(100, 'ignored') });

    const result = await sync(server, { parts: ['## Diff\n\nno changes in prod'] });

    expect(sent(server)).toEqual([
      list(),
      { method: 'POST', path: LIST, query: {}, body: { body: '<!-- gitops:diff part:1 -->\n## Diff\n\nno changes in prod' } },
    ]);
    expect(server.requests[0]!.headers).toMatchObject({
      authorization: 'token test-token',
      'x-github-api-version': '2022-11-28',
      accept: 'application/vnd.github.v3+json',
    });
    expect(server.requests[0]!.headers['user-agent']).toMatch(/^gitops /);
    expect(result).toEqual({
      created: [100],
      updated: [],
      unchanged: [],
      deleted: [],
      url: 'https://github.test/acme/fleet/pull/12#issuecomment-100',
    });
  });

  it('finds its comment on the second page of the listing and edits it in place', async () => {
    const server = await startGitHubServer();
    const page1 = Array.from({ length: 100 }, (_, i) => comment(i + 1, `comment ${i + 1}`, 'alice'));
    server.reply(
      {
        body: page1,
        headers: {
          link: `<${server.url}${LIST}?per_page=100&page=2>; rel="next", <${server.url}${LIST}?per_page=100&page=2>; rel="last"`,
        },
      },
      { body: [comment(150, 'other bot <!-- gitops:diff part:1 -->'), comment(151, '<!-- gitops:diff part:1 -->\nold report')] },
      { body: comment(151, 'ignored') },
    );

    const result = await sync(server, { parts: ['new report'] });

    expect(sent(server)).toEqual([
      list(),
      list({ per_page: '100', page: '2' }),
      { method: 'PATCH', path: `${COMMENTS}/151`, query: {}, body: { body: '<!-- gitops:diff part:1 -->\nnew report' } },
    ]);
    expect(result).toMatchObject({ created: [], updated: [151], deleted: [] });
  });

  it('posts a report split in three, then edits part 1 and deletes parts 2 and 3 when it shrinks', async () => {
    const section = (name: string) =>
      `<details><summary>${name}</summary>\n\n\`\`\`diff\n${'+  replicas: 3\n'.repeat(3000)}\`\`\`\n\n</details>\n`;
    const report = ['## Diff', '', section('prod/orders'), section('prod/products'), section('staging/orders')].join('\n');
    const parts = splitMarkdown(report);
    expect(parts).toHaveLength(3);
    const artifactUrl = 'https://github.com/acme/fleet/actions/runs/42';

    const server = await startGitHubServer();
    server.reply({ body: [] }, ...[201, 202, 203].map((id) => ({ status: 201, body: comment(id, 'ignored') })));
    const first = await sync(server, { parts, artifactUrl });

    const posted = server.requests.slice(1).map((request) => (request.body as { body: string }).body);
    expect(sent(server).map(({ method, path }) => `${method} ${path}`)).toEqual([
      `GET ${LIST}`,
      `POST ${LIST}`,
      `POST ${LIST}`,
      `POST ${LIST}`,
    ]);
    expect(posted.map((body) => body.split('\n').slice(0, 2))).toEqual([
      ['<!-- gitops:diff part:1 -->', '_Part 1 of 3_'],
      ['<!-- gitops:diff part:2 -->', '_Part 2 of 3_'],
      ['<!-- gitops:diff part:3 -->', '_Part 3 of 3_'],
    ]);
    expect(posted.map((body) => body.includes(artifactUrl))).toEqual([false, false, true]);
    expect(Math.max(...posted.map((body) => body.length))).toBeLessThanOrEqual(65_536);
    expect(first).toMatchObject({ created: [201, 202, 203], deleted: [] });

    const later = await startGitHubServer();
    later.reply(
      { body: [comment(201, posted[0]!), comment(5, 'nice', 'alice'), comment(202, posted[1]!), comment(203, posted[2]!)] },
      { body: comment(201, 'ignored') },
      { status: 204 },
      { status: 204 },
    );
    const second = await sync(later, { parts: ['## Diff\n\nonly prod/orders changes'], artifactUrl });

    const body = `<!-- gitops:diff part:1 -->\n## Diff\n\nonly prod/orders changes\n\n---\n<sub>The full report is attached to [the workflow run](${artifactUrl}) as an artifact.</sub>`;
    expect(sent(later)).toEqual([
      list(),
      { method: 'PATCH', path: `${COMMENTS}/201`, query: {}, body: { body } },
      { method: 'DELETE', path: `${COMMENTS}/202`, query: {}, body: undefined },
      { method: 'DELETE', path: `${COMMENTS}/203`, query: {}, body: undefined },
    ]);
    expect(second).toMatchObject({ created: [], updated: [201], deleted: [202, 203] });
  });

  it('deletes every part when the diff became empty, and nothing else', async () => {
    const server = await startGitHubServer();
    server.reply(
      {
        body: [
          comment(1, '<!-- gitops:diff part:1 -->\nold'),
          comment(2, '<!-- gitops:check part:1 -->\nanother check'),
          comment(3, '<!-- gitops:diff part:2 -->\nold'),
          comment(4, '> <!-- gitops:diff part:1 -->\nquoted in a reply', 'alice'),
        ],
      },
      { status: 204 },
      { status: 204 },
    );

    const result = await sync(server, { parts: [] });

    expect(sent(server)).toEqual([
      list(),
      { method: 'DELETE', path: `${COMMENTS}/1`, query: {}, body: undefined },
      { method: 'DELETE', path: `${COMMENTS}/3`, query: {}, body: undefined },
    ]);
    expect(result).toEqual({ created: [], updated: [], unchanged: [], deleted: [1, 3] });
  });

  it('leaves an unchanged part alone and removes a duplicate left by a racing run', async () => {
    const server = await startGitHubServer();
    const body = '<!-- gitops:diff part:1 -->\nsame report';
    server.reply({ body: [comment(1, body), comment(2, '<!-- gitops:diff part:1 -->\nolder run')] }, { status: 204 });

    const result = await sync(server, { parts: ['same report'] });

    expect(sent(server)).toEqual([list(), { method: 'DELETE', path: `${COMMENTS}/2`, query: {}, body: undefined }]);
    expect(result).toMatchObject({ unchanged: [1], deleted: [2] });
  });

  it('creates the part again when it was deleted after the listing', async () => {
    const server = await startGitHubServer();
    server.reply(
      { body: [comment(1, '<!-- gitops:diff part:1 -->\nold')] },
      { status: 404, body: { message: 'Not Found' } },
      { status: 201, body: comment(9, 'ignored') },
    );

    const result = await sync(server, { parts: ['new'] });

    expect(sent(server).map(({ method, path }) => `${method} ${path}`)).toEqual([`GET ${LIST}`, `PATCH ${COMMENTS}/1`, `POST ${LIST}`]);
    expect(result).toMatchObject({ created: [9], updated: [] });
  });

  it('rejects a marker that could break out of the HTML comment', async () => {
    const server = await startGitHubServer();
    await expect(sync(server, { marker: 'diff -->', parts: ['x'] })).rejects.toMatchObject({ code: 'USAGE', exitCode: 2 });
    expect(server.requests).toEqual([]);
  });
});

describe('GitHub errors and retries', () => {
  async function failure(promise: Promise<unknown>): Promise<GitHubError> {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(GitHubError);
    return error as GitHubError;
  }

  it('turns a 403 without rate-limit headers into an exit-2 error naming the permission, without retrying', async () => {
    const server = await startGitHubServer();
    server.reply(
      { body: [] },
      {
        status: 403,
        body: { message: 'Resource not accessible by integration' },
        headers: { 'x-accepted-github-permissions': 'issues=write; pull_requests=write' },
      },
    );

    const error = await failure(sync(server, { parts: ['report'] }));

    expect(sent(server).map(({ method }) => method)).toEqual(['GET', 'POST']);
    expect(error.code).toBe('GITHUB_FORBIDDEN');
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(
      'GitHub refused to comment on acme/fleet#12 (403 Resource not accessible by integration): the token needs ' +
        '`pull-requests: write` or `issues: write` (a classic token the `repo` scope); ' +
        'GitHub accepts: issues=write; pull_requests=write.',
    );
    expect(error.hint).toContain('permissions:');
    expect(error.details).toMatchObject({ status: 403, request: `POST ${LIST}` });
  });

  it('turns a 401 into GITHUB_AUTH and a 404 into GITHUB_NOT_FOUND', async () => {
    const server = await startGitHubServer();
    server.reply({ status: 401, body: { message: 'Bad credentials' } }, { status: 404, body: { message: 'Not Found' } });

    const auth = await failure(sync(server, { parts: ['report'] }));
    const missing = await failure(sync(server, { parts: ['report'] }));

    expect(sent(server)).toEqual([list(), list()]);
    expect(auth).toMatchObject({ code: 'GITHUB_AUTH', exitCode: 2 });
    expect(auth.message).toBe('GitHub rejected the token (401 Bad credentials) trying to list the comments of acme/fleet#12.');
    expect(missing).toMatchObject({ code: 'GITHUB_NOT_FOUND', exitCode: 2 });
    expect(missing.message).toBe('GitHub found no pull request acme/fleet#12 (404) trying to list the comments of acme/fleet#12.');
  });

  it('retries a 429 secondary rate limit with retry-after: 0, then succeeds', async () => {
    const server = await startGitHubServer();
    server.reply(
      {
        status: 429,
        body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' },
        headers: { 'retry-after': '0' },
      },
      { body: [] },
      { status: 201, body: comment(7, 'ignored') },
    );

    const result = await sync(server, { parts: ['report'] });

    expect(sent(server).map(({ method, path }) => `${method} ${path}`)).toEqual([`GET ${LIST}`, `GET ${LIST}`, `POST ${LIST}`]);
    expect(result.created).toEqual([7]);
  });

  it('retries a 403 whose primary rate limit has already reset, then succeeds', async () => {
    const server = await startGitHubServer();
    const reset = String(Math.floor(Date.now() / 1000) - 60);
    server.reply(
      { body: [] },
      {
        status: 403,
        body: { message: 'API rate limit exceeded for installation ID 1.' },
        headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset, 'x-ratelimit-limit': '5000' },
      },
      { status: 201, body: comment(8, 'ignored') },
    );

    const result = await sync(server, { parts: ['report'] });

    expect(sent(server).map(({ method }) => method)).toEqual(['GET', 'POST', 'POST']);
    expect(server.requests[1]!.body).toEqual(server.requests[2]!.body);
    expect(result.created).toEqual([8]);
  });

  it('gives up on a rate limit after a bounded number of retries', async () => {
    const server = await startGitHubServer();
    const limited = {
      status: 429,
      body: { message: 'You have exceeded a secondary rate limit.' },
      headers: { 'retry-after': '1' },
    };
    server.reply(limited, limited, limited);

    const error = await failure(sync(server, { parts: ['report'] }));

    // One try and two retries (rateLimitRetries defaults to 2).
    expect(sent(server)).toEqual([list(), list(), list()]);
    expect(error).toMatchObject({ code: 'GITHUB_RATE_LIMITED', exitCode: 2 });
  });

  it('retries a 502, then succeeds', async () => {
    const server = await startGitHubServer();
    server.reply({ status: 502, body: { message: 'Server Error' } }, { body: [] }, { status: 201, body: comment(3, 'ignored') });

    const result = await sync(server, { parts: ['report'] });

    expect(sent(server).map(({ method }) => method)).toEqual(['GET', 'GET', 'POST']);
    expect(result.created).toEqual([3]);
  });

  it('stops retrying a 5xx after three retries', async () => {
    const server = await startGitHubServer();
    const down = { status: 503, body: { message: 'Service Unavailable' } };
    server.reply(down, down, down, down);

    const error = await failure(sync(server, { parts: ['report'] }));

    expect(sent(server)).toEqual([list(), list(), list(), list()]);
    expect(error).toMatchObject({ code: 'GITHUB_FAILED', exitCode: 2 });
    expect(error.message).toBe('GitHub failed to list the comments of acme/fleet#12: 503 Service Unavailable.');
  });
});
