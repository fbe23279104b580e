import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { baseFiles, goodObjects, policy, serviceFiles, type Objects } from '../fixtures/policy/fleet.js';
import { createRepo } from '../helpers/git-repo.js';
import { runCli, toolRoot } from '../helpers/run-cli.js';

const repoRoot = join(toolRoot, '..', '..');

function oneReplica(): Objects {
  const o = goodObjects('single', 'shop');
  delete o.hpa;
  o.deployment.spec.replicas = 1;
  return o;
}

describe('gitops policy', () => {
  it('passes a service in dev (baseline) that fails in prod (restricted)', () => {
    const repo = createRepo({ ...baseFiles(), ...serviceFiles({ name: 'single', objects: oneReplica(), envs: ['dev', 'prod'] }) });

    const dev = runCli(['policy', '--env', 'dev'], { cwd: repo.dir });
    expect(dev.exitCode, dev.stdout + dev.stderr).toBe(0);
    expect(dev.stdout).toBe('');
    expect(dev.stderr).toMatch(/^policy: 1\/1 applications checked against \d+ rules: no findings in [\d.]+s$/m);

    const prod = runCli(['policy', '--env', 'prod'], { cwd: repo.dir });
    expect(prod.exitCode).toBe(1);
    // Reported at the values line that set the field, the template named after the message.
    expect(prod.stdout).toMatch(
      /^services\/single\/values\.yaml:\d+:\d+ error POLICY_REPLICAS_TOO_FEW single-prod: Deployment single: runs 1 replica \(rendered by platform-charts\/objects\/templates\/objects\.yaml\)\n {2}hint: Set replicas: 2 or more, or enable autoscaling with minReplicas ≥ 2: one pod means downtime at every rollout, node drain and crash\.\n$/,
    );
    expect(prod.stderr).toMatch(/^policy: 1\/1 applications checked against \d+ rules: 1 error in [\d.]+s$/m);
  });

  it('names the Application, the object and the JSON pointer of the offending field', () => {
    const o = goodObjects('api', 'shop');
    o.deployment.spec.template.spec.containers[0].image = 'registry.example.com/shop/api:latest';
    const repo = createRepo({ ...baseFiles(), ...serviceFiles({ name: 'api', objects: o }) });
    const r = policy(repo);
    expect(r.exitCode).toBe(1);
    expect(r.findings).toEqual([
      {
        code: 'POLICY_IMAGE_NOT_PINNED',
        severity: 'error',
        message: 'api-prod: Deployment api: container app image "registry.example.com/shop/api:latest" uses the moving tag :latest (rendered by platform-charts/objects/templates/objects.yaml)',
        hint: expect.stringContaining('Pin the image'),
        location: { file: 'services/api/values.yaml', line: expect.any(Number), column: expect.any(Number) },
        application: 'api-prod',
        env: 'prod',
        service: 'api',
        resource: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api', namespace: 'shop', file: 'prod/api.yaml', pointer: '/spec/template/spec/containers/0/image' },
      },
    ]);
  });

  it('reports only the selected service, but checks it against the whole environment', () => {
    const callee = goodObjects('callee', 'shop');
    callee.authorizationpolicy.spec.rules[0].from[0].source.principals = ['cluster.local/ns/shop/sa/caller'];
    const caller = goodObjects('caller', 'shop');
    caller.deployment.spec.template.spec.containers[0].image = 'registry.example.com/shop/caller';
    const repo = createRepo({ ...baseFiles(), ...serviceFiles({ name: 'callee', objects: callee }), ...serviceFiles({ name: 'caller', objects: caller }) });

    const one = policy(repo, ['--service', 'callee']);
    expect(one.exitCode, one.stderr).toBe(0);
    expect(one.findings).toEqual([]);
    expect(one.summary).toMatch(/^policy: 1\/1 applications checked/);

    const all = policy(repo);
    expect(all.exitCode).toBe(1);
    expect(all.findings.map((f) => `${f.service} ${f.code}`)).toEqual(['caller POLICY_IMAGE_NOT_PINNED']);
  });

  it('fails an Application that does not render: a failed render is not a pass', () => {
    const files = { ...baseFiles(), ...serviceFiles({ name: 'broken', objects: goodObjects('broken', 'shop') }) };
    files['services/broken/service.yaml'] = files['services/broken/service.yaml']!.replace('chart: 1.0.0', 'chart: 9.9.9');
    const r = policy(createRepo(files));
    expect(r.exitCode).toBe(1);
    expect(r.findings.map((f) => [f.code, f.severity, f.application])).toEqual([['CHART_VERSION_UNRELEASED', 'error', 'broken-prod']]);
    expect(r.summary).toMatch(/^policy: 0\/1 applications checked/);
  });

  it('exits 2 on an unknown environment or a malformed GITOPS_TODAY', () => {
    const repo = createRepo({ ...baseFiles(), ...serviceFiles({ name: 'api', objects: goodObjects('api', 'shop') }) });
    const env = runCli(['policy', '--env', 'qa'], { cwd: repo.dir });
    expect(env.exitCode).toBe(2);
    expect(env.stderr).toContain('error ENV_UNKNOWN: --env qa: no such environment');
    const today = runCli(['policy'], { cwd: repo.dir, env: { GITOPS_TODAY: '2027-02-30' } });
    expect(today.exitCode).toBe(2);
    expect(today.stderr).toContain('GITOPS_TODAY=2027-02-30 is not a date');
  });
});

describe('the example fleet', () => {
  it('passes the policy of every environment profile, with no waiver it does not need', () => {
    const profiles = new Set(
      readdirSync(join(repoRoot, 'environments'), { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => (parse(readFileSync(join(repoRoot, 'environments', e.name, 'environment.yaml'), 'utf8')) as { policyProfile: string }).policyProfile),
    );
    expect([...profiles].sort()).toEqual(['baseline', 'restricted']);

    // A fixed date keeps the suite deterministic; `gitops check` in CI judges the waivers against the real one.
    const r = runCli(['policy', '--format', 'json'], { cwd: repoRoot, env: { GITOPS_TODAY: '2026-11-24' } });
    const findings = (JSON.parse(r.stdout) as { findings: { code: string; message: string }[] }).findings;
    // Empty: no violation, and no WAIVER_UNUSED or WAIVER_EXPIRED either.
    expect(findings.map((f) => `${f.code} ${f.message}`)).toEqual([]);
    expect(r.exitCode).toBe(0);
    const apps = readdirSync(join(repoRoot, 'services')).reduce((n, name) => n + Object.keys((parse(readFileSync(join(repoRoot, 'services', name, 'service.yaml'), 'utf8')) as { releases: object }).releases).length, 0);
    expect(r.stderr).toMatch(new RegExp(`policy: ${apps}/${apps} applications checked against \\d+ rules: no findings, \\d+ waived`));
  });
});
