import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chartYaml, fleetFiles, service } from '../fixtures/fleet.js';
import { createRepo, type TestRepo } from '../helpers/git-repo.js';
import { runCli, tempCache } from '../helpers/run-cli.js';

/** Reads every file under dir as { relativePath: text }. */
function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (sub: string) => {
    for (const entry of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(rel);
      else out[rel] = readFileSync(join(dir, rel), 'utf8');
    }
  };
  walk('');
  return out;
}

function render(repo: TestRepo, ...args: string[]) {
  return runCli(['render', ...args], { cwd: repo.dir });
}

/** The `# helm template …` header line of one Application in stdout. */
function commandLine(stdout: string, app: string): string | undefined {
  const lines = stdout.split('\n');
  const at = lines.findIndex((l) => l.startsWith(`# ${app}: `));
  return at >= 0 ? lines[at + 1]?.replace(/^# /, '') : undefined;
}

describe('gitops render', () => {
  it("runs the helm command line Argo CD builds from the ApplicationSet", () => {
    const repo = createRepo(fleetFiles());
    const r = render(repo, '--show-command');
    expect(r.exitCode, r.stderr).toBe(0);
    // Release name from helm.releaseName, namespace from the destination, the cluster's kube
    // version and API versions, value files in ApplicationSet order (environment, service,
    // service-in-environment; missing ones skipped), the forced-string parameter as --set-string.
    expect(commandLine(r.stdout, 'prod/shop')).toBe(
      'helm template . --name-template shop --namespace commerce --kube-version 1.34.0 --set-string image.tag=1.9.0 ' +
        '--values environments/prod/values.yaml --values services/shop/values.yaml --values services/shop/values-prod.yaml ' +
        '--api-versions networking.istio.io/v1 --api-versions networking.istio.io/v1/VirtualService --include-crds',
    );
    expect(commandLine(r.stdout, 'dev/cart')).toBe(
      'helm template . --name-template cart --namespace commerce --kube-version 1.34.0 --set-string image.tag=0.4.0 ' +
        '--values environments/dev/values.yaml --values services/cart/values.yaml --include-crds',
    );
    // What helm saw: the capabilities and the merged values, later files winning.
    expect(r.stdout).toContain('kube-version: "v1.34.0"');
    expect(r.stdout).toMatch(/name: shop\n {2}namespace: commerce[\s\S]*mesh: "true"\n {4}environment: "prod"\nspec:\n {2}replicas: 3/);
  });

  it('applies parameters with Argo CD build environment variables and comma escaping, and the inline values last', () => {
    const repo = createRepo(fleetFiles());
    const appset = readFileSync(join(repo.dir, 'argocd/applicationsets/prod.yaml'), 'utf8')
      .replace(
        "                forceString: true\n",
        "                forceString: true\n              - name: environment\n                value: 'ns=$ARGOCD_APP_NAMESPACE,app=${ARGOCD_APP_NAME}'\n            valuesObject:\n              replicaCount: 7\n",
      );
    repo.commit('parameters', { 'argocd/applicationsets/prod.yaml': appset });
    const r = render(repo, '--env', 'prod', '--service', 'shop', '--show-command');
    expect(r.exitCode, r.stderr).toBe(0);
    const line = commandLine(r.stdout, 'prod/shop')!;
    expect(line).toContain('--set environment=ns=commerce\\,app=shop-prod --set-string image.tag=1.9.0');
    expect(line).toMatch(/--values services\/shop\/values-prod\.yaml --values <inline values> --api-versions/);
    expect(r.stdout).toContain('environment: "ns=commerce,app=shop-prod"');
    expect(r.stdout).toContain('replicas: 7');
  });

  it('renders nothing for a service absent from an environment', () => {
    const repo = createRepo(fleetFiles());
    const out = join(repo.dir, 'out');
    const r = render(repo, '--out', out);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(Object.keys(readTree(out)).sort()).toEqual(['.gitops-render', 'dev/blog.yaml', 'dev/cart.yaml', 'dev/shop.yaml', 'prod/cart.yaml', 'prod/shop.yaml']);
    const prodOnly = render(repo, '--env', 'prod', '--service', 'blog');
    expect(prodOnly.exitCode, prodOnly.stderr).toBe(0);
    expect(prodOnly.stdout).toBe('');
    expect(prodOnly.stderr).toContain('rendered 0/0 applications');
  });

  it('gives the same bytes on every run, from the cache or not', () => {
    const repo = createRepo(fleetFiles());
    const cache = tempCache();
    const cold = runCli(['render', '--out', join(repo.dir, 'a')], { cwd: repo.dir, cacheDir: cache });
    const warm = runCli(['render', '--out', join(repo.dir, 'b')], { cwd: repo.dir, cacheDir: cache });
    const fresh = runCli(['render', '--out', join(repo.dir, 'c')], { cwd: repo.dir });
    for (const r of [cold, warm, fresh]) expect(r.exitCode, r.stderr).toBe(0);
    expect(warm.stderr).toContain('(5 from cache)');
    expect(readTree(join(repo.dir, 'b'))).toEqual(readTree(join(repo.dir, 'a')));
    expect(readTree(join(repo.dir, 'c'))).toEqual(readTree(join(repo.dir, 'a')));
    expect(runCli(['render'], { cwd: repo.dir, cacheDir: cache }).stdout).toBe(runCli(['render'], { cwd: repo.dir }).stdout);
  });

  it('renders the chart version a pin names: a pin move changes the render, a chart edit alone does not', () => {
    const repo = createRepo(fleetFiles());
    const before = render(repo, '--env', 'prod', '--service', 'shop');
    expect(before.exitCode, before.stderr).toBe(0);

    // A new chart release on main: consumers pinned to 1.0.0 keep rendering 1.0.0.
    const template = readFileSync(join(repo.dir, 'platform-charts/web/templates/deployment.yaml'), 'utf8');
    const released = template.replace('spec:\n  replicas', 'spec:\n  minReadySeconds: 10\n  replicas');
    repo.commit('web 1.1.0', { 'platform-charts/web/Chart.yaml': chartYaml('1.1.0'), 'platform-charts/web/templates/deployment.yaml': released });
    const afterRelease = render(repo, '--env', 'prod', '--service', 'shop');
    expect(afterRelease.stdout).toBe(before.stdout);

    const pins = { dev: { chart: '1.0.0', image: '2.0.0' }, prod: { chart: '1.1.0', image: '1.9.0' } };
    repo.commit('shop prod to web 1.1.0', { 'services/shop/service.yaml': service('shop', 'commerce', pins) });
    const moved = render(repo, '--env', 'prod', '--service', 'shop');
    expect(moved.exitCode, moved.stderr).toBe(0);
    expect(moved.stdout).not.toBe(before.stdout);
    expect(moved.stdout).toContain('minReadySeconds: 10');
    expect(moved.stdout).toContain('chart web 1.1.0 from registry.example.com/charts (rebuilt from ');
    // cart still pins 1.0.0.
    expect(render(repo, '--env', 'prod', '--service', 'cart').stdout).not.toContain('minReadySeconds');
  });

  it('renders a version as the first commit that carried it: an edit without a bump and a misplaced tag change nothing', () => {
    const repo = createRepo(fleetFiles());
    const released = repo.git('rev-parse', 'HEAD').trim();
    const template = readFileSync(join(repo.dir, 'platform-charts/web/templates/deployment.yaml'), 'utf8');
    // Edited without a version bump: 1.0.0 is still what the first commit carrying it released.
    repo.commit('edit without bump', { 'platform-charts/web/templates/deployment.yaml': template.replace('spec:\n  replicas', 'spec:\n  paused: false\n  replicas') });
    const byHistory = render(repo, '--env', 'dev', '--service', 'blog');
    expect(byHistory.exitCode, byHistory.stderr).toBe(0);
    expect(byHistory.stdout).not.toContain('paused');
    expect(byHistory.stdout).toContain(`(rebuilt from ${released.slice(0, 12)})`);
    // Tags are for people: one on the edited commit does not redefine the release.
    repo.tag('web-1.0.0');
    const byTag = render(repo, '--env', 'dev', '--service', 'blog');
    expect(byTag.stdout).toBe(byHistory.stdout);
  });

  it('renders a chart whose file:// dependency lies outside its parent directory, as in Argo CD\'s checkout', () => {
    const files = fleetFiles();
    const moved: Record<string, string | null> = {};
    for (const [path, text] of Object.entries(files)) {
      if (path.startsWith('platform-charts/lib/')) {
        moved[path] = null;
        moved[path.replace('platform-charts/lib/', 'shared-libs/lib/')] = text;
      }
    }
    const repo = createRepo({ ...files, ...moved, 'platform-charts/web/Chart.yaml': chartYaml('1.0.0').replace('file://../lib', 'file://../../shared-libs/lib') } as Record<string, string>);
    const r = render(repo, '--env', 'dev', '--service', 'blog');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('app.kubernetes.io/name: blog');

    repo.commit('escape', { 'platform-charts/web/Chart.yaml': chartYaml('1.1.0').replace('file://../lib', 'file://../../../outside') });
    repo.commit('pin', { 'services/blog/service.yaml': service('blog', 'content', { dev: { chart: '1.1.0', image: '0.1.0' } }) });
    const escaped = render(repo, '--env', 'dev', '--service', 'blog');
    expect(escaped.exitCode).toBe(1);
    expect(escaped.stderr).toContain('dependency lib (file://../../../outside) is outside the repository');
  });

  it('merges .argocd-source.yaml and .argocd-source-<app>.yaml of the rendered chart into its helm settings, as the repo-server does', () => {
    const repo = createRepo({
      ...fleetFiles(),
      'platform-charts/web/.argocd-source.yaml': 'helm:\n  valuesObject:\n    environment: overridden\n',
      // A merge patch replaces lists whole: the Application's own image.tag parameter must be restated.
      'platform-charts/web/.argocd-source-blog-dev.yaml': 'helm:\n  parameters:\n    - name: replicaCount\n      value: "7"\n    - name: image.tag\n      value: "0.1.1"\n      forceString: true\n',
    });
    const blog = render(repo, '--env', 'dev', '--service', 'blog', '--show-command');
    expect(blog.exitCode, blog.stderr).toBe(0);
    expect(blog.stdout).toContain('replicas: 7');
    expect(blog.stdout).toContain('registry.example.com/content/blog:0.1.1');
    expect(blog.stdout).toContain('environment: "overridden"');
    expect(blog.stdout).toContain('--values <inline values>');
    const shop = render(repo, '--env', 'dev', '--service', 'shop');
    expect(shop.stdout).toContain('environment: "overridden"');
    expect(shop.stdout).toContain('replicas: 1');
    expect(shop.stdout).toContain('registry.example.com/commerce/shop:2.0.0');
  });

  it('writes DIR/<env>/<service>.yaml atomically and leaves it untouched when a render fails', () => {
    const repo = createRepo(fleetFiles());
    const out = join(repo.dir, 'out');
    expect(render(repo, '--out', out).exitCode).toBe(0);
    const first = readTree(out);
    repo.commit('break shop', { 'services/shop/values-prod.yaml': 'replicaCount: three\n' });
    const r = render(repo, '--out', out);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`${out.replace(repo.dir, '<root>')} left unchanged`);
    expect(readTree(out)).toEqual(first);
    expect(readdirSync(repo.dir).filter((e) => e.startsWith('.out.'))).toEqual([]);
  });

  it('refuses to replace a directory it did not write', () => {
    const repo = createRepo(fleetFiles());
    const out = join(repo.dir, 'precious');
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'keep me\n');
    const r = render(repo, '--out', out);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--out <root>/precious exists and was not written by gitops render');
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('keep me\n');
  });
});

describe('gitops render on bad input', () => {
  it('names the service.yaml line of an unknown chart', () => {
    const repo = createRepo(fleetFiles());
    repo.commit('typo', { 'services/blog/service.yaml': service('blog', 'content', { dev: { chart: '1.0.0', image: '0.1.0' } }).replace('chart: web', 'chart: webb') });
    const r = render(repo, '--env', 'dev');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^services\/blog\/service\.yaml:3:8 error CHART_UNKNOWN blog-dev: there is no chart webb/m);
    expect(r.stderr).toContain('hint:');
  });

  it('names the pin of an unreleased chart version', () => {
    const repo = createRepo(fleetFiles());
    repo.commit('future', { 'services/blog/service.yaml': service('blog', 'content', { dev: { chart: '1.2.0', image: '0.1.0' } }) });
    const r = render(repo, '--env', 'dev', '--service', 'blog');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^services\/blog\/service\.yaml:5:\d+ error CHART_VERSION_UNRELEASED blog-dev: .*1\.2\.0/m);
  });

  it('reports malformed YAML at its line and renders nothing', () => {
    const repo = createRepo(fleetFiles());
    repo.commit('bad yaml', { 'services/shop/values-prod.yaml': 'replicaCount: 3\nimage: tag: 1.0\n' });
    const r = render(repo, '--env', 'prod', '--service', 'shop');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^services\/shop\/values-prod\.yaml:2:\d+ error YAML_SYNTAX/m);
    expect(r.stdout).toBe('');
  });

  it('reports a duplicate key that helm would silently accept', () => {
    const repo = createRepo(fleetFiles());
    repo.commit('dup', { 'services/shop/values-prod.yaml': 'replicaCount: 3\nreplicaCount: 4\n' });
    const r = render(repo, '--env', 'prod', '--service', 'shop');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^services\/shop\/values-prod\.yaml:2:1 error YAML_DUPLICATE_KEY/m);
  });

  it('refuses a value file outside the repository', () => {
    const repo = createRepo(fleetFiles());
    const appset = readFileSync(join(repo.dir, 'argocd/applicationsets/dev.yaml'), 'utf8').replace('$values/environments/dev/values.yaml', '$values/../../etc/passwd');
    repo.commit('escape', { 'argocd/applicationsets/dev.yaml': appset });
    const r = render(repo, '--env', 'dev');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^argocd\/applicationsets\/dev\.yaml:\d+:\d+ error VALUES_FILE_OUTSIDE_REPO/m);
  });

  it("reports helm's template error against the service's own value file", () => {
    const repo = createRepo(fleetFiles());
    repo.commit('wrong type', { 'services/shop/values-prod.yaml': 'replicaCount: three\n' });
    const r = render(repo, '--env', 'prod');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^services\/shop\/values-prod\.yaml error HELM_TEMPLATE_FAILED shop-prod: helm template failed: .*schema/m);
    // The other Application still rendered.
    expect(r.stdout).toContain('# prod/cart:');
  });

  it('exits 2 for an unknown environment or service', () => {
    const repo = createRepo(fleetFiles());
    const env = render(repo, '--env', 'qa');
    expect(env.exitCode).toBe(2);
    expect(env.stderr).toContain('gitops: error ENV_UNKNOWN: --env qa: no such environment');
    expect(env.stderr).toContain('Known environments: dev, prod');
    const svc = render(repo, '--service', 'nope');
    expect(svc.exitCode).toBe(2);
    expect(svc.stderr).toContain('SERVICE_UNKNOWN');
  });

  it('exits 2 with how to fix it when helm is missing, the wrong version, or crashes', () => {
    const repo = createRepo(fleetFiles());
    const missing = runCli(['render'], { cwd: repo.dir, env: { GITOPS_HELM_BIN: join(repo.dir, 'no-helm') } });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('HELM_NOT_FOUND');
    expect(missing.stderr).toMatch(/hint: Run `npm ci`/);

    const fake = (name: string, script: string) => {
      const file = join(repo.dir, name);
      writeFileSync(file, `#!/bin/sh\n${script}\n`);
      chmodSync(file, 0o755);
      return file;
    };
    const old = fake('helm-old', 'echo v3.14.0');
    const wrong = runCli(['render'], { cwd: repo.dir, env: { GITOPS_HELM_BIN: old } });
    expect(wrong.exitCode).toBe(2);
    expect(wrong.stderr).toMatch(/HELM_VERSION_MISMATCH: helm from GITOPS_HELM_BIN .* is v3\.14\.0, the pinned version is v4\./);

    const pin = JSON.parse(readFileSync(join(__dirname, '..', '..', 'helm-pin.json'), 'utf8')) as { version: string };
    const crashing = fake('helm-crash', `if [ "$1" = version ]; then echo ${pin.version}; exit 0; fi\necho 'panic: runtime error' >&2\nexit 2`);
    const crash = runCli(['render', '--out', join(repo.dir, 'out')], { cwd: repo.dir, env: { GITOPS_HELM_BIN: crashing } });
    expect(crash.exitCode).toBe(2);
    expect(crash.stderr).toContain('HELM_FAILED');
    expect(crash.stderr).toContain('This is not a problem in the chart');
    // Nothing half-written: --out is not created when helm cannot run.
    expect(existsSync(join(repo.dir, 'out'))).toBe(false);

    // The version is remembered per binary file: one replaced or made unrunnable is asked again.
    const cacheDir = tempCache();
    const pinned = `if [ "$1" = version ]; then echo ${pin.version}; exit 0; fi\necho 'panic: runtime error' >&2\nexit 2`;
    const swapped = fake('helm-swapped', pinned);
    expect(runCli(['render'], { cwd: repo.dir, env: { GITOPS_HELM_BIN: swapped }, cacheDir }).stderr).toContain('HELM_FAILED');
    fake('helm-swapped', 'echo v3.14.0');
    expect(runCli(['render'], { cwd: repo.dir, env: { GITOPS_HELM_BIN: swapped }, cacheDir }).stderr).toContain('HELM_VERSION_MISMATCH');
    fake('helm-swapped', pinned);
    expect(runCli(['render'], { cwd: repo.dir, env: { GITOPS_HELM_BIN: swapped }, cacheDir }).stderr).toContain('HELM_FAILED');
    chmodSync(swapped, 0o644);
    expect(runCli(['render'], { cwd: repo.dir, env: { GITOPS_HELM_BIN: swapped }, cacheDir }).stderr).toContain('HELM_NOT_FOUND');
  });
});
