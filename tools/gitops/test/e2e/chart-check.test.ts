import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chartFiles, chartYaml, fleetFiles } from '../fixtures/fleet.js';
import { createRepo, type TestRepo } from '../helpers/git-repo.js';
import { startGitHubServer } from '../helpers/github-server.js';
import { runCli, runCliAsync } from '../helpers/run-cli.js';

const schemaEnv = { GITOPS_SCHEMA_DIR: join(__dirname, '..', '..', '..', '..', '..', 'shared', 'schemas') };
const LABELS = 'platform-charts/lib/templates/_labels.tpl';
const libYaml = (version: string) => `apiVersion: v2\nname: lib\ntype: library\nversion: ${version}\n`;
const webYaml = (version: string, lib = '1.0.0') => chartYaml(version).replace('version: 1.0.0\n    repository', `version: ${lib}\n    repository`);
const schema = () => JSON.parse(chartFiles['platform-charts/web/values.schema.json']!) as { properties: Record<string, { type?: string }> };

/** The fixture fleet on main, and a branch `change` to commit the pull request's change on. */
function branchRepo(): TestRepo {
  const repo = createRepo(fleetFiles());
  repo.git('checkout', '--quiet', '-b', 'change');
  return repo;
}

const check = (repo: TestRepo, args: string[] = []) => runCli(['chart', 'check', ...args], { cwd: repo.dir, env: schemaEnv });
const codes = (stderr: string) => [...stderr.matchAll(/^(\S+) (error|warning) ([A-Z_]+) /gm)].map((m) => `${m[1]} ${m[3]}`);

describe('gitops chart check', () => {
  it('passes a change that touches no chart', () => {
    const repo = branchRepo();
    repo.commit('values', { 'services/shop/values-prod.yaml': 'replicaCount: 4\n' });
    const r = check(repo);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^no chart changed since main \([0-9a-f]{12}\)$/m);
  });

  it('a library change without version bumps fails for the library and every chart built on it', () => {
    const repo = branchRepo();
    repo.commit('labels', { [LABELS]: readFileSync(join(repo.dir, LABELS), 'utf8').replace('{{- end -}}', 'app.kubernetes.io/part-of: shop\n{{- end -}}') });
    const r = check(repo);
    expect(r.exitCode).toBe(1);
    expect(codes(r.stderr)).toEqual(['platform-charts/lib/Chart.yaml:4:10 CHART_VERSION_NOT_BUMPED', 'platform-charts/web/Chart.yaml:5:10 CHART_VERSION_NOT_BUMPED']);
    expect(r.stderr).toContain('web changed since main');
    expect(r.stderr).toContain('(charts/lib/templates/_labels.tpl) but its version is still 1.0.0');
    expect(r.stderr).toContain('hint: Raise version in platform-charts/web/Chart.yaml above 1.0.0: 1.0.1 for a fix, 1.1.0 for a feature, 2.0.0 for a breaking change.');
    expect(r.stdout).toContain('web 1.0.0 (not raised): fails (1 finding)');
    expect(r.stdout).toMatch(/5 of 5 consumer Applications change with the chart at the head/);

    // Raised everywhere, the dependency and its constraint moved with it: clean.
    repo.commit('bump', { 'platform-charts/lib/Chart.yaml': libYaml('1.0.1'), 'platform-charts/web/Chart.yaml': webYaml('1.0.1', '1.0.1') });
    const fixed = check(repo);
    expect(fixed.exitCode, fixed.stderr).toBe(0);
    expect(fixed.stdout).toContain('lib 1.0.0 → 1.0.1: ok');
    expect(fixed.stdout).toContain('web 1.0.0 → 1.0.1: ok');
  });

  it('a broken library template fails the pull request at the template line, in repository paths', () => {
    const repo = branchRepo();
    repo.commit('broken', {
      [LABELS]: readFileSync(join(repo.dir, LABELS), 'utf8').replace('{{ .Values.image.tag | quote }}', '{{ .Values.image.tag.major | quote }}'),
      'platform-charts/lib/Chart.yaml': libYaml('1.1.0'),
      'platform-charts/web/Chart.yaml': webYaml('1.1.0', '1.1.0'),
      'platform-charts/web/ci/default-values.yaml': 'image:\n  repository: registry.example.com/ci/web\n  tag: "1.0.0"\n',
    });
    const r = check(repo, ['--format', 'text', '--format', 'json=check.json']);
    expect(r.exitCode).toBe(1);
    const found = codes(r.stderr);
    // helm lint, the CI values render and the consumers' renders each say where, never web/charts/lib/…
    expect(found).toContain(`${LABELS}:3:37 CHART_LINT`);
    expect(found).toContain(`${LABELS}:3:37 CHART_TEMPLATE_FAILED`);
    expect(r.stderr).toContain('web at the head does not render with ci/default-values.yaml');
    expect(r.stderr).toMatch(/web at the head does not render for 5 consumers \(blog-dev, cart-dev, cart-prod, shop-dev, shop-prod\)/);
    expect(r.stderr).not.toMatch(/web\/charts\/lib/);
    expect(r.stderr).toContain(`${LABELS}:3:37`);
    expect(r.stderr).toContain('platform-charts/web/templates/deployment.yaml:7:');
    const report = JSON.parse(readFileSync(join(repo.dir, 'check.json'), 'utf8')) as { charts: { chart: string; status: string; ciFiles: string[]; consumers?: { failing: string[] } }[] };
    expect(report.charts.map((c) => [c.chart, c.status])).toEqual([
      // The library renders nothing on its own: its templates fail in the charts built on it.
      ['lib', 'ok'],
      ['web', 'fails'],
    ]);
    expect(report.charts[1]).toMatchObject({ ciFiles: ['platform-charts/web/ci/default-values.yaml'], consumers: { failing: ['blog/dev', 'cart/dev', 'cart/prod', 'shop/dev', 'shop/prod'] } });
  });

  it('what the chart renders with its CI values is validated as a consumer render is', () => {
    const repo = branchRepo();
    const deployment = 'platform-charts/web/templates/deployment.yaml';
    // Only the CI values reach the branch: no consumer runs with environment "ci".
    repo.commit('ci-only field', {
      [deployment]: readFileSync(join(repo.dir, deployment), 'utf8').replace('  replicas: {{ .Values.replicaCount }}\n', '  replicas: {{ .Values.replicaCount }}\n{{- if eq .Values.environment "ci" }}\n  paused: "yes"\n{{- end }}\n'),
      'platform-charts/web/Chart.yaml': webYaml('1.1.0'),
      'platform-charts/web/ci/default-values.yaml': 'environment: ci\nimage:\n  repository: registry.example.com/ci/web\n  tag: "1.0.0"\n',
    });
    const r = check(repo);
    expect(r.exitCode, r.stderr).toBe(1);
    // The policy findings of this minimal chart are the next test's subject.
    expect(codes(r.stderr).filter((c) => !c.includes(' POLICY_'))).toEqual([`${deployment} MANIFEST_INVALID`]);
    expect(r.stderr).toMatch(/error MANIFEST_INVALID Deployment web \(ci\): \/spec\/paused: /);
  });

  it('what the chart renders with its CI values goes through policy at the strictest profile, without the rules that need other Applications', () => {
    const repo = branchRepo();
    const deployment = 'platform-charts/web/templates/deployment.yaml';
    const ci = 'platform-charts/web/ci/default-values.yaml';
    repo.commit('web 1.1.0', {
      [deployment]: readFileSync(join(repo.dir, deployment), 'utf8').replace('spec:\n  replicas', 'spec:\n  minReadySeconds: 5\n  replicas'),
      'platform-charts/web/Chart.yaml': webYaml('1.1.0'),
      [ci]: 'image:\n  repository: registry.example.com/ci/web\n  tag: "1.0.0"\n',
    });
    const one = check(repo);
    expect(one.exitCode, one.stderr).toBe(1);
    // prod runs the restricted profile (sandbox and dev the baseline): one replica is an error there.
    expect(one.stderr).toContain(`${deployment} error POLICY_REPLICAS_TOO_FEW web with default-values.yaml: Deployment web: runs 1 replica`);
    expect(one.stdout).toMatch(/1 CI values file, 1 render validated and through policy \(not the \d+ rules that read other Applications or AppProjects\)/);

    repo.commit('two replicas in CI', { [ci]: 'replicaCount: 2\nimage:\n  repository: registry.example.com/ci/web\n  tag: "1.0.0"\n' });
    const two = check(repo);
    const found = codes(two.stderr);
    expect(found).not.toContain(`${deployment} POLICY_REPLICAS_TOO_FEW`);
    expect(found).toContain(`${deployment} POLICY_RUN_AS_ROOT`);
    // Two pods and no budget or NetworkPolicy: a consumer's environment may hold those, a chart alone cannot tell.
    for (const code of ['POLICY_PDB_MISSING', 'POLICY_NETWORK_POLICY_MISSING', 'POLICY_PROJECT_DESTINATION_DENIED']) expect(two.stderr).not.toContain(code);
  });

  it('a breaking values.schema.json change needs a major version', () => {
    const repo = branchRepo();
    const s = schema();
    delete s.properties.environment;
    s.properties.replicaCount = { type: 'string' };
    (s.properties.image as { properties: Record<string, object> }).properties.tag = { type: 'string', pattern: '^[0-9]', maxLength: 128 };
    // image is set by the chart's own values.yaml, global is not.
    (s as Record<string, unknown>).required = ['image', 'global'];
    repo.commit('schema', { 'platform-charts/web/values.schema.json': JSON.stringify(s, null, 2), 'platform-charts/web/Chart.yaml': webYaml('1.1.0') });
    const r = check(repo);
    expect(r.exitCode).toBe(1);
    const breaking = r.stderr.split('\n').filter((l) => l.includes('CHART_SCHEMA_BREAKING'));
    expect(breaking).toEqual([
      'platform-charts/web/values.schema.json:5:17 error CHART_SCHEMA_BREAKING web 1.0.0 → 1.1.0: values.schema.json at /environment: key "environment" removed: a values file that sets it is now refused',
      'platform-charts/web/values.schema.json:30:15 error CHART_SCHEMA_BREAKING web 1.0.0 → 1.1.0: values.schema.json at /: new required key "global": a values file without it is now refused',
      'platform-charts/web/values.schema.json:13:15 error CHART_SCHEMA_BREAKING web 1.0.0 → 1.1.0: values.schema.json at /replicaCount: type narrowed from integer to string: integer no longer accepted',
      'platform-charts/web/values.schema.json:25:24 error CHART_SCHEMA_BREAKING web 1.0.0 → 1.1.0: values.schema.json at /image/tag: maxLength 128 introduced',
      'platform-charts/web/values.schema.json:24:22 error CHART_SCHEMA_BREAKING web 1.0.0 → 1.1.0: values.schema.json at /image/tag: must now match the pattern /^[0-9]/',
    ]);
    expect(r.stderr).toContain('hint: A breaking values change needs a major version: set version 2.0.0 in platform-charts/web/Chart.yaml');

    // The same change as 2.0.0 is allowed (the consumers' values still fail, as impact shows).
    repo.commit('major', { 'platform-charts/web/Chart.yaml': webYaml('2.0.0') });
    const major = check(repo);
    expect(major.stderr).not.toContain('CHART_SCHEMA_BREAKING');
    expect(major.stdout).toContain('web 1.0.0 → 2.0.0');
  });

  it('a released version never changes, also when the fix lands on the branch that raised it', () => {
    const repo = branchRepo();
    const template = readFileSync(join(repo.dir, 'platform-charts/web/templates/deployment.yaml'), 'utf8');
    const release = repo.commit('web 1.1.0', { 'platform-charts/web/Chart.yaml': webYaml('1.1.0'), 'platform-charts/web/templates/deployment.yaml': template.replace('spec:\n  replicas', 'spec:\n  minReadySeconds: 5\n  replicas') });
    repo.commit('fix under the same version', { 'platform-charts/web/templates/deployment.yaml': template.replace('spec:\n  replicas', 'spec:\n  minReadySeconds: 10\n  replicas') });
    const r = check(repo);
    expect(r.exitCode).toBe(1);
    expect(codes(r.stderr)).toEqual(['platform-charts/web/Chart.yaml:5:10 CHART_RELEASE_CHANGED']);
    expect(r.stderr).toContain(`web 1.1.0 was released at ${release.slice(0, 12)} (the first commit whose Chart.yaml carries it) and its content has changed since: templates/deployment.yaml`);
  });

  it('Chart.lock and file:// dependencies must agree with Chart.yaml', () => {
    const repo = branchRepo();
    repo.commit('lib 1.1.0, web still wants 1.0.0', {
      'platform-charts/lib/Chart.yaml': libYaml('1.1.0'),
      'platform-charts/web/Chart.yaml': webYaml('1.0.1'),
      'platform-charts/web/Chart.lock': 'dependencies:\n- name: lib\n  repository: file://../lib\n  version: 0.9.0\n- name: old\n  repository: file://../old\n  version: 1.0.0\ndigest: sha256:0\ngenerated: "2026-01-01T00:00:00Z"\n',
    });
    const r = check(repo);
    expect(r.exitCode).toBe(1);
    expect(codes(r.stderr)).toEqual(expect.arrayContaining(['platform-charts/web/Chart.yaml:8:14 CHART_DEPENDENCY_UNRESOLVED', 'platform-charts/web/Chart.lock:4:12 CHART_LOCK_MISMATCH', 'platform-charts/web/Chart.lock:5:3 CHART_LOCK_MISMATCH']));
    expect(r.stderr).toContain('web: dependency lib 1.0.0 does not resolve: platform-charts/lib is version 1.1.0');
    expect(r.stderr).toContain("web: Chart.lock locks lib at 0.9.0, which Chart.yaml's 1.0.0 does not allow");
    expect(r.stderr).toContain('web: Chart.lock locks old, which Chart.yaml no longer lists');
  });

  it('--comment puts the verdict and the blast radius in the sticky chart comment, reading the head as a commit', async () => {
    const repo = branchRepo();
    const template = readFileSync(join(repo.dir, 'platform-charts/web/templates/deployment.yaml'), 'utf8');
    repo.commit('web 1.0.1', { 'platform-charts/web/Chart.yaml': webYaml('1.0.1'), 'platform-charts/web/templates/deployment.yaml': template.replace('spec:\n  replicas', 'spec:\n  minReadySeconds: 10\n  replicas') });
    // Not committed: --head reads the commit, never the working tree.
    repo.write({ 'platform-charts/web/Chart.yaml': webYaml('1.0.0') });
    const event = join(repo.dir, '.event.json');
    writeFileSync(event, JSON.stringify({ pull_request: { number: 7 } }));
    const server = await startGitHubServer();
    server.reply({ body: [] }, { status: 201, body: { id: 501, body: '', html_url: 'https://github.test/acme/platform/pull/7#issuecomment-501' } });
    const env = { ...schemaEnv, GITHUB_TOKEN: 'ghs_test', GITHUB_API_URL: server.url, GITHUB_REPOSITORY: 'acme/platform', GITHUB_EVENT_PATH: event };
    const r = await runCliAsync(['chart', 'check', '--base', 'main', '--head', 'HEAD', '--comment', '--ignore', 'metadata.labels.helm.sh/chart'], { cwd: repo.dir, env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(server.requests.map((q) => `${q.method} ${q.path}`)).toEqual(['GET /repos/acme/platform/issues/7/comments', 'POST /repos/acme/platform/issues/7/comments']);
    const body = (server.requests[1]!.body as { body: string }).body;
    expect(body.startsWith('<!-- gitops:chart-check part:1 -->\n')).toBe(true);
    expect(body).toContain('| `web` | 1.0.0 → 1.0.1 | ok | 5 of 5 consumer Applications change with the chart at the head |');
    expect(body).toContain('<summary>web: blast radius with the chart at the head</summary>');
    expect(body).toContain('+  minReadySeconds: 10');
    expect(r.stderr).toContain('comment on #7: 1 created');
  });

  it('exits 2 for a base that does not exist', () => {
    const repo = branchRepo();
    const r = check(repo, ['--base', 'nope']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('unknown Git ref "nope"');
  });
});
