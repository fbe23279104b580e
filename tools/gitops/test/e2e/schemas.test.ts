import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { fleetFiles } from '../fixtures/fleet.js';
import { createRepo } from '../helpers/git-repo.js';
import { runCli, runCliAsync, tempCache, toolRoot } from '../helpers/run-cli.js';
import { startSchemaServer } from '../helpers/schema-server.js';

/** The offline copy beside the repository (../shared/schemas). */
const shared = join(toolRoot, '..', '..', '..', 'shared', 'schemas');

const widgetCrdSchema = JSON.stringify({
  type: 'object',
  properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } },
});
const widget = (spec: string) => `apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  ${spec}\n`;

/** A stub helm that leaves a mark: a run that reaches rendering calls it. */
function markingHelm(): { env: NodeJS.ProcessEnv; rendered: () => boolean } {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-helm-stub-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const bin = join(dir, 'helm');
  writeFileSync(bin, `#!/bin/sh\ntouch "${dir}/called"\nexit 1\n`);
  chmodSync(bin, 0o755);
  return { env: { GITOPS_HELM_BIN: bin }, rendered: () => existsSync(join(dir, 'called')) };
}

describe('schema sources: first that has the kind', () => {
  it('stops before rendering when no source has the Kubernetes version, naming the kinds and the ways to provide them', () => {
    const repo = createRepo(fleetFiles());
    repo.commit('a mirror absent here', { 'gitops.yaml': `${fleetFiles()['gitops.yaml']}schemas:\n  mirrors: [../nowhere/schemas]\n` });
    const helm = markingHelm();
    const r = runCli(['check'], { cwd: repo.dir, env: { GITOPS_SCHEMA_DIR: '', ...helm.env } });
    expect(r.exitCode).toBe(2);
    expect(helm.rendered()).toBe(false);
    expect(r.stderr).toContain('gitops: error SCHEMA_VERSION_NOT_FOUND: no schemas for Kubernetes 1.34.0 (dev, prod): its built-in kinds (Deployment, Service, …) and networking.istio.io/v1 VirtualService');
    expect(r.stderr).toMatch(/looked in: <root>\/schemas \(the repository's own\); .*\/nowhere\/schemas \(schemas.mirrors in gitops.yaml, absent on this machine\); .*user-schemas \(the user cache\); downloads \(off\)/);
    expect(r.stderr).toContain('hint: Run `gitops schemas pull`');
    expect(r.stderr).toContain('`gitops schemas import FILE|DIR`');
  });

  it('reads a mirror listed in gitops.yaml when it exists on this machine', () => {
    const repo = createRepo(fleetFiles());
    repo.commit('mirrors', { 'gitops.yaml': `${fleetFiles()['gitops.yaml']}schemas:\n  mirrors:\n    - ../absent\n    - ${relative(repo.dir, shared)}\n` });
    const r = runCli(['validate', '--env', 'dev', '--service', 'cart'], { cwd: repo.dir, env: { GITOPS_SCHEMA_DIR: '' } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/validated \d+ resources? of 1 application with builtin: \d+ valid, 0 invalid/);
  });

  it("takes the team's own CRDs from schemas/ in the repository, and the rest from the next source", () => {
    const repo = createRepo({ ...fleetFiles(), 'schemas/crds/example.com/widget_v1.json': widgetCrdSchema, 'widget.yaml': widget('size: 3'), 'bad.yaml': widget('size: big') });
    const env = { GITOPS_SCHEMA_DIR: shared };
    const good = runCli(['validate', '--kubernetes-version', '1.34.0', 'widget.yaml'], { cwd: repo.dir, env });
    expect(good.exitCode, good.stderr).toBe(0);
    const bad = runCli(['validate', '--kubernetes-version', '1.34.0', 'bad.yaml'], { cwd: repo.dir, env });
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).toContain('bad.yaml:6:9 error MANIFEST_INVALID Widget w: /spec/size');
    // The explicit directory comes first: its schema of a kind wins over the repository's.
    const withoutRepoCrd = runCli(['validate', '--kubernetes-version', '1.34.0', 'widget.yaml'], { cwd: scratchWith({ 'widget.yaml': widget('size: 3') }), env });
    expect(withoutRepoCrd.exitCode).toBe(1);
    expect(withoutRepoCrd.stdout).toContain('MANIFEST_NO_SCHEMA');
  });

  it('fails on an explicit directory that does not exist instead of falling back', () => {
    const repo = createRepo(fleetFiles());
    const r = runCli(['check', '--schema-dir', 'nowhere'], { cwd: repo.dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('SCHEMA_DIR_NOT_FOUND: schema directory <root>/nowhere does not exist (from --schema-dir nowhere)');
  });

  it('rejects a download location that is not a kubeconform URL template', () => {
    const repo = createRepo(fleetFiles());
    const r = runCli(['check'], { cwd: repo.dir, env: { GITOPS_SCHEMA_DIR: '', GITOPS_SCHEMA_LOCATIONS: 'https://example.com/{{ .Kind }}.json' } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('CONFIG_INVALID: GITOPS_SCHEMA_LOCATIONS: schema location "https://example.com/{{ .Kind }}.json" uses {{ .Kind }}, which kubeconform does not define');
  });
});

describe('schema downloads (loopback server in kubeconform\'s public layouts)', () => {
  it('downloads what the run needs into the user cache, then reads it from there', async () => {
    const server = await startSchemaServer(shared);
    const repo = createRepo(fleetFiles());
    const cache = tempCache();
    const env = { GITOPS_SCHEMA_DIR: '', GITOPS_SCHEMA_LOCATIONS: server.locations, GITOPS_SCHEMA_CACHE: cache };
    const first = await runCliAsync(['validate'], { cwd: repo.dir, env });
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/validated \d+ resources of 5 applications with builtin: \d+ valid, 0 invalid, 0 unchecked/);
    expect(server.requests).toEqual(
      expect.arrayContaining([
        '/kubernetes/v1.34.0-standalone-strict/objectmeta-meta-v1.json',
        '/kubernetes/v1.34.0-standalone-strict/deployment-apps-v1.json',
        // A CRD the cluster's standalone copy has: the first location answers.
        '/kubernetes/v1.34.0-standalone-strict/virtualservice-networking-v1.json',
      ]),
    );
    expect(server.requests.filter((p) => p.startsWith('/crds/') && p.includes('/v1/'))).toEqual([]); // core kinds never asked of the CRD catalog
    expect(readdirSync(join(cache, 'kubernetes'))).toEqual(['v1.34.0-standalone-strict']);
    expect(readdirSync(join(cache, 'kubernetes', 'v1.34.0-standalone-strict'))).toEqual(expect.arrayContaining(['deployment-apps-v1.json', 'objectmeta-meta-v1.json']));

    const asked = server.requests.length;
    const second = await runCliAsync(['validate'], { cwd: repo.dir, env });
    expect(second.exitCode, second.stderr).toBe(0);
    expect(server.requests.length).toBe(asked);
  });

  it('falls through a 404 to the next location (the CRDs catalog)', async () => {
    const server = await startSchemaServer(shared);
    const dir = scratchWith({ 'rollout.yaml': 'apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata:\n  name: a\nspec:\n  metrics: []\n' });
    const cache = tempCache();
    const r = await runCliAsync(['validate', '--kubernetes-version', '1.34.0', 'rollout.yaml'], { cwd: dir, env: { GITOPS_SCHEMA_DIR: '', GITOPS_SCHEMA_LOCATIONS: server.locations, GITOPS_SCHEMA_CACHE: cache } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(server.requests).toContain('/kubernetes/v1.34.0-standalone-strict/analysistemplate-argoproj-v1alpha1.json');
    expect(server.requests).toContain('/crds/argoproj.io/analysistemplate_v1alpha1.json');
    expect(existsSync(join(cache, 'crds', 'argoproj.io', 'analysistemplate_v1alpha1.json'))).toBe(true);
  });

  it('says which host could not be reached, once, and exits 2 before rendering', async () => {
    const repo = createRepo(fleetFiles());
    const helm = markingHelm();
    // A port nothing listens on any more: connection refused, as offline.
    const port = await closedPort();
    const r = runCli(['check'], { cwd: repo.dir, env: { GITOPS_SCHEMA_DIR: '', GITOPS_SCHEMA_LOCATIONS: `http://127.0.0.1:${port}/{{ .ResourceKind }}{{ .KindSuffix }}.json`, ...helm.env } });
    expect(r.exitCode).toBe(2);
    expect(helm.rendered()).toBe(false);
    expect(r.stderr).toContain(`download failed: http://127.0.0.1:${port}/objectmeta-meta-v1.json: ECONNREFUSED\n`);
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function scratchWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-schemas-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const widgetCrd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: {type: integer}
`;

describe('gitops schemas', () => {
  it('import turns CRD manifests into strict schemas in schemas/ of the repository, which validation then reads', () => {
    const repo = createRepo({ ...fleetFiles(), 'crds/widget.yaml': `---\n${widgetCrd}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n`, 'widget.yaml': widget('size: 3\n  colour: red') });
    const imported = runCli(['schemas', 'import', 'crds'], { cwd: repo.dir });
    expect(imported.exitCode, imported.stderr).toBe(0);
    expect(imported.stdout).toBe('schemas/crds/example.com/widget_v1.json  example.com/v1 Widget\n');
    expect(imported.stderr).toContain('imported 1 schemas into schemas: 1 CRD versions, 0 /openapi/v2 definitions');
    const r = runCli(['validate', '--kubernetes-version', '1.34.0', 'widget.yaml'], { cwd: repo.dir, env: { GITOPS_SCHEMA_DIR: shared } });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('widget.yaml:7:3 error MANIFEST_INVALID Widget w: /spec/colour: unknown field "colour"');
  });

  it("import reads a cluster's /openapi/v2 dump into kubernetes/v<version>-standalone-strict/", () => {
    const dump = {
      swagger: '2.0',
      info: { version: 'v1.36.1+k3s1' },
      definitions: {
        'io.k8s.api.core.v1.ConfigMap': {
          type: 'object',
          'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'ConfigMap' }],
          properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }, data: { type: 'object', additionalProperties: { type: 'string' } } },
        },
        'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': { type: 'object', properties: { name: { type: 'string' } } },
      },
    };
    const dir = scratchWith({ 'openapi.json': JSON.stringify(dump), 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labelz: {}\ndata: {a: b}\n' });
    const imported = runCli(['schemas', 'import', 'openapi.json', '--out', 'mine'], { cwd: dir });
    expect(imported.exitCode, imported.stderr).toBe(0);
    expect(imported.stderr).toContain('imported 2 schemas into mine: 0 CRD versions, 2 /openapi/v2 definitions');
    expect(readdirSync(join(dir, 'mine', 'kubernetes', 'v1.36.1-standalone-strict')).sort()).toEqual(['configmap-v1.json', 'objectmeta-meta-v1.json']);
    const r = runCli(['validate', '--kubernetes-version', '1.36.1', '--schema-dir', 'mine', 'cm.yaml'], { cwd: dir });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('cm.yaml:5:3 error MANIFEST_INVALID ConfigMap c: /metadata/labelz: unknown field "labelz"');
  });

  it('import says what it could not use', () => {
    const dir = scratchWith({ 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n' });
    const r = runCli(['schemas', 'import', 'cm.yaml', '--out', 'x'], { cwd: dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('no CustomResourceDefinition with a schema and no /openapi/v2 dump in cm.yaml (1 documents read)');
    expect(runCli(['schemas', 'frobnicate'], { cwd: dir }).stderr).toContain('unknown action "frobnicate" for gitops schemas');
  });

  it('list shows the sources in the order they are consulted', () => {
    const repo = createRepo({ ...fleetFiles(), 'gitops.yaml': `${fleetFiles()['gitops.yaml']}schemas:\n  mirrors: [../absent, ${relative('/', shared)}]\n  download: false\n`.replace(relative('/', shared), shared), 'schemas/crds/example.com/widget_v1.json': widgetCrdSchema });
    const r = runCli(['schemas', 'list'], { cwd: repo.dir, env: { GITOPS_SCHEMA_LOCATIONS: '' } });
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`1. ${repo.dir}/schemas (schemas/ in the repository)`);
    expect(lines[1]).toBe('   kubernetes: none; crds: 1 schema');
    expect(lines[2]).toBe(`2. ${shared} (mirror ${shared} in gitops.yaml)`);
    expect(lines[3]).toMatch(/^ {3}kubernetes: 1\.34\.0; crds: \d+ schemas$/);
    expect(r.stdout).toContain('downloads: off\n');
    expect(r.stdout).toMatch(/not on this machine: .*\/absent\n/);
  });

  it('pull downloads every kind the fleet renders and its environments declare, into the user cache', async () => {
    const server = await startSchemaServer(shared);
    const repo = createRepo(fleetFiles());
    const cache = tempCache();
    const env = { GITOPS_SCHEMA_DIR: '', GITOPS_SCHEMA_LOCATIONS: server.locations, GITOPS_SCHEMA_CACHE: cache };
    const pulled = await runCliAsync(['schemas', 'pull'], { cwd: repo.dir, env });
    expect(pulled.exitCode, pulled.stderr).toBe(0);
    expect(pulled.stderr).toMatch(/pulled \d+ schemas into .*; 0 already present, 0 found nowhere/);
    expect(existsSync(join(cache, 'kubernetes', 'v1.34.0-standalone-strict', 'deployment-apps-v1.json'))).toBe(true);
    expect(existsSync(join(cache, 'kubernetes', 'v1.34.0-standalone-strict', 'virtualservice-networking-v1.json'))).toBe(true);

    // Offline from now on: validation needs nothing more.
    const offline = runCli(['validate'], { cwd: repo.dir, env: { ...env, GITOPS_SCHEMA_LOCATIONS: 'none' } });
    expect(offline.exitCode, offline.stderr).toBe(0);
    const again = await runCliAsync(['schemas', 'pull'], { cwd: repo.dir, env });
    expect(again.stderr).toMatch(/pulled 0 schemas into .*; \d+ already present, 0 found nowhere/);
  });
});
