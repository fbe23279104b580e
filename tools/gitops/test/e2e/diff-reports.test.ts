import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { fleetFiles, service } from '../fixtures/fleet.js';
import { createRepo } from '../helpers/git-repo.js';
import { startGitHubServer } from '../helpers/github-server.js';
import { runCli, runCliAsync } from '../helpers/run-cli.js';

/** The fleet, then a commit that moves shop's prod image. */
function pinMoved() {
  const repo = createRepo(fleetFiles());
  repo.commit('shop 1.9.1', { 'services/shop/service.yaml': service('shop', 'commerce', { dev: { chart: '1.0.0', image: '2.0.0' }, prod: { chart: '1.0.0', image: '1.9.1' } }) });
  return repo;
}

/** A check report as `gitops check --format json` writes it (only the fields the comment reads). */
function checkReport(findings: unknown[]): string {
  return JSON.stringify({ schemaVersion: 2, command: 'check', summary: {}, results: [{ env: 'dev', status: 'valid' }, { env: 'prod', status: 'valid' }], findings });
}

it('diff takes --format name[=FILE] as the other commands do: text on stdout, JSON and Markdown to files', () => {
  const repo = pinMoved();
  mkdirSync(join(repo.dir, 'out'));
  const r = runCli(['diff', '--base', 'HEAD~1', '--head', 'HEAD', '--format', 'text', '--format', 'json=out/diff.json', '--format', 'markdown=out/diff.md'], { cwd: repo.dir });
  expect(r.exitCode, r.stderr).toBe(0);
  expect(r.stdout).toContain('=== prod/shop (shop-prod): changed');
  const json = JSON.parse(readFileSync(join(repo.dir, 'out/diff.json'), 'utf8')) as { schemaVersion: number; command: string; applications: { name: string; status: string }[]; findings: unknown[] };
  expect(json.schemaVersion).toBe(2);
  expect(json.command).toBe('diff');
  expect(json.applications.map((a) => `${a.name}: ${a.status}`)).toEqual(['shop-prod: changed']);
  expect(json.findings).toEqual([]);
  expect(readFileSync(join(repo.dir, 'out/diff.md'), 'utf8')).toContain('<b>prod/shop</b> (shop-prod): changed');

  // Only JSON asked for: it is the one report on stdout.
  const only = runCli(['diff', '--base', 'HEAD~1', '--head', 'HEAD', '--format', 'json'], { cwd: repo.dir });
  expect(only.exitCode, only.stderr).toBe(0);
  expect((JSON.parse(only.stdout) as { command: string }).command).toBe('diff');
});

it('diff refuses two reports on stdout and a report directory that does not exist, before rendering anything', () => {
  const repo = pinMoved();
  const two = runCli(['diff', '--base', 'HEAD~1', '--format', 'text', '--format', 'markdown'], { cwd: repo.dir });
  expect(two.exitCode).toBe(2);
  expect(two.stderr).toContain('only one report can go to stdout (text, markdown)');
  const missing = runCli(['diff', '--base', 'HEAD~1', '--format', 'markdown=reports/diff.md'], { cwd: repo.dir });
  expect(missing.exitCode).toBe(2);
  expect(missing.stderr).toContain('OUTPUT_DIR_MISSING: --format markdown=reports/diff.md: the directory <root>/reports does not exist');
  expect(existsSync(join(repo.dir, 'reports'))).toBe(false);
});

it('the PR comment shows the check results per environment beside the rendered diff; untrusted text cannot format it', async () => {
  const repo = pinMoved();
  const event = join(repo.dir, '.event.json');
  writeFileSync(event, JSON.stringify({ pull_request: { number: 7 } }));
  const hostile = 'bad ```\n</details> @everyone <img src=x>';
  writeFileSync(
    join(repo.dir, '.check.json'),
    checkReport([
      { code: 'POLICY_HPA_MIN_REPLICAS', severity: 'error', message: 'HorizontalPodAutoscaler shop: minReplicas is 1', env: 'prod', location: { file: 'services/shop/values-prod.yaml', line: 4, column: 16 } },
      { code: 'VALUES_YAML11', severity: 'warning', message: hostile, env: 'prod' },
      { code: 'not a code', severity: 'error', message: 'dropped: not of the report shape', env: 'prod' },
      { code: 'CODEOWNERS_MISSING', severity: 'warning', message: 'no CODEOWNERS file' },
    ]),
  );
  const server = await startGitHubServer();
  const env = { GITHUB_TOKEN: 'ghs_test', GITHUB_API_URL: server.url, GITHUB_REPOSITORY: 'acme/platform', GITHUB_EVENT_PATH: event };
  server.reply({ body: [] }, { status: 201, body: { id: 501, body: '', html_url: 'https://github.test/acme/platform/pull/7#issuecomment-501' } });
  const r = await runCliAsync(['diff', '--base', 'HEAD~1', '--head', 'HEAD', '--check-report', '.check.json', '--format', 'markdown=.comment.md', '--comment'], { cwd: repo.dir, env });
  expect(r.exitCode, r.stderr).toBe(0);
  const body = (server.requests[1]!.body as { body: string }).body;
  const checks = body.indexOf('### Checks per environment');
  const diff = body.indexOf('<b>prod/shop</b> (shop-prod): changed');
  expect(checks).toBeGreaterThan(0);
  expect(diff).toBeGreaterThan(checks);
  expect(body).toContain('| dev | ✅ passed |');
  expect(body).toContain('| prod | ❌ 1 error, 1 warning |');
  expect(body).toContain('| repository | ⚠️ 1 warning |');
  expect(body).toContain('services/shop/values-prod.yaml:4 error POLICY_HPA_MIN_REPLICAS HorizontalPodAutoscaler shop: minReplicas is 1');
  expect(body).not.toContain('dropped');
  // The hostile message sits inside a fence longer than its backticks, on one line.
  expect(body).toContain('````text\nservices/shop/values-prod.yaml:4 error POLICY_HPA_MIN_REPLICAS');
  expect(body).toContain('warning VALUES_YAML11 bad ``` </details> @everyone <img src=x>\n````');
  expect(readFileSync(join(repo.dir, '.comment.md'), 'utf8')).toContain('### Checks per environment');
});

it('diff --check-report names a file that is missing or not a check report, before rendering', () => {
  const repo = pinMoved();
  const missing = runCli(['diff', '--base', 'HEAD~1', '--check-report', 'nope.json'], { cwd: repo.dir });
  expect(missing.exitCode).toBe(2);
  expect(missing.stderr).toContain('--check-report nope.json: no such file');
  writeFileSync(join(repo.dir, 'other.json'), JSON.stringify({ schemaVersion: 1, command: 'diff', findings: [] }));
  const other = runCli(['diff', '--base', 'HEAD~1', '--check-report', 'other.json'], { cwd: repo.dir });
  expect(other.exitCode).toBe(2);
  expect(other.stderr).toContain('--check-report other.json: not a JSON report of gitops check');
});
