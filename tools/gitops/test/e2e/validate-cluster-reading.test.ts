import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runCli, toolRoot } from '../helpers/run-cli.js';

/** How `gitops validate` reads manifests and schemas: as the cluster and kubeconform do, every object judged. */
const sharedSchemas = join(toolRoot, '..', '..', '..', 'shared', 'schemas');

interface Report {
  results: { file: string; kind?: string; name?: string; status: string; errors: { path: string; message: string }[] }[];
  findings: { code: string; message: string; location?: { file: string; line?: number } }[];
}

function scratch(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-reading-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

function validate(dir: string, engine: string, args: string[], schemaDir = sharedSchemas): { exitCode: number; report: Report; stderr: string } {
  const r = runCli(['validate', '--format', 'json', '--engine', engine, '--kubernetes-version', '1.34.0', ...args], { cwd: dir, env: { GITOPS_SCHEMA_DIR: schemaDir } });
  expect(r.stdout, r.stderr).not.toBe('');
  return { exitCode: r.exitCode, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
}

const verdicts = (report: Report) => report.results.map((r) => [r.kind ?? r.file, r.name, r.status, r.errors.map((e) => e.path).join(',')].filter(Boolean).join(' '));

describe('gitops validate reads manifests as the cluster does', () => {
  it('YAML 1.1 scalars, merge keys, tags and the number range, in both engines', () => {
    const dir = scratch({
      'objects.yaml': [
        'apiVersion: v1\nkind: Secret\nmetadata:\n  name: yes-is-a-boolean\nstringData:\n  url: yes\n',
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: merged-probe\nspec:\n  containers:\n    - name: app\n      image: registry.example.com/app:1.0.0\n      readinessProbe: &probe\n        httpGet: {path: /readyz, port: 8080}\n      livenessProbe:\n        <<: *probe\n        periodSeconds: 20\n',
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: too-big\nspec:\n  replicas: 1e400\n  selector: {matchLabels: {app: a}}\n  template:\n    metadata: {labels: {app: a}}\n    spec: {containers: [{name: app, image: "registry.example.com/app:1.0.0"}]}\n',
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tagged\n  annotations:\n    octal: !!str 0644\n    decoded: !!binary aGVsbG8=\ndata:\n  port: !!str 8080\n',
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: infinity\ndata:\n  n: .inf\n',
      ].join('---\n'),
    });
    const builtin = validate(dir, 'builtin', ['objects.yaml']);
    const kubeconform = validate(dir, 'kubeconform', ['objects.yaml']);
    expect(builtin.exitCode).toBe(1);
    expect(verdicts(builtin.report)).toEqual([
      'Secret yes-is-a-boolean invalid /stringData/url',
      'Pod merged-probe valid',
      'Deployment too-big invalid /spec/replicas',
      'ConfigMap tagged valid',
      'objects.yaml error',
    ]);
    expect(verdicts(kubeconform.report)).toEqual(verdicts(builtin.report));
    expect(builtin.report.findings.map((f) => `${f.code} ${f.location?.line}`)).toEqual(['MANIFEST_INVALID 6', 'MANIFEST_INVALID 27', 'YAML_SYNTAX 43']);
    expect(builtin.report.findings[2]!.message).toContain('".inf" is infinity');
  });

  it('streams a manifest file larger than a values file may be, every object judged', () => {
    const configMap = (i: number) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-${i}\ndata:\n  blob: "${'x'.repeat(1000)}"\n`;
    const dir = scratch({ 'big.yaml': Array.from({ length: 6000 }, (_, i) => configMap(i)).join('---\n') });
    const r = validate(dir, 'builtin', ['big.yaml']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.report.results).toHaveLength(6000);
    expect(r.report.results.every((x) => x.status === 'valid')).toBe(true);
  });
});

describe('gitops validate judges every object, whatever its schema', () => {
  /** The shared Kubernetes schemas, and CRDs of our own. */
  function schemaDir(crds: Record<string, string>): string {
    const dir = scratch(Object.fromEntries(Object.entries(crds).map(([name, text]) => [`crds/example.com/${name}`, text])));
    mkdirSync(join(dir, 'kubernetes'));
    symlinkSync(join(sharedSchemas, 'kubernetes', 'v1.34.0-standalone'), join(dir, 'kubernetes', 'v1.34.0-standalone'));
    return dir;
  }
  const crd = (spec: object) => JSON.stringify({ type: 'object', properties: { spec: { type: 'object', properties: spec } } });
  const object = (kind: string, name: string, spec: object) => `apiVersion: example.com/v1\nkind: ${kind}\nmetadata:\n  name: ${name}\nspec: ${JSON.stringify(spec)}\n`;

  it('draft-4 bounds and formats in CRD schemas count; a schema that does not compile is an error for its kind only, in both engines', () => {
    const schemas = schemaDir({
      // Draft 4 (no $schema): exclusiveMaximum is a boolean about maximum.
      'widget_v1.json': crd({ size: { type: 'integer', maximum: 10, exclusiveMaximum: true }, when: { type: 'string', format: 'date-time' } }),
      'gadget_v1.json': crd({ name: { type: 'string', pattern: '(' } }),
      'broken_v1.json': '{ not json',
    });
    const dir = scratch({
      'objects.yaml': [
        object('Widget', 'small', { size: 9, when: '2024-02-29T23:59:60Z' }),
        object('Widget', 'at-the-bound', { size: 10 }),
        object('Widget', 'not-a-time', { when: 'yesterday' }),
        object('Gadget', 'g1', { name: 'x' }),
        object('Gadget', 'g2', { name: 'y' }),
        object('Broken', 'b', {}),
        'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: still-checked\n  labelz: {}\n',
      ].join('---\n'),
    });
    for (const engine of ['builtin', 'kubeconform']) {
      const r = validate(dir, engine, ['objects.yaml'], schemas);
      expect(r.exitCode, `${engine}: ${r.stderr}`).toBe(1);
      expect(r.report.results.map((x) => `${x.name} ${x.status}`), engine).toEqual([
        'small valid',
        'at-the-bound invalid',
        'not-a-time invalid',
        'g1 error',
        'g2 error',
        'b error',
        'still-checked invalid',
      ]);
      const unusable = r.report.findings.filter((f) => f.code === 'SCHEMA_UNUSABLE');
      expect(unusable.map((f) => f.location!.file.split('/').slice(-2).join('/')).sort(), engine).toEqual(['example.com/broken_v1.json', 'example.com/gadget_v1.json']);
      expect(unusable.find((f) => f.location!.file.endsWith('gadget_v1.json'))!.message, engine).toContain('2 example.com/v1 Gadget objects could not be checked');
    }
  });
});
