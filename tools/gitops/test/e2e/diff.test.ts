import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chartYaml, fleetFiles, service } from '../fixtures/fleet.js';
import { createRepo, type TestRepo } from '../helpers/git-repo.js';
import { runCli } from '../helpers/run-cli.js';

interface JsonDiff {
  schemaVersion: number;
  summary: { applications: Record<string, number> };
  applications: { service: string; env: string; name: string; status: string; resources: { kind: string; name: string; status: string; diff: string; secretChanges?: unknown[] }[] }[];
}

function diffJson(repo: TestRepo, ...args: string[]): { json: JsonDiff; stderr: string } {
  const r = runCli(['diff', '--format', 'json', ...args], { cwd: repo.dir });
  expect(r.exitCode, r.stderr).toBe(0);
  return { json: JSON.parse(r.stdout) as JsonDiff, stderr: r.stderr };
}

const changedApps = (json: JsonDiff) => json.applications.filter((a) => a.status !== 'unchanged').map((a) => `${a.env}/${a.service}:${a.status}`);

/** The fixture fleet whose chart also renders a Secret from values. */
function fleetWithSecret(): Record<string, string> {
  const files = fleetFiles();
  const schema = JSON.parse(files['platform-charts/web/values.schema.json']!) as { properties: Record<string, unknown> };
  schema.properties.credentials = { type: 'object', additionalProperties: { type: 'string' } };
  files['platform-charts/web/values.schema.json'] = JSON.stringify(schema, null, 2);
  files['platform-charts/web/templates/secret.yaml'] = `{{- with .Values.credentials }}
apiVersion: v1
kind: Secret
metadata:
  name: {{ $.Release.Name }}-credentials
data:
  {{- range $k, $v := . }}
  {{ $k }}: {{ $v | b64enc }}
  {{- end }}
{{- end }}
`;
  files['services/shop/values.yaml'] += 'credentials:\n  username: shop\n  password: s3cr3t-v4lue\n';
  return files;
}

describe('gitops diff', () => {
  it('shows exactly the Application whose pin moved, with the new image tag', () => {
    const repo = createRepo(fleetFiles());
    repo.write({ 'services/shop/service.yaml': service('shop', 'commerce', { dev: { chart: '1.0.0', image: '2.0.0' }, prod: { chart: '1.0.0', image: '1.9.1' } }) });
    const { json, stderr } = diffJson(repo, '--base', 'main');
    expect(json.schemaVersion).toBe(2);
    // Only the prod Application can change: dev's inputs are the same bytes, so it is not even rendered.
    expect(json.applications.map((a) => a.name)).toEqual(['shop-prod']);
    expect(changedApps(json)).toEqual(['prod/shop:changed']);
    const deployment = json.applications[0]!.resources.find((r) => r.kind === 'Deployment')!;
    expect(deployment.status).toBe('changed');
    expect(deployment.diff).toContain('-        - image: registry.example.com/commerce/shop:1.9.0');
    expect(deployment.diff).toContain('+        - image: registry.example.com/commerce/shop:1.9.1');
    expect(stderr).toContain('1 changed, 0 added, 0 removed, 0 failed, 0 unchanged of 1 affected applications');
  });

  it('reports no change for a comment-only edit or a chart release no pin uses yet', () => {
    const repo = createRepo(fleetFiles());
    const values = readFileSync(join(repo.dir, 'services/shop/values.yaml'), 'utf8');
    const template = readFileSync(join(repo.dir, 'platform-charts/web/templates/deployment.yaml'), 'utf8');
    repo.commit('comment and a new chart version', {
      'services/shop/values.yaml': `# Owned by the commerce team.\n${values}`,
      'platform-charts/web/Chart.yaml': chartYaml('1.1.0'),
      'platform-charts/web/templates/deployment.yaml': template.replace('spec:\n  replicas', 'spec:\n  minReadySeconds: 5\n  replicas'),
    });
    const { json } = diffJson(repo, '--base', 'HEAD~1', '--head', 'HEAD');
    expect(changedApps(json)).toEqual([]);
    expect(json.summary.applications).toMatchObject({ changed: 0, added: 0, removed: 0 });
  });

  it('shows Applications added and removed when pins or an ApplicationSet change', () => {
    const repo = createRepo(fleetFiles());
    repo.write({
      'services/blog/service.yaml': service('blog', 'content', { dev: { chart: '1.0.0', image: '0.1.0' }, prod: { chart: '1.0.0', image: '0.1.0' } }),
      'services/cart/service.yaml': service('cart', 'commerce', { dev: { chart: '1.0.0', image: '0.4.0' } }),
    });
    const { json } = diffJson(repo, '--base', 'main');
    expect(changedApps(json)).toEqual(['prod/blog:added', 'prod/cart:removed']);
    const added = json.applications.find((a) => a.name === 'blog-prod')!;
    expect(added.resources.map((r) => `${r.kind}/${r.name}:${r.status}`)).toEqual(['Deployment/blog:added']);
  });

  it('names the changed keys of a Secret and never shows a value', () => {
    const repo = createRepo(fleetWithSecret());
    const values = readFileSync(join(repo.dir, 'services/shop/values.yaml'), 'utf8');
    repo.write({ 'services/shop/values.yaml': values.replace('s3cr3t-v4lue', 'an0ther-s3cr3t-value') });
    const r = runCli(['diff', '--base', 'main', '--env', 'prod'], { cwd: repo.dir });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('--- Secret commerce/shop-credentials: changed');
    expect(r.stdout).toContain('data.password: changed (12 → 20 bytes)');
    expect(r.stdout).not.toContain('username: changed');
    for (const secret of ['s3cr3t-v4lue', 'an0ther-s3cr3t-value', Buffer.from('s3cr3t-v4lue').toString('base64'), Buffer.from('an0ther-s3cr3t-value').toString('base64')]) {
      expect(r.stdout).not.toContain(secret);
    }
  });

  it('hides ignored fields, which then count as no change', () => {
    const repo = createRepo(fleetFiles());
    repo.write({ 'services/shop/service.yaml': service('shop', 'commerce', { dev: { chart: '1.0.0', image: '2.0.0' }, prod: { chart: '1.0.0', image: '1.9.1' } }) });
    const { json } = diffJson(repo, '--base', 'main', '--ignore', 'metadata.labels.app.kubernetes.io/version', '--ignore', 'spec.template.spec.containers');
    expect(changedApps(json)).toEqual([]);
  });

  it('keeps going when one side fails to render, and says which', () => {
    const repo = createRepo(fleetFiles());
    repo.write({ 'services/shop/values-prod.yaml': 'replicaCount: lots\n', 'services/cart/service.yaml': service('cart', 'commerce', { dev: { chart: '1.0.0', image: '0.4.1' }, prod: { chart: '1.0.0', image: '0.3.0' } }) });
    const r = runCli(['diff', '--base', 'main'], { cwd: repo.dir });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('=== prod/shop (shop-prod): error');
    expect(r.stdout).toContain('head: HELM_TEMPLATE_FAILED');
    expect(r.stdout).toContain('=== dev/cart (cart-dev): changed');
  });

  it('renders Markdown for the pull request: a table per environment and a section per Application', () => {
    const repo = createRepo(fleetFiles());
    repo.write({ 'services/shop/service.yaml': service('shop', 'commerce', { dev: { chart: '1.0.0', image: '2.0.1' }, prod: { chart: '1.0.0', image: '1.9.1' } }) });
    const r = runCli(['diff', '--base', 'main', '--format', 'markdown'], { cwd: repo.dir });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('| dev | 1 | 0 | 0 | 0 | 0 |\n| prod | 1 | 0 | 0 | 0 | 0 |');
    expect(r.stdout).toContain('<details><summary><b>prod/shop</b> (shop-prod): changed, 1 resource</summary>');
    expect(r.stdout.match(/^```/gm)?.length ?? 0).toBe(4);
  });

  it('says how to fetch a base that a shallow clone does not have', () => {
    const repo = createRepo(fleetFiles());
    repo.commit('second', { 'services/shop/values-prod.yaml': 'replicaCount: 4\n' });
    const clone = join(repo.dir, 'shallow');
    repo.git('clone', '--quiet', '--depth', '1', `file://${repo.dir}`, clone);
    const r = runCli(['diff', '--base', 'HEAD~1'], { cwd: clone });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('unknown Git ref "HEAD~1"');
    expect(r.stderr).toContain('This clone is shallow: `git fetch --unshallow origin`');
  });

  it('exits 2 for an unknown base ref', () => {
    const repo = createRepo(fleetFiles());
    const r = runCli(['diff', '--base', 'no-such-branch'], { cwd: repo.dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('GIT_REF_UNKNOWN: unknown Git ref "no-such-branch"');
  });
});

describe('gitops diff from before the repository layout existed', () => {
  it('shows every Application as added', () => {
    const repo = createRepo({ 'README.md': 'platform\n' });
    repo.commit('the layout', fleetFiles());
    const { json } = diffJson(repo, '--base', 'HEAD~1', '--head', 'HEAD');
    expect(changedApps(json)).toEqual(['dev/blog:added', 'dev/cart:added', 'dev/shop:added', 'prod/cart:added', 'prod/shop:added']);
  });
});
