import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chartYaml, fleetFiles, service } from '../fixtures/fleet.js';
import { exampleFleetRepo, schemaDir } from '../fixtures/example-fleet.js';
import { createRepo } from '../helpers/git-repo.js';
import { runCli } from '../helpers/run-cli.js';

const template = (dir: string) => readFileSync(join(dir, 'platform-charts/web/templates/deployment.yaml'), 'utf8');
const schemaEnv = { GITOPS_SCHEMA_DIR: join(__dirname, '..', '..', '..', '..', '..', 'shared', 'schemas') };

describe('gitops chart impact', () => {
  it('renders every consumer at its pin and with the chart at HEAD, before any release', () => {
    const repo = createRepo(fleetFiles());
    // A template change on the branch, no version bump yet: nothing pinned changes, impact shows what would.
    repo.write({ 'platform-charts/web/templates/deployment.yaml': template(repo.dir).replace('spec:\n  replicas', 'spec:\n  minReadySeconds: 10\n  replicas') });
    const r = runCli(['chart', 'impact', 'web', '--format', 'text', '--format', 'json=impact.json'], { cwd: repo.dir, env: schemaEnv });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('web HEAD: 5 of 5 Applications change');
    expect(r.stdout).toMatch(/^shop\/prod\s+1\.0\.0\s+changed \(1 resources\)$/m);
    expect(r.stdout).toContain('+  minReadySeconds: 10');
    const report = JSON.parse(readFileSync(join(repo.dir, 'impact.json'), 'utf8')) as { summary: { applications: number; changed: number; failing: number }; applications: { name: string; status: string }[] };
    expect(report.summary).toMatchObject({ applications: 5, changed: 5, failing: 0 });
    // The render of the pinned version is untouched.
    expect(runCli(['render', '--env', 'prod', '--service', 'shop'], { cwd: repo.dir }).stdout).not.toContain('minReadySeconds');
  });

  it('names the Applications a chart change would break, and only what the change breaks', () => {
    const repo = createRepo(fleetFiles());
    repo.write({ 'platform-charts/web/templates/deployment.yaml': template(repo.dir).replace('spec:\n  replicas', 'spec:\n  minReadySecond: 10\n  replicas') });
    const r = runCli(['chart', 'impact', 'web', '--env', 'prod'], { cwd: repo.dir, env: schemaEnv });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('web HEAD: 2 of 2 Applications change, 2 fail validation (cart/prod, shop/prod)');
    expect(r.stderr).toMatch(/MANIFEST_INVALID .*minReadySecond/);
  });

  it('a consumer the head breaks fails alone: its callers are not blamed for what it no longer renders', { timeout: 600_000 }, () => {
    const repo = exampleFleetRepo();
    // The head stops rendering api-gateway; the AuthorizationPolicies that admit its ServiceAccount stay as they are.
    repo.write({ 'platform-charts/microservice/templates/zz-gateway-only.yaml': '{{- if eq .Release.Name "api-gateway" }}{{ fail "api-gateway is not supported" }}{{ end }}\n' });
    const r = runCli(['chart', 'impact', 'microservice', '--env', 'prod', '--format', 'json=impact.json'], { cwd: repo.dir, env: { GITOPS_SCHEMA_DIR: schemaDir, GITOPS_TODAY: '2026-11-24' } });
    expect(r.exitCode, r.stderr).toBe(1);
    const report = JSON.parse(readFileSync(join(repo.dir, 'impact.json'), 'utf8')) as { applications: { service: string; status: string; failing: string[] }[] };
    const failing = report.applications.filter((a) => a.status === 'fails');
    expect(failing.map((a) => [a.service, a.failing])).toEqual([['api-gateway', ['render']]]);
    expect(r.stderr).toContain('microservice HEAD: 7 of 7 Applications change, 1 fail to render (api-gateway/prod)');
    const failed = r.stderr.split('\n').filter((l) => l.includes(' HELM_TEMPLATE_FAILED '));
    expect(failed).toEqual([expect.stringMatching(/^platform-charts\/microservice\/templates\/zz-gateway-only\.yaml:1:43 error HELM_TEMPLATE_FAILED api-gateway-prod: helm template failed: execution error at \(platform-charts\/microservice\/templates\/zz-gateway-only\.yaml:1:43\): api-gateway is not supported$/)]);
  });

  it('moves the pins to a released version with --chart-version', () => {
    const repo = createRepo(fleetFiles());
    repo.commit('web 1.1.0', { 'platform-charts/web/Chart.yaml': chartYaml('1.1.0'), 'platform-charts/web/templates/deployment.yaml': template(repo.dir).replace('spec:\n  replicas', 'spec:\n  paused: false\n  replicas') });
    repo.commit('shop prod on 1.1.0', { 'services/shop/service.yaml': service('shop', 'commerce', { dev: { chart: '1.0.0', image: '2.0.0' }, prod: { chart: '1.1.0', image: '1.9.0' } }) });
    const r = runCli(['chart', 'impact', 'web', '--chart-version', '1.1.0', '--env', 'prod'], { cwd: repo.dir, env: schemaEnv });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^cart\/prod\s+1\.0\.0\s+changed/m);
    expect(r.stdout).toMatch(/^shop\/prod\s+1\.1\.0\s+unchanged$/m);
  });

  it('exits 2 for a chart that does not exist', () => {
    const repo = createRepo(fleetFiles());
    const r = runCli(['chart', 'impact', 'webb'], { cwd: repo.dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('there is no chart webb');
    expect(r.stderr).toContain('Charts: lib, web.');
  });
});

describe('gitops chart usage', () => {
  it('shows who pins which version where, the versions no one pins, and who is behind', () => {
    const repo = createRepo(fleetFiles());
    const first = repo.git('rev-parse', 'HEAD').trim().slice(0, 12);
    const second = repo.commit('web 1.1.0', { 'platform-charts/web/Chart.yaml': chartYaml('1.1.0') }).slice(0, 12);
    repo.commit('web 1.2.0', { 'platform-charts/web/Chart.yaml': chartYaml('1.2.0') });
    repo.commit('shop prod on 1.1.0', { 'services/shop/service.yaml': service('shop', 'commerce', { dev: { chart: '1.0.0', image: '2.0.0' }, prod: { chart: '1.1.0', image: '1.9.0' } }) });
    const r = runCli(['chart', 'usage'], { cwd: repo.dir });
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('web (newest 1.2.0)');
    expect(lines[1]).toMatch(/^  1\.2\.0 +[0-9a-f]{12}  pinned nowhere$/);
    expect(lines[2]).toBe(`  1.1.0      ${second}  prod: shop`);
    expect(lines[3]).toBe(`  1.0.0      ${first}  dev: blog, cart, shop; prod: cart`);
    expect(lines[4]).toBe('  behind 1.2.0: blog/dev (1.0.0), cart/dev (1.0.0), cart/prod (1.0.0), shop/dev (1.0.0), shop/prod (1.1.0)');
    expect(r.stderr).toContain('pinned nowhere: web 1.2.0');
  });
});
