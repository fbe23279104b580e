import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fleetFiles, service } from '../fixtures/fleet.js';
import { createRepo, type TestRepo } from '../helpers/git-repo.js';
import { startGitHubServer } from '../helpers/github-server.js';
import { runCli, runCliAsync } from '../helpers/run-cli.js';

interface JsonDiff {
  base: { ref: string; commit: string };
  applications: { env: string; service: string; status: string }[];
}

function changed(repo: TestRepo, ...args: string[]): { apps: string[]; base: JsonDiff['base']; stderr: string } {
  const r = runCli(['diff', '--format', 'json', ...args], { cwd: repo.dir });
  expect(r.exitCode, r.stderr).toBeLessThan(2);
  const json = JSON.parse(r.stdout) as JsonDiff;
  return { apps: json.applications.filter((a) => a.status !== 'unchanged').map((a) => `${a.env}/${a.service}:${a.status}`), base: json.base, stderr: r.stderr };
}

/** A branch that moves shop's prod pin, and a main that moved cart's since the branch left it. */
function divergedRepo(): { repo: TestRepo; forkPoint: string } {
  const repo = createRepo(fleetFiles());
  const forkPoint = repo.git('rev-parse', 'HEAD').trim();
  repo.git('checkout', '--quiet', '-b', 'change');
  repo.commit('shop 1.9.1 in prod', { 'services/shop/service.yaml': service('shop', 'commerce', { dev: { chart: '1.0.0', image: '2.0.0' }, prod: { chart: '1.0.0', image: '1.9.1' } }) });
  repo.git('checkout', '--quiet', 'main');
  repo.commit('cart 0.3.1 in prod, by someone else', { 'services/cart/service.yaml': service('cart', 'commerce', { dev: { chart: '1.0.0', image: '0.4.0' }, prod: { chart: '1.0.0', image: '0.3.1' } }) });
  repo.git('checkout', '--quiet', 'change');
  return { repo, forkPoint };
}

describe('gitops diff: the merge base', () => {
  it("compares with where the branch left the base, so other people's commits on it are not shown reverted", () => {
    const { repo, forkPoint } = divergedRepo();
    const r = changed(repo, '--base', 'main');
    expect(r.apps).toEqual(['prod/shop:changed']);
    expect(r.base).toEqual({ ref: 'merge base with main', commit: forkPoint });
  });

  it('takes A...B for the base and the head, as git diff does', () => {
    const { repo } = divergedRepo();
    repo.git('checkout', '--quiet', 'main');
    expect(changed(repo, '--base', 'main...change').apps).toEqual(['prod/shop:changed']);
    const both = runCli(['diff', '--base', 'main...change', '--head', 'change'], { cwd: repo.dir });
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toContain('--base main...change names the head already: drop --head change');
  });

  it('compares with the base itself with --no-merge-base', () => {
    const { repo } = divergedRepo();
    const r = changed(repo, '--base', 'main', '--no-merge-base');
    expect(r.apps).toEqual(['prod/cart:changed', 'prod/shop:changed']);
    expect(r.base.ref).toBe('main');
  });
});

describe('gitops diff --pr', () => {
  it('posts the sticky comment to the pull request it names, from an event that is not about one (workflow_run)', async () => {
    const repo = createRepo(fleetFiles());
    const event = join(repo.dir, '.event.json');
    writeFileSync(event, JSON.stringify({ workflow_run: { id: 1, pull_requests: [] } }));
    const server = await startGitHubServer();
    repo.commit('shop 1.9.1', { 'services/shop/service.yaml': service('shop', 'commerce', { dev: { chart: '1.0.0', image: '2.0.0' }, prod: { chart: '1.0.0', image: '1.9.1' } }) });
    server.reply({ body: [] }, { status: 201, body: { id: 9, body: '', html_url: 'https://github.test/acme/platform/pull/12#issuecomment-9' } });
    const env = { GITHUB_TOKEN: 'ghs_test', GITHUB_API_URL: server.url, GITHUB_REPOSITORY: 'acme/platform', GITHUB_EVENT_PATH: event };
    const r = await runCliAsync(['diff', '--base', 'HEAD~1', '--head', 'HEAD', '--pr', '12', '--comment'], { cwd: repo.dir, env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(server.requests.map((q) => `${q.method} ${q.path}`)).toEqual(['GET /repos/acme/platform/issues/12/comments', 'POST /repos/acme/platform/issues/12/comments']);
    expect(r.stderr).toContain('comment on #12: 1 created');
    const bad = await runCliAsync(['diff', '--base', 'HEAD~1', '--pr', '12abc', '--comment'], { cwd: repo.dir, env });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('expected a positive whole number, got "12abc"');
  });
});
