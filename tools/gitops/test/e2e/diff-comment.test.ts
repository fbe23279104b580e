import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { fleetFiles, service } from '../fixtures/fleet.js';
import { createRepo } from '../helpers/git-repo.js';
import { startGitHubServer } from '../helpers/github-server.js';
import { runCliAsync } from '../helpers/run-cli.js';

const LIST = '/repos/acme/platform/issues/7/comments';

it('diff --comment keeps one sticky comment on the pull request, and removes it when nothing changes', async () => {
  const repo = createRepo(fleetFiles());
  const event = join(repo.dir, '.event.json');
  writeFileSync(event, JSON.stringify({ pull_request: { number: 7 } }));
  const server = await startGitHubServer();
  const env = { GITHUB_TOKEN: 'ghs_test', GITHUB_API_URL: server.url, GITHUB_REPOSITORY: 'acme/platform', GITHUB_EVENT_PATH: event, GITHUB_SERVER_URL: 'https://github.test', GITHUB_RUN_ID: '42' };

  // A pin moves in prod: the comment is created.
  repo.commit('shop 1.9.1', { 'services/shop/service.yaml': service('shop', 'commerce', { dev: { chart: '1.0.0', image: '2.0.0' }, prod: { chart: '1.0.0', image: '1.9.1' } }) });
  server.reply({ body: [] }, { status: 201, body: { id: 501, body: '', html_url: 'https://github.test/acme/platform/pull/7#issuecomment-501' } });
  const first = await runCliAsync(['diff', '--base', 'HEAD~1', '--head', 'HEAD', '--comment'], { cwd: repo.dir, env });
  expect(first.exitCode, first.stderr).toBe(0);
  expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET ${LIST}`, `POST ${LIST}`]);
  const body = (server.requests[1]!.body as { body: string }).body;
  expect(body.startsWith('<!-- gitops:diff part:1 -->\n')).toBe(true);
  expect(body).toContain('<b>prod/shop</b> (shop-prod): changed');
  expect(body).toContain('+        - image: registry.example.com/commerce/shop:1.9.1');
  expect(body).toContain('https://github.test/acme/platform/actions/runs/42');
  expect(server.requests[1]!.headers.authorization).toBe('token ghs_test');
  expect(first.stderr).toContain('comment on #7: 1 created');

  // A later push that changes nothing rendered: the comment goes away.
  repo.commit('comment only', { 'services/shop/values.yaml': '# commerce\nimage:\n  repository: registry.example.com/commerce/shop\n' });
  server.reply({ body: [{ id: 501, body, user: { login: 'github-actions[bot]', type: 'Bot' } }] }, { status: 204 });
  const second = await runCliAsync(['diff', '--base', 'HEAD~1', '--head', 'HEAD', '--comment'], { cwd: repo.dir, env });
  expect(second.exitCode, second.stderr).toBe(0);
  expect(server.requests.slice(2).map((r) => `${r.method} ${r.path}`)).toEqual([`GET ${LIST}`, 'DELETE /repos/acme/platform/issues/comments/501']);
  expect(server.pending()).toBe(0);
});

it('diff --comment exits 2 naming the permission when GitHub refuses', async () => {
  const repo = createRepo(fleetFiles());
  const event = join(repo.dir, '.event.json');
  writeFileSync(event, JSON.stringify({ pull_request: { number: 7 } }));
  const server = await startGitHubServer();
  repo.commit('shop 1.9.1', { 'services/shop/service.yaml': service('shop', 'commerce', { dev: { chart: '1.0.0', image: '2.0.0' }, prod: { chart: '1.0.0', image: '1.9.1' } }) });
  server.reply({ body: [] }, { status: 403, body: { message: 'Resource not accessible by integration' } });
  const r = await runCliAsync(['diff', '--base', 'HEAD~1', '--head', 'HEAD', '--comment'], { cwd: repo.dir, env: { GITHUB_TOKEN: 'ghs_test', GITHUB_API_URL: server.url, GITHUB_REPOSITORY: 'acme/platform', GITHUB_EVENT_PATH: event } });
  expect(r.exitCode).toBe(2);
  expect(r.stderr).toContain('pull-requests: write');
});
