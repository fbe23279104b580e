import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { fleetFiles } from '../fixtures/fleet.js';
import { createRepo, type TestRepo } from '../helpers/git-repo.js';
import { runCli, tempCache, toolRoot } from '../helpers/run-cli.js';

/** The schemas in ../shared beside the repository (the CI clone has them there too). */
const schemaDir = join(toolRoot, '..', '..', '..', 'shared', 'schemas');
const corpus = join(toolRoot, 'test', 'fixtures', 'manifests');
const env = { GITOPS_SCHEMA_DIR: schemaDir };

interface JsonReport {
  summary: { resources: number; valid: number; invalid: number; errors: number; skipped: number; warnings: number };
  results: { file: string; env?: string; service?: string; kind?: string; name?: string; status: string; errors: { path: string; message: string; source?: { file: string; line?: number } }[] }[];
  findings: { code: string; severity: string; message: string; location?: { file: string; line?: number; column?: number }; env?: string; service?: string; application?: string; resource?: { kind: string; name: string; pointer?: string; file: string } }[];
}

function validate(cwd: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  return runCli(['validate', ...args], { cwd, env: { ...env, ...extraEnv } });
}

function json(cwd: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): { exitCode: number; report: JsonReport; stderr: string } {
  const r = validate(cwd, ['--format', 'json', ...args], extraEnv);
  expect(r.stdout, r.stderr).not.toBe('');
  return { exitCode: r.exitCode, report: JSON.parse(r.stdout) as JsonReport, stderr: r.stderr };
}

/** A scratch directory, outside any Git repository, removed when the test ends. */
function scratch(files: Record<string, string | Buffer> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-validate-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

const deployment = (extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: app
          image: web:1.0.0
${extra}`;

describe('gitops validate: the rendered Applications', () => {
  it('passes the fixture fleet, each object checked for its environment', () => {
    const repo = createRepo(fleetFiles());
    const { exitCode, report, stderr } = json(repo.dir, []);
    expect(exitCode, stderr).toBe(0);
    expect(report.results.map((r) => `${r.env}/${r.service} ${r.kind} ${r.status}`)).toEqual([
      'dev/blog Deployment valid',
      'dev/cart Deployment valid',
      'dev/shop Deployment valid',
      'prod/cart Deployment valid',
      'prod/shop Deployment valid',
    ]);
    expect(report.results[0]!.file).toBe('dev/blog.yaml');
    expect(stderr).toMatch(/validated 5 resources of 5 applications with builtin: 5 valid, 0 invalid, 0 unchecked, 0 skipped; no findings/);
  });

  it('blames the template that wrote an invalid object, in every Application it renders for', () => {
    // Released that way: a chart version renders what its first commit holds.
    const files = fleetFiles();
    files['platform-charts/web/templates/deployment.yaml'] += '          imagePullPolicy: Sometimes\n';
    const repo = createRepo(files);
    const { exitCode, report } = json(repo.dir, ['--env', 'prod']);
    expect(exitCode).toBe(1);
    expect(report.findings).toEqual(
      ['cart', 'shop'].map((service) => ({
        code: 'MANIFEST_INVALID',
        severity: 'error',
        message: `Deployment ${service} (prod): /spec/template/spec/containers/0/imagePullPolicy: must be one of "Always", "IfNotPresent", "Never", not "Sometimes"`,
        // The line the template writes the field on.
        location: { file: 'platform-charts/web/templates/deployment.yaml', line: files['platform-charts/web/templates/deployment.yaml']!.split('\n').length - 1, column: 11 },
        application: `${service}-prod`,
        env: 'prod',
        service,
        resource: { apiVersion: 'apps/v1', kind: 'Deployment', name: service, namespace: 'commerce', file: `prod/${service}.yaml`, pointer: '/spec/template/spec/containers/0/imagePullPolicy' },
      })),
    );
    expect(report.summary).toMatchObject({ resources: 2, valid: 0, invalid: 2 });
  });

  it('does not call a failed render valid', () => {
    const repo = createRepo(fleetFiles());
    repo.commit('wrong type', { 'services/shop/values-prod.yaml': 'replicaCount: three\n' });
    const r = validate(repo.dir, ['--env', 'prod']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^services\/shop\/values-prod\.yaml error HELM_TEMPLATE_FAILED shop-prod/m);
    expect(r.stderr).toContain('validated 1 resource of 2 applications with builtin: 1 valid');
  });

  it('finds the schemas through schemaDir in gitops.yaml, relative to the repository root', () => {
    const repo = createRepo(fleetFiles());
    repo.commit('schemas', { 'gitops.yaml': `${fleetFiles()['gitops.yaml']}schemaDir: ${relative(repo.dir, schemaDir)}\n` });
    const r = validate(repo.dir, ['--env', 'dev', '--service', 'cart'], { GITOPS_SCHEMA_DIR: '' });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('1 valid');
  });

  it('exits 2 when the schema directory is missing or has no schemas for the Kubernetes version', () => {
    const repo = createRepo(fleetFiles());
    const unset = validate(repo.dir, [], { GITOPS_SCHEMA_DIR: '' });
    expect(unset.exitCode).toBe(2);
    expect(unset.stderr).toContain('gitops: error SCHEMA_VERSION_NOT_FOUND: no schemas for Kubernetes 1.34.0 (dev, prod): its built-in kinds');
    expect(unset.stderr).toContain('hint: Run `gitops schemas pull`');

    const missing = validate(repo.dir, ['--schema-dir', 'nowhere']);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain(`SCHEMA_DIR_NOT_FOUND: schema directory <root>/nowhere does not exist (from --schema-dir nowhere)`);

    const version = validate(repo.dir, ['--kubernetes-version', '1.35.0']);
    expect(version.exitCode).toBe(2);
    expect(version.stderr).toContain('SCHEMA_VERSION_NOT_FOUND: no schemas for Kubernetes 1.35.0');
    expect(version.stderr).toContain('Schemas exist for 1.34.0: validate with --kubernetes-version 1.34.0');
    expect(version.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('exits 2 for an unknown environment', () => {
    const r = validate(createRepo(fleetFiles()).dir, ['--env', 'qa']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('ENV_UNKNOWN');
  });
});

describe('gitops validate FILE...: the corpus', () => {
  it('passes every valid manifest: core kinds, Istio, Argo CD, Argo Rollouts, Prometheus Operator, a List', () => {
    const { exitCode, report, stderr } = json(toolRoot, ['test/fixtures/manifests/valid']);
    expect(exitCode, stderr).toBe(0);
    const kinds = new Set(report.results.map((r) => r.kind));
    for (const kind of ['Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'NetworkPolicy', 'Ingress', 'CronJob', 'ConfigMap', 'Secret', 'VirtualService', 'DestinationRule', 'AuthorizationPolicy', 'PeerAuthentication', 'Gateway', 'Application', 'Rollout', 'AnalysisTemplate', 'ServiceMonitor']) {
      expect(kinds, kind).toContain(kind);
    }
    expect(report.results.filter((r) => r.status !== 'valid')).toEqual([]);
    // Inside the repository, files are named by their repository path.
    expect(report.results[0]!.file).toBe('tools/gitops/test/fixtures/manifests/valid/argocd.yaml');
  });

  it('finds each invalid manifest at the JSON pointer its "# expect:" line names, and the line to edit', () => {
    const files = readdirSync(join(corpus, 'invalid')).sort();
    const { exitCode, report } = json(toolRoot, ['test/fixtures/manifests/invalid']);
    expect(exitCode).toBe(1);
    expect(report.results.map((r) => r.file.split('/').pop())).toEqual(files);
    for (const file of files) {
      const text = readFileSync(join(corpus, 'invalid', file), 'utf8');
      const expected = [...text.matchAll(/^# expect: (\S+)$/gm)].map((m) => m[1]);
      const result = report.results.find((r) => r.file.endsWith(`/${file}`))!;
      expect(result.status, file).toBe('invalid');
      expect(result.errors.map((e) => e.path), file).toEqual(expected);
      for (const error of result.errors) {
        const field = error.path.split('/').pop()!;
        const line = text.split('\n')[error.source!.line! - 1]!;
        // The line names the field, unless the pointer is an array item (a missing field).
        if (!/^\d+$/.test(field)) expect(line, `${file} ${error.path}`).toContain(field);
      }
    }
    expect(report.findings.every((f) => f.location?.file.startsWith('tools/gitops/test/fixtures/manifests/invalid/'))).toBe(true);
  });

  it('reuses the validators an earlier run compiled and their code caches, and replaces a damaged one', () => {
    const cache = tempCache();
    const dir = join(cache, 'validators');
    const run = () => runCli(['validate', '--format', 'json', 'test/fixtures/manifests/invalid'], { cwd: toolRoot, env, cacheDir: cache });
    // Without remembered verdicts, so that the validators run.
    const fresh = () => {
      rmSync(join(cache, 'verdicts'), { recursive: true, force: true });
      return run();
    };
    const first = run();
    const compiled = readdirSync(dir).filter((f) => f.endsWith('.cjs'));
    expect(compiled.length).toBeGreaterThan(5);
    expect(run().stdout).toBe(first.stdout);
    // The first run that loads a validator leaves V8's code cache beside it.
    expect(fresh().stdout).toBe(first.stdout);
    const codeCaches = readdirSync(dir).filter((f) => f.endsWith('.bin'));
    expect(codeCaches.length).toBeGreaterThan(5);
    expect(codeCaches.every((f) => compiled.includes(f.replace(/\.v8-.*$/, '')))).toBe(true);
    expect(fresh().stdout).toBe(first.stdout);
    for (const file of codeCaches) writeFileSync(join(dir, file), 'not a code cache');
    expect(fresh().stdout).toBe(first.stdout);
    expect(readFileSync(join(dir, codeCaches[0]!), 'utf8')).not.toBe('not a code cache');
    for (const file of compiled) writeFileSync(join(dir, file), 'module.exports = (');
    const damaged = fresh();
    expect(damaged.exitCode).toBe(1);
    expect(damaged.stdout).toBe(first.stdout);
  });

  it('writes findings like a compiler: file:line:col, the object, the pointer, what is wrong', () => {
    const r = validate(toolRoot, ['test/fixtures/manifests/invalid/deployment-unknown-field.yaml', 'test/fixtures/manifests/invalid/hpa-removed-api.yaml']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe(
      'tools/gitops/test/fixtures/manifests/invalid/deployment-unknown-field.yaml:8:3 error MANIFEST_INVALID Deployment orders: /spec/replica: unknown field "replica" (did you mean "replicas"?)\n' +
        'tools/gitops/test/fixtures/manifests/invalid/hpa-removed-api.yaml:3:13 error API_REMOVED HorizontalPodAutoscaler orders: /apiVersion: autoscaling/v2beta2 HorizontalPodAutoscaler was removed in Kubernetes 1.26, this cluster runs 1.34.0: use autoscaling/v2 HorizontalPodAutoscaler\n',
    );
    expect(r.stderr).toMatch(/^validated 2 resources of 2 files with builtin: 0 valid, 2 invalid, 0 unchecked, 0 skipped; 2 errors in \d+\.\ds\n$/);
  });
});

describe('gitops validate FILE...: kinds, versions and bad input', () => {
  it('warns about a deprecated API that is still served, and names its replacement', () => {
    const dir = scratch({ 'dr.yaml': 'apiVersion: networking.istio.io/v1beta1\nkind: DestinationRule\nmetadata:\n  name: web\nspec:\n  host: web\n' });
    const { exitCode, report } = json(dir, ['--kubernetes-version', '1.34.0', 'dr.yaml']);
    expect(exitCode).toBe(0);
    expect(report.results[0]!.status).toBe('valid');
    expect(report.findings).toMatchObject([
      { code: 'API_DEPRECATED', severity: 'warning', message: 'DestinationRule web: /apiVersion: networking.istio.io/v1beta1 DestinationRule is deprecated: use networking.istio.io/v1 DestinationRule', location: { file: 'dr.yaml', line: 1, column: 13 } },
    ]);
  });

  it('judges an API by the Kubernetes version: deprecated on 1.25, removed on 1.26', () => {
    const hpa = 'apiVersion: autoscaling/v2beta2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: web\nspec:\n  maxReplicas: 3\n';
    const schema = JSON.stringify({ type: 'object', properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, spec: { type: 'object', properties: { maxReplicas: { type: 'integer' } } } } });
    const dir = scratch({ 'hpa.yaml': hpa, 'schemas/kubernetes/v1.25.0-standalone/horizontalpodautoscaler-autoscaling-v2beta2.json': schema, 'schemas/kubernetes/v1.26.0-standalone/.keep': '' });
    const old = json(dir, ['--kubernetes-version', '1.25.0', 'hpa.yaml'], { GITOPS_SCHEMA_DIR: join(dir, 'schemas') });
    expect(old.exitCode).toBe(0);
    expect(old.report.findings.map((f) => `${f.severity} ${f.code}`)).toEqual(['warning API_DEPRECATED']);
    expect(old.report.findings[0]!.message).toContain('deprecated since Kubernetes 1.23 and removed in 1.26: use autoscaling/v2 HorizontalPodAutoscaler');

    const upgraded = json(dir, ['--kubernetes-version', '1.26.0', 'hpa.yaml'], { GITOPS_SCHEMA_DIR: join(dir, 'schemas') });
    expect(upgraded.exitCode).toBe(1);
    expect(upgraded.report.results[0]).toMatchObject({ status: 'invalid', errors: [{ path: '/apiVersion' }] });
    expect(upgraded.report.findings.map((f) => `${f.severity} ${f.code}`)).toEqual(['error API_REMOVED']);

    const none = validate(dir, ['--kubernetes-version', '1.27.1', 'hpa.yaml'], { GITOPS_SCHEMA_DIR: join(dir, 'schemas') });
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('Schemas exist for 1.25.0, 1.26.0: validate with --kubernetes-version 1.26.0, or add kubernetes/v1.27.1-standalone to a source.');
  });

  it('fails a kind without a schema unless told to skip it, as kubeconform does', () => {
    const widget = 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n';
    const dir = scratch({ 'widget.yaml': widget, 'web.yaml': deployment() });
    const args = ['--kubernetes-version', '1.34.0', 'widget.yaml', 'web.yaml'];
    const failing = json(dir, args);
    expect(failing.exitCode).toBe(1);
    expect(failing.report.results.map((r) => r.status)).toEqual(['error', 'valid']);
    expect(failing.report.findings).toMatchObject([{ code: 'MANIFEST_NO_SCHEMA', message: 'Widget w: no schema for example.com/v1 Widget (Kubernetes 1.34.0)', location: { file: 'widget.yaml', line: 1 } }]);

    for (const flags of [['--ignore-missing-schemas'], ['--skip', 'Widget'], ['--skip', 'example.com/v1/Widget'], ['--skip', 'Secret,Widget']]) {
      const passing = json(dir, [...flags, ...args]);
      expect(passing.exitCode, flags.join(' ')).toBe(0);
      expect(passing.report.results.map((r) => r.status)).toEqual(['skipped', 'valid']);
    }
  });

  it('reports bad input by file, and never crashes', () => {
    const dir = scratch({
      'truncated.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x\n',
      'scalar.yaml': 'just a string\n',
      'no-kind.yaml': 'apiVersion: v1\nmetadata:\n  name: x\n',
      'no-api-version.yaml': 'kind: ConfigMap\nmetadata:\n  name: x\n',
      'bomb.yaml': `a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n`,
      'duplicate.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  name: y\n',
      'binary.yaml': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01, 0x02]),
    });
    const r = validate(dir, ['--kubernetes-version', '1.34.0', '.']);
    expect(r.exitCode).toBe(1);
    const lines = r.stdout.split('\n').filter((l) => /^\S+ (error|warning) /.test(l));
    expect(lines).toEqual([
      'binary.yaml error YAML_SYNTAX file is binary, not YAML',
      expect.stringMatching(/^bomb\.yaml:1:1 error YAML_SYNTAX .*alias/),
      expect.stringMatching(/^duplicate\.yaml:5:3 error YAML_DUPLICATE_KEY /),
      'no-api-version.yaml:1:1 error MANIFEST_NOT_AN_OBJECT document 1: ConfigMap: missing "apiVersion"',
      'no-kind.yaml:1:1 error MANIFEST_NOT_AN_OBJECT document 1: missing "kind"',
      'scalar.yaml:1:1 error MANIFEST_NOT_AN_OBJECT document 1: document is not a mapping, so it is not a Kubernetes object',
      expect.stringMatching(/^truncated\.yaml:\d+:\d+ error YAML_SYNTAX /),
    ]);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    // Every document gets a verdict, the broken ones included.
    const verdicts = json(dir, ['--kubernetes-version', '1.34.0', '.']).report.results;
    expect(verdicts.map((v) => `${v.file} ${v.status}`).sort()).toEqual(['binary.yaml', 'bomb.yaml', 'duplicate.yaml', 'no-api-version.yaml', 'no-kind.yaml', 'scalar.yaml', 'truncated.yaml'].map((f) => `${f} error`));

    const missing = validate(dir, ['--kubernetes-version', '1.34.0', 'nope.yaml']);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('gitops: error PATH_NOT_FOUND: nope.yaml: no such file or directory');
  });

  it('outside a repository, needs the Kubernetes version and the schemas to be given', () => {
    const dir = scratch({ 'web.yaml': deployment() });
    const given = validate(dir, ['--kubernetes-version', '1.34.0', 'web.yaml']);
    expect(given.exitCode, given.stderr).toBe(0);
    const guessed = validate(dir, ['web.yaml']);
    expect(guessed.exitCode).toBe(2);
    expect(guessed.stderr).toContain('is not inside a Git repository');
  });

  it('takes the Kubernetes version of the newest environment, or of --env, for files', () => {
    const repo = createRepo(fleetFiles());
    repo.commit('older dev', { 'environments/dev/environment.yaml': readFileSync(join(repo.dir, 'environments/dev/environment.yaml'), 'utf8').replace('1.34.0', '1.25.0'), 'hpa.yaml': 'apiVersion: autoscaling/v2beta2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: web\n' });
    const newest = json(repo.dir, ['hpa.yaml']);
    expect(newest.report.findings[0]!.message).toContain('this cluster runs 1.34.0');
    const dev = validate(repo.dir, ['--env', 'dev', 'hpa.yaml']);
    expect(dev.exitCode).toBe(2); // the shared schemas have no 1.25.0
    expect(dev.stderr).toContain('no schemas for Kubernetes 1.25.0');
    const service = validate(repo.dir, ['--service', 'shop', 'hpa.yaml']);
    expect(service.exitCode).toBe(2);
    expect(service.stderr).toContain('--service selects rendered Applications: it cannot be combined with paths');
  });
});

describe('gitops validate --engine kubeconform: failures are never verdicts', () => {
  function stub(repo: TestRepo, name: string, script: string): string {
    const file = join(repo.dir, name);
    writeFileSync(file, `#!/bin/sh\n${script}\n`);
    chmodSync(file, 0o755);
    return file;
  }

  it('exits 2 with how to install it when kubeconform is missing', () => {
    const dir = scratch({ 'web.yaml': deployment() });
    const r = validate(dir, ['--engine', 'kubeconform', '--kubernetes-version', '1.34.0', 'web.yaml'], { GITOPS_KUBECONFORM_BIN: join(dir, 'no-kubeconform') });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('gitops: error KUBECONFORM_NOT_FOUND: GITOPS_KUBECONFORM_BIN=<root>/no-kubeconform cannot be run');
    expect(r.stderr).toContain('hint: Install it with `go install github.com/yannh/kubeconform/cmd/kubeconform@v0.7.0`');
  });

  it('exits 2 when kubeconform crashes or answers something other than its JSON report', () => {
    const repo = createRepo({ 'web.yaml': deployment() });
    const args = ['--engine', 'kubeconform', '--kubernetes-version', '1.34.0', 'web.yaml'];
    const crashing = stub(repo, 'kc-crash', 'if [ "$1" = -v ]; then echo v0.7.0; exit 0; fi\necho "panic: runtime error: invalid memory address" >&2\nexit 2');
    const crash = validate(repo.dir, args, { GITOPS_KUBECONFORM_BIN: crashing });
    expect(crash.exitCode).toBe(2);
    expect(crash.stderr).toContain('gitops: error KUBECONFORM_FAILED: kubeconform exited with 2 without a readable JSON report');
    expect(crash.stderr).toContain('| panic: runtime error');
    expect(crash.stderr).toContain('This is not a problem in the manifests');

    const garbage = stub(repo, 'kc-text', 'if [ "$1" = -v ]; then echo v0.7.0; exit 0; fi\necho "web.yaml - Deployment web is invalid"\nexit 1');
    const text = validate(repo.dir, args, { GITOPS_KUBECONFORM_BIN: garbage });
    expect(text.exitCode).toBe(2);
    expect(text.stderr).toContain('KUBECONFORM_FAILED');

    const silent = stub(repo, 'kc-silent', 'if [ "$1" = -v ]; then echo v0.7.0; exit 0; fi\necho \'{"resources": []}\'\nexit 0');
    const none = validate(repo.dir, args, { GITOPS_KUBECONFORM_BIN: silent });
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('kubeconform gave no verdict on 1 of 1 documents');
  });
});
