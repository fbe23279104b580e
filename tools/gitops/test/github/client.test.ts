import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createGitHubClient } from '../../src/github/client.js';
import { resolvePullRequest, workflowRunUrl } from '../../src/github/context.js';
import { syncStickyComment } from '../../src/github/sticky-comment.js';
import { startGitHubServer } from '../helpers/github-server.js';

function eventFile(payload: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-event-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'event.json');
  writeFileSync(path, JSON.stringify(payload));
  return path;
}

describe('createGitHubClient', () => {
  it('takes the token and the Enterprise API URL from the environment', async () => {
    const server = await startGitHubServer();
    server.reply({ body: [] }, { body: [] });

    for (const env of [
      { GITHUB_TOKEN: 'from-github-token', GH_TOKEN: 'from-gh-token', GITHUB_API_URL: `${server.url}/` },
      { GH_TOKEN: 'from-gh-token', GITHUB_API_URL: server.url },
    ]) {
      const octokit = createGitHubClient({ env, retryAfterBaseMs: 0 });
      await octokit.rest.issues.listComments({ owner: 'acme', repo: 'fleet', issue_number: 1 });
    }

    expect(server.requests.map((request) => [request.path, request.headers.authorization])).toEqual([
      ['/repos/acme/fleet/issues/1/comments', 'token from-github-token'],
      ['/repos/acme/fleet/issues/1/comments', 'token from-gh-token'],
    ]);
  });

  it('fails with exit 2 when there is no token', () => {
    expect(() => createGitHubClient({ env: {} })).toThrow(
      expect.objectContaining({ code: 'GITHUB_TOKEN_MISSING', exitCode: 2, hint: expect.stringContaining('pull-requests: write') }),
    );
  });

  it('reports a GitHub it cannot reach, after retrying', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const octokit = createGitHubClient({ token: 't', baseUrl: `http://127.0.0.1:${port}`, env: {}, retryAfterBaseMs: 0 });

    await expect(
      syncStickyComment(octokit, { owner: 'acme', repo: 'fleet', issueNumber: 1, marker: 'diff', parts: ['x'] }),
    ).rejects.toMatchObject({ code: 'GITHUB_FAILED', exitCode: 2, message: expect.stringMatching(/^Could not reach GitHub to list the comments of acme\/fleet#1/) });
  });
});

describe('resolvePullRequest', () => {
  it('reads the repository and the pull request number from GitHub Actions', () => {
    const env = { GITHUB_REPOSITORY: 'acme/fleet', GITHUB_EVENT_PATH: eventFile({ action: 'synchronize', pull_request: { number: 42 } }) };
    expect(resolvePullRequest({ env })).toEqual({ owner: 'acme', repo: 'fleet', issueNumber: 42 });
  });

  it('takes the number of an issue_comment event on a pull request', () => {
    const env = { GITHUB_REPOSITORY: 'acme/fleet', GITHUB_EVENT_PATH: eventFile({ issue: { number: 7, pull_request: { url: 'x' } } }) };
    expect(resolvePullRequest({ env })).toEqual({ owner: 'acme', repo: 'fleet', issueNumber: 7 });
  });

  it('prefers explicit options', () => {
    const env = { GITHUB_REPOSITORY: 'acme/fleet', GITHUB_EVENT_PATH: eventFile({ pull_request: { number: 42 } }) };
    expect(resolvePullRequest({ env, repository: 'acme/other', issueNumber: 3 })).toEqual({ owner: 'acme', repo: 'other', issueNumber: 3 });
  });

  it('says what is missing outside a pull request', () => {
    const push = { GITHUB_REPOSITORY: 'acme/fleet', GITHUB_EVENT_PATH: eventFile({ ref: 'refs/heads/main' }) };
    expect(() => resolvePullRequest({ env: push })).toThrow(
      expect.objectContaining({ code: 'GITHUB_CONTEXT_MISSING', exitCode: 2, message: expect.stringContaining('not about one') }),
    );
    expect(() => resolvePullRequest({ env: {} })).toThrow(
      expect.objectContaining({ code: 'GITHUB_CONTEXT_MISSING', message: expect.stringContaining('GITHUB_REPOSITORY is not set') }),
    );
    expect(() => resolvePullRequest({ env: { GITHUB_REPOSITORY: 'fleet' }, issueNumber: 1 })).toThrow(
      expect.objectContaining({ code: 'GITHUB_CONTEXT_MISSING', message: expect.stringContaining('`owner/name`') }),
    );
  });
});

describe('workflowRunUrl', () => {
  it('links the run whose artifacts hold the full report', () => {
    expect(workflowRunUrl({ GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/fleet', GITHUB_RUN_ID: '99' })).toBe(
      'https://github.com/acme/fleet/actions/runs/99',
    );
    expect(workflowRunUrl({})).toBeUndefined();
  });
});
