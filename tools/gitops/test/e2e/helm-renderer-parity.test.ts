import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { exec } from '../../src/runners/exec.js';
import { HelmRunner, readHelmPin, rendererPath, type HelmTemplateResult } from '../../src/runners/helm.js';
import { HelmServerPool } from '../../src/runners/helm-server.js';
import { runCli, tempCache, toolRoot } from '../helpers/run-cli.js';

/**
 * The helm renderer (tools/helm-renderer) must be the helm binary, request after request:
 * the same stdout bytes, stderr and exit status for the same command line in the same
 * directory with the same environment, and nothing carried from one request to the next.
 * The binary is the reference. `npm ci` builds the renderer where Go is installed (CI has
 * Go): without it these tests fail; they never skip.
 */
const repoRoot = join(toolRoot, '..', '..');
const pin = readHelmPin();
const helmBin = join(toolRoot, '.helm', pin.version, 'helm');
const renderer = rendererPath(pin.version);

const work = mkdtempSync(join(tmpdir(), 'gitops-renderer-parity-'));
const home = join(work, 'helm-home');
// What HelmRunner gives helm: an empty home of its own.
const helmEnv = { PATH: process.env.PATH, HOME: home, HELM_CACHE_HOME: join(home, 'cache'), HELM_CONFIG_HOME: join(home, 'config'), HELM_DATA_HOME: join(home, 'data') };
afterAll(() => rmSync(work, { recursive: true, force: true }));

function writeTree(dir: string, files: Record<string, string>): string {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const chartYaml = (extra = '') => `apiVersion: v2\nname: probe\nversion: 0.1.0\n${extra}`;

/** Prints what a request could leak into the next: release, namespace, capabilities, values. */
const probeTemplate = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}
  namespace: {{ .Release.Namespace }}
data:
  kube: {{ .Capabilities.KubeVersion.Version | quote }}
  hasWidget: {{ .Capabilities.APIVersions.Has "example.com/v1/Widget" | quote }}
  apiVersionCount: {{ len .Capabilities.APIVersions | quote }}
  helm: {{ toJson .Capabilities.HelmVersion | quote }}
  isUpgrade: {{ .Release.IsUpgrade | quote }}
  values: {{ toJson .Values | quote }}
`;

interface Case {
  name: string;
  files: Record<string, string>;
  args: string[];
}

const template = (...extra: string[]) => ['template', '.', '--name-template', 'probe', ...extra];

/** Renders that succeed, with and without every flag whose state a process could keep. */
const successes: Case[] = [
  {
    name: 'every stateful flag',
    files: { 'Chart.yaml': chartYaml(), 'values.yaml': 'replicas: 1\n', 'templates/probe.yaml': probeTemplate, 'templates/tests/test.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: t\n  annotations:\n    helm.sh/hook: test\n' },
    args: template('--namespace', 'leaky', '--kube-version', '1.31.2', '--api-versions', 'example.com/v1/Widget', '--set', 'extra=from-set', '--set-string', 'pinned=007', '--include-crds', '--skip-tests', '--is-upgrade', '--debug'),
  },
  {
    name: 'no flags',
    files: { 'Chart.yaml': chartYaml(), 'values.yaml': 'replicas: 1\n', 'templates/probe.yaml': probeTemplate, 'templates/tests/test.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: t\n  annotations:\n    helm.sh/hook: test\n' },
    args: template(),
  },
  {
    name: 'a values file and a deprecation warning on stderr',
    files: { 'Chart.yaml': chartYaml('deprecated: true\n'), 'values.yaml': 'replicas: 1\n', 'extra.yaml': 'replicas: 3\nnested: {a: 1}\n', 'templates/probe.yaml': probeTemplate },
    args: template('--values', 'extra.yaml', '--namespace', 'other'),
  },
  {
    name: 'CRDs and a library-free chart without values.yaml',
    files: { 'Chart.yaml': chartYaml(), 'crds/widget.yaml': 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\n', 'templates/probe.yaml': probeTemplate },
    args: template('--include-crds'),
  },
];

/** Renders that fail, one for each way a chart or its inputs can be wrong. */
const failures: Case[] = [
  { name: 'template syntax error', files: { 'Chart.yaml': chartYaml(), 'templates/bad.yaml': 'a: {{ .Values.x \n' }, args: template() },
  { name: 'fail "msg"', files: { 'Chart.yaml': chartYaml(), 'templates/fail.yaml': '{{ fail "replicas must be at least 2" }}\n' }, args: template() },
  { name: 'missing required value', files: { 'Chart.yaml': chartYaml(), 'templates/req.yaml': 'tag: {{ required "image.tag is required" .Values.image.tag }}\n' }, args: template() },
  {
    name: 'schema violation',
    files: { 'Chart.yaml': chartYaml(), 'values.yaml': 'replicas: 1\n', 'values.schema.json': '{"type":"object","properties":{"replicas":{"type":"integer","minimum":1}},"required":["replicas"]}', 'templates/probe.yaml': probeTemplate },
    args: template('--set', 'replicas=0'),
  },
  { name: 'bad --set', files: { 'Chart.yaml': chartYaml(), 'templates/probe.yaml': probeTemplate }, args: template('--set', 'list[x]=1') },
  { name: 'missing values file', files: { 'Chart.yaml': chartYaml(), 'templates/probe.yaml': probeTemplate }, args: template('--values', 'nope/values-prod.yaml') },
  {
    name: 'missing dependency',
    files: { 'Chart.yaml': chartYaml('dependencies:\n  - name: platform-lib\n    version: 1.0.0\n    repository: file://../platform-lib\n'), 'templates/probe.yaml': probeTemplate },
    args: template(),
  },
  { name: 'bad kube-version', files: { 'Chart.yaml': chartYaml(), 'templates/probe.yaml': probeTemplate }, args: template('--kube-version', 'one-point-thirty') },
  { name: 'kube-version below the chart’s kubeVersion', files: { 'Chart.yaml': chartYaml('kubeVersion: ">=1.29.0-0"\n'), 'templates/probe.yaml': probeTemplate }, args: template('--kube-version', '1.27.0') },
  { name: 'invalid YAML rendered', files: { 'Chart.yaml': chartYaml(), 'templates/bad.yaml': 'a: b: c\n' }, args: template() },
  { name: 'no chart here', files: { 'README.md': 'not a chart\n' }, args: template() },
  { name: 'unknown flag', files: { 'Chart.yaml': chartYaml(), 'templates/probe.yaml': probeTemplate }, args: template('--no-such-flag') },
];

const cases = [...successes, ...failures];
const chartDir = (c: Case) => join(work, 'charts', c.name.replace(/\W+/g, '-'));

beforeAll(() => {
  for (const c of cases) writeTree(chartDir(c), c.files);
});

describe('helm renderer parity with the helm binary', () => {
  it('is built by npm ci', () => {
    expect(existsSync(renderer), `${renderer} is missing: install Go and run npm ci`).toBe(true);
  });

  it('gives the same stdout bytes, stderr and exit status as the binary, request after request in one process', async () => {
    const pool = new HelmServerPool(renderer, { version: pin.version, maxProcesses: 1, timeoutMs: 60_000, idleMs: 60_000 });
    onTestFinished(() => pool.stop());
    // Twice, in opposite orders, through the same process: each request after every other.
    const sequence = [...cases, ...[...cases].reverse()];
    const statuses = new Set<number>();
    for (const c of sequence) {
      const dir = chartDir(c);
      const binary = await exec(helmBin, c.args, { cwd: dir, env: helmEnv });
      const server = await pool.run(dir, c.args, helmEnv, helmBin);
      expect(server.stdout, `${c.name}: stdout`).toBe(binary.stdout);
      expect(server.stderr, `${c.name}: stderr`).toBe(binary.stderr);
      expect(server.exitCode, `${c.name}: exit status`).toBe(binary.exitCode);
      statuses.add(binary.exitCode);
      expect(binary.exitCode === 0, `${c.name} is in the wrong list`).toBe(successes.includes(c));
    }
    expect([...statuses].sort()).toEqual([0, 1]);
  });

  it('keeps no settings from one request to the next (helm env, after every global flag)', async () => {
    const pool = new HelmServerPool(renderer, { version: pin.version, maxProcesses: 1, timeoutMs: 60_000, idleMs: 60_000 });
    onTestFinished(() => pool.stop());
    const everyFlag = ['env', '--namespace', 'leaky', '--kube-context', 'ctx', '--kube-token', 'tok', '--kube-as-user', 'u', '--kube-as-group', 'g', '--kube-apiserver', 'https://k', '--kube-ca-file', '/ca', '--kube-tls-server-name', 'tls', '--kube-insecure-skip-tls-verify', '--debug', '--registry-config', '/r.json', '--repository-config', '/repos.yaml', '--repository-cache', '/rc', '--content-cache', '/cc', '--burst-limit', '7', '--qps', '3', '--color', 'always'];
    const envVars = { ...helmEnv, HELM_NAMESPACE: 'from-env', HELM_KUBECONTEXT: 'env-ctx', HELM_DEBUG: 'true', HELM_PLUGINS: '/plugins' };
    for (const [args, env] of [[everyFlag, helmEnv], [['env'], helmEnv], [['env'], envVars], [['env'], helmEnv], [['version'], helmEnv]] as const) {
      const binary = await exec(helmBin, args, { cwd: work, env });
      const server = await pool.run(work, args, env, helmBin);
      expect(server, args.join(' ')).toEqual({ stdout: binary.stdout, stderr: binary.stderr, exitCode: binary.exitCode });
    }
  });

  it('classifies every failure as the binary does (HelmRunner.template in both modes)', async () => {
    const binary = await HelmRunner.locate({ cacheDir: join(work, 'binary'), env: { ...process.env, GITOPS_HELM_BIN: '', GITOPS_HELM_RENDERER: 'binary' } });
    const server = await HelmRunner.locate({ cacheDir: join(work, 'server'), env: { ...process.env, GITOPS_HELM_BIN: '', GITOPS_HELM_RENDERER: 'server' } });
    onTestFinished(() => server.close());
    expect([binary.renderer, server.renderer]).toEqual(['binary', 'server']);
    const seen: Pick<HelmTemplateResult, 'ok' | 'missingDependency'>[] = [];
    for (const c of cases) {
      const a = await binary.template(chartDir(c), c.args);
      const b = await server.template(chartDir(c), c.args);
      expect(b, c.name).toEqual(a);
      seen.push({ ok: a.ok, missingDependency: a.missingDependency });
    }
    expect(seen.filter((s) => s.missingDependency)).toHaveLength(1);
    expect(seen.filter((s) => !s.ok)).toHaveLength(failures.length);
  });

  it('renders every Application of the example fleet to the same bytes', () => {
    const out = (mode: string) => join(work, `fleet-${mode}`);
    for (const mode of ['binary', 'server']) {
      const r = runCli(['render', '--out', out(mode)], { cwd: repoRoot, cacheDir: tempCache(), env: { GITOPS_HELM_RENDERER: mode } });
      expect(r.exitCode, `${mode}: ${r.stderr}`).toBe(0);
    }
    const tree = (dir: string) => Object.fromEntries(readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => [join(e.parentPath, e.name).slice(dir.length + 1), readFileSync(join(e.parentPath, e.name), 'utf8')]));
    const binary = tree(out('binary'));
    expect(Object.keys(binary).filter((f) => f.endsWith('.yaml')).length).toBeGreaterThan(20);
    expect(tree(out('server'))).toEqual(binary);
    // Two cold renders of the whole fleet, one a helm process per Application.
  }, 600_000);
});

describe('helm renderer processes', () => {
  /** A stand-in renderer: greets like the real one, then behaves as the script says. */
  function fakeRenderer(body: string): string {
    const file = join(mkdtempSync(join(work, 'fake-')), 'helm-renderer');
    writeFileSync(file, `#!/bin/sh\necho '{"ready":true,"version":"${pin.version}","protocol":1}'\n${body}\n`);
    chmodSync(file, 0o755);
    return file;
  }

  it('a renderer that dies mid-render fails the run as HELM_FAILED (exit 2), not as a finding', () => {
    const crashing = fakeRenderer('read line\necho "fatal error: out of memory" >&2\nexit 3');
    const r = runCli(['render', '--env', 'prod', '--service', 'orders'], { cwd: repoRoot, cacheDir: tempCache(), env: { GITOPS_HELM_RENDERER: 'server', GITOPS_HELM_RENDERER_BIN: crashing } });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/HELM_FAILED: the helm renderer exited with code 3 while rendering/);
    expect(r.stderr).toContain('fatal error: out of memory');
    expect(r.stderr).toContain('GITOPS_HELM_RENDERER=binary');
  });

  it('a renderer of another helm version is refused', () => {
    const other = fakeRenderer('read line').replace(/$/, '');
    writeFileSync(other, readFileSync(other, 'utf8').replace(pin.version, 'v4.0.0'));
    const r = runCli(['render', '--env', 'prod', '--service', 'orders'], { cwd: repoRoot, cacheDir: tempCache(), env: { GITOPS_HELM_RENDERER: 'server', GITOPS_HELM_RENDERER_BIN: other } });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toContain(`HELM_VERSION_MISMATCH: the helm renderer ${other} is helm v4.0.0, the pinned version is ${pin.version}`);
  });

  it('GITOPS_HELM_RENDERER names a mode, and server needs the renderer', () => {
    const bogus = runCli(['render', '--env', 'prod', '--service', 'orders'], { cwd: repoRoot, cacheDir: tempCache(), env: { GITOPS_HELM_RENDERER: 'fast' } });
    expect(bogus.exitCode).toBe(2);
    expect(bogus.stderr).toContain('GITOPS_HELM_RENDERER=fast is not a renderer');
    const missing = runCli(['render', '--env', 'prod', '--service', 'orders'], { cwd: repoRoot, cacheDir: tempCache(), env: { GITOPS_HELM_RENDERER: 'server', GITOPS_HELM_RENDERER_BIN: join(work, 'no-renderer') } });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('HELM_NOT_FOUND: GITOPS_HELM_RENDERER=server, but the helm renderer is not built');
  });

  it('leaves no renderer running after the CLI exits', async () => {
    const pids = join(work, 'renderer-pids');
    const wrapper = join(work, 'pid-recording-renderer');
    writeFileSync(wrapper, `#!/bin/sh\necho $$ >> '${pids}'\nexec '${renderer}'\n`);
    chmodSync(wrapper, 0o755);
    const r = runCli(['render', '--concurrency', '3'], { cwd: repoRoot, cacheDir: tempCache(), env: { GITOPS_HELM_RENDERER: 'server', GITOPS_HELM_RENDERER_BIN: wrapper } });
    expect(r.exitCode, r.stderr).toBe(0);
    const started = readFileSync(pids, 'utf8').trim().split('\n').map(Number);
    expect(started.length).toBeGreaterThanOrEqual(1);
    // They are signalled as the CLI exits; wait for the signal to land, never for a duration.
    const running = () => started.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    for (let i = 0; i < 200 && running().length > 0; i++) await new Promise((done) => setTimeout(done, 25));
    expect(running()).toEqual([]);
  });
});
