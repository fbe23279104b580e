import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it, onTestFinished } from 'vitest';
import { fleetFiles } from '../fixtures/fleet.js';
import { createRepo } from '../helpers/git-repo.js';
import { startGitHubServer } from '../helpers/github-server.js';
import { runCliAsync } from '../helpers/run-cli.js';

const schemaDir = join(import.meta.dirname, '..', '..', '..', '..', '..', 'shared', 'schemas');

/** The fixture fleet with prod promoted from dev, a bare remote as origin, and a loopback GitHub. */
async function promotionRepo() {
  const files = fleetFiles();
  files['environments/prod/environment.yaml'] = files['environments/prod/environment.yaml']!.replace('policyProfile: restricted', 'policyProfile: baseline\npromotion:\n  from: dev');
  const repo = createRepo(files);
  const remote = mkdtempSync(join(tmpdir(), 'gitops-remote-'));
  onTestFinished(() => rmSync(remote, { recursive: true, force: true }));
  execFileSync('git', ['init', '--quiet', '--bare', remote]);
  repo.git('remote', 'add', 'origin', remote);
  const before = readFileSync(join(repo.dir, 'services/shop/service.yaml'), 'utf8');
  const server = await startGitHubServer();
  const env = { GITHUB_TOKEN: 'ghs_test', GITHUB_API_URL: server.url, GITHUB_REPOSITORY: 'acme/platform', GITOPS_SCHEMA_DIR: schemaDir, GITOPS_TODAY: '2026-11-24' };
  return { repo, remote, before, server, env };
}

// Two promotions, each checking and rendering prod: minutes on a loaded machine.
it('promote --pr pushes the edit to its branch and opens one pull request, updated when run again', { timeout: 600_000 }, async () => {
  const { repo, remote, before, server, env } = await promotionRepo();
  const pr = { number: 12, html_url: 'https://github.test/acme/platform/pull/12' };

  server.reply({ body: [] }, { status: 201, body: pr }, { body: [] });
  const first = await runCliAsync(['promote', 'shop', '--to', 'prod', '--pr'], { cwd: repo.dir, env });
  expect(first.exitCode, first.stderr + first.stdout).toBe(0);
  expect(first.stderr).toContain('opened pull request #12 (https://github.test/acme/platform/pull/12) from promote/prod/shop');
  const calls = server.requests.map((r) => [r.method, r.path, r.query]);
  expect(calls).toEqual([
    ['GET', '/repos/acme/platform/pulls', { head: 'acme:promote/prod/shop', state: 'open', per_page: '10' }],
    ['POST', '/repos/acme/platform/pulls', {}],
    ['POST', '/repos/acme/platform/issues/12/labels', {}],
  ]);
  const created = server.requests[1]!.body as { title: string; head: string; base: string; body: string };
  expect({ ...created, body: undefined }).toEqual({ title: 'promote shop to prod', head: 'promote/prod/shop', base: 'main', body: undefined });
  expect(created.body).toContain('| shop | ready | image 1.9.0 -> 2.0.0');
  expect(created.body).toContain('+        - image: registry.example.com/commerce/shop:2.0.0');
  expect(created.body).toContain('### Gates passed\n\n- promotion order: dev -> prod\n');
  expect(server.requests[2]!.body).toEqual({ labels: ['promotion', 'env:prod'] });
  expect(server.requests[1]!.headers.authorization).toBe('token ghs_test');

  // The branch holds the edit; the working tree is as it was.
  const pushed = execFileSync('git', ['show', 'promote/prod/shop:services/shop/service.yaml'], { cwd: remote, encoding: 'utf8' });
  expect(pushed).toMatch(/^ {2}prod: \{ chart: 1\.0\.0, image: "2\.0\.0", config: [0-9a-f]{40} \}$/m);
  expect(readFileSync(join(repo.dir, 'services/shop/service.yaml'), 'utf8')).toBe(before);

  server.reply({ body: [pr] }, { body: pr }, { body: [] });
  const again = await runCliAsync(['promote', 'shop', '--to', 'prod', '--pr'], { cwd: repo.dir, env });
  expect(again.exitCode, again.stderr).toBe(0);
  expect(server.requests.slice(3).map((r) => `${r.method} ${r.path}`)).toEqual(['GET /repos/acme/platform/pulls', 'PATCH /repos/acme/platform/pulls/12', 'POST /repos/acme/platform/issues/12/labels']);
  expect(again.stderr).toContain('updated pull request #12');
  expect(server.pending()).toBe(0);
});

it('promote --pr that GitHub refuses exits 2 naming the permission, the working tree as it was', { timeout: 600_000 }, async () => {
  const { repo, remote, before, server, env } = await promotionRepo();

  server.reply({ body: [] }, { status: 403, body: { message: 'Resource not accessible by integration' } });
  const r = await runCliAsync(['promote', 'shop', '--to', 'prod', '--pr'], { cwd: repo.dir, env });
  expect(r.exitCode, r.stderr + r.stdout).toBe(2);
  expect(r.stderr).toContain('GitHub refused to');
  expect(r.stderr).toContain('403 Resource not accessible by integration');
  expect(r.stderr).toContain('`pull-requests: write`');
  expect(server.requests.map((q) => `${q.method} ${q.path}`)).toEqual(['GET /repos/acme/platform/pulls', 'POST /repos/acme/platform/pulls']);
  expect(readFileSync(join(repo.dir, 'services/shop/service.yaml'), 'utf8')).toBe(before);
  expect(repo.git('status', '--porcelain')).toBe('');
});

it('promote --pr replaces a stale promotion branch that has no pull request, and opens one', { timeout: 600_000 }, async () => {
  const { repo, remote, server, env } = await promotionRepo();
  // A branch left behind by an earlier run whose pull request was closed.
  repo.git('push', '--quiet', 'origin', 'HEAD:refs/heads/promote/prod/shop');
  const stale = execFileSync('git', ['rev-parse', 'promote/prod/shop'], { cwd: remote, encoding: 'utf8' }).trim();

  server.reply({ body: [] }, { status: 201, body: { number: 13, html_url: 'https://github.test/acme/platform/pull/13' } }, { body: [] });
  const r = await runCliAsync(['promote', 'shop', '--to', 'prod', '--pr'], { cwd: repo.dir, env });
  expect(r.exitCode, r.stderr + r.stdout).toBe(0);
  expect(r.stderr).toContain('opened pull request #13');
  const pushed = execFileSync('git', ['rev-parse', 'promote/prod/shop'], { cwd: remote, encoding: 'utf8' }).trim();
  expect(pushed).not.toBe(stale);
  // The new branch is one commit on top of the head, holding the edit.
  expect(execFileSync('git', ['rev-parse', `${pushed}^`], { cwd: remote, encoding: 'utf8' }).trim()).toBe(repo.git('rev-parse', 'HEAD').trim());
  expect(execFileSync('git', ['show', `${pushed}:services/shop/service.yaml`], { cwd: remote, encoding: 'utf8' })).toMatch(/^ {2}prod: \{ chart: 1\.0\.0, image: "2\.0\.0"/m);
  expect(server.pending()).toBe(0);
});
