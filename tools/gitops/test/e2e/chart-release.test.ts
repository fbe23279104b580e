import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { chartFiles, chartYaml, fleetFiles } from '../fixtures/fleet.js';
import { createRepo, type TestRepo } from '../helpers/git-repo.js';
import { startRegistry, type OciRegistry } from '../helpers/oci-registry.js';
import { runCli, toolRoot } from '../helpers/run-cli.js';

const helm = join(toolRoot, '.helm', JSON.parse(readFileSync(join(toolRoot, 'helm-pin.json'), 'utf8')).version, 'helm');

let registry: OciRegistry;
beforeAll(async () => {
  registry = await startRegistry();
});
afterAll(() => registry?.stop());

/** Each test publishes to its own path of the one registry. */
let counter = 0;
function target(): string {
  return `oci://${registry.host}/t${++counter}`;
}

function chart(repo: TestRepo, url: string, ...args: string[]) {
  return runCli(['chart', ...args, '--registry', url, '--plain-http'], { cwd: repo.dir });
}

/** helm with a home of its own, as a user or Argo CD's repo-server would run it. */
function runHelm(args: string[], cwd: string): string {
  const home = mkdtempSync(join(tmpdir(), 'helm-home-'));
  onTestFinished(() => rmSync(home, { recursive: true, force: true }));
  return execFileSync(helm, args, { cwd, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: home, HELM_CACHE_HOME: join(home, 'c'), HELM_CONFIG_HOME: join(home, 'f'), HELM_DATA_HOME: join(home, 'd') } });
}

function tmp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-pull-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('gitops chart release', () => {
  it('publishes each version from the first commit carrying it, tags that commit, and is idempotent', () => {
    const repo = createRepo(fleetFiles());
    const first = repo.git('rev-parse', 'HEAD').trim();
    const second = repo.commit('web 1.1.0', { 'platform-charts/web/Chart.yaml': chartYaml('1.1.0') });
    repo.commit('docs only', { 'README.md': 'x\n' });
    const url = target();

    const dry = chart(repo, url, 'release', '--dry-run');
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toBe(`lib 1.0.0  ${first.slice(0, 12)}  not in the registry\nweb 1.0.0  ${first.slice(0, 12)}  not in the registry\nweb 1.1.0  ${second.slice(0, 12)}  not in the registry\n`);
    expect(dry.stderr).toContain('0 published, 3 to publish (dry run)');
    expect(repo.git('tag', '--list')).toBe('');

    const released = chart(repo, url, 'release', '--format', 'json');
    expect(released.exitCode, released.stderr).toBe(0);
    const report = JSON.parse(released.stdout) as { releases: { chart: string; version: string; commit: string; status: string; tagged?: string }[] };
    expect(report.releases).toEqual([
      { chart: 'lib', version: '1.0.0', commit: first, status: 'published', tagged: 'lib-1.0.0' },
      { chart: 'web', version: '1.0.0', commit: first, status: 'published', tagged: 'web-1.0.0' },
      { chart: 'web', version: '1.1.0', commit: second, status: 'published', tagged: 'web-1.1.0' },
    ]);
    expect(repo.git('rev-list', '-n', '1', 'web-1.1.0').trim()).toBe(second);

    const again = chart(repo, url, 'release');
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toContain('0 published, 0 to publish, 3 already there, 0 conflicting');

    // The registry really holds the packages, library vendored.
    const pulled = tmp();
    runHelm(['pull', `${url}/web`, '--version', '1.1.0', '--destination', pulled, '--untar', '--plain-http'], pulled);
    expect(readFileSync(join(pulled, 'web', 'Chart.yaml'), 'utf8')).toContain('version: 1.1.0');
    expect(readFileSync(join(pulled, 'web', 'charts', 'lib', 'Chart.yaml'), 'utf8')).toContain('type: library');
  });

  it('publishes exactly what Argo CD then renders: helm template in the pulled package equals gitops render, byte for byte', () => {
    const repo = createRepo(fleetFiles());
    const url = target();
    expect(chart(repo, url, 'release').exitCode).toBe(0);
    const rendered = runCli(['render', '--env', 'prod', '--service', 'shop', '--format', 'json'], { cwd: repo.dir });
    expect(rendered.exitCode, rendered.stderr).toBe(0);
    const app = (JSON.parse(rendered.stdout) as { applications: { command: string[]; manifests: string }[] }).applications[0]!;

    // As the repo-server does: pull into a temp dir, render in the extracted chart with the value files of the $values checkout.
    const pulled = tmp();
    runHelm(['pull', `${url}/web`, '--version', '1.0.0', '--destination', pulled, '--untar', '--plain-http'], pulled);
    const args = app.command.slice(1).map((arg, i, all) => (all[i - 1] === '--values' ? join(repo.dir, arg) : arg));
    expect(args.slice(0, 2)).toEqual(['template', '.']);
    expect(runHelm(args, join(pulled, 'web'))).toBe(app.manifests);
  });

  it('refuses to overwrite a version the registry holds with other content, naming the files', () => {
    const repo = createRepo(fleetFiles());
    const url = target();
    // Someone pushed a web 1.0.0 that is not the released one.
    const forged = tmp();
    for (const [path, text] of Object.entries(chartFiles)) {
      mkdirSync(join(forged, path, '..'), { recursive: true });
      writeFileSync(join(forged, path), path.endsWith('values.yaml') ? `${text}forged: true\n` : text);
    }
    runHelm(['dependency', 'build'], join(forged, 'platform-charts/web'));
    runHelm(['package', '.', '--destination', forged], join(forged, 'platform-charts/web'));
    runHelm(['push', join(forged, 'web-1.0.0.tgz'), url, '--plain-http'], forged);

    const r = chart(repo, url, 'release');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^platform-charts\/web\/Chart\.yaml error CHART_REGISTRY_MISMATCH .*\/web:1\.0\.0 is not the package of web 1\.0\.0 released at [0-9a-f]{12}: web\/values\.yaml differ/m);
    expect(r.stdout).toContain('web 1.0.0');
    expect(r.stdout).toContain('CONFLICT');
    expect(repo.git('tag', '--list')).toBe('lib-1.0.0\n');
    // Still the forged package: never overwritten.
    const pulled = tmp();
    runHelm(['pull', `${url}/web`, '--version', '1.0.0', '--destination', pulled, '--untar', '--plain-http'], pulled);
    expect(readFileSync(join(pulled, 'web', 'values.yaml'), 'utf8')).toContain('forged: true');
  });
});

describe('gitops chart verify', () => {
  it('passes when every pinned version is in the registry as released, and names the pins of a missing one', () => {
    const repo = createRepo(fleetFiles());
    const url = target();
    const missing = chart(repo, url, 'verify');
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(/CHART_NOT_PUBLISHED .*\/web has no version 1\.0\.0, pinned by blog\/dev, cart\/dev, cart\/prod, shop\/dev, shop\/prod: Argo CD cannot pull it/);

    expect(chart(repo, url, 'release').exitCode).toBe(0);
    const ok = chart(repo, url, 'verify');
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stderr).toContain('1 of 1 pinned versions match their rebuilt package');
  });

  it('exits 2 with a hint when the registry cannot be reached', () => {
    const repo = createRepo(fleetFiles());
    const r = runCli(['chart', 'verify', '--registry', 'oci://127.0.0.1:1/charts', '--plain-http'], { cwd: repo.dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('error HELM_REGISTRY_FAILED');
    expect(r.stderr).toContain('hint: Check that 127.0.0.1:1 is reachable');
  });

  it('exits 2 for an unknown action', () => {
    const repo = createRepo(fleetFiles());
    const r = runCli(['chart', 'publish'], { cwd: repo.dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('chart: unknown action "publish"');
  });
});
