import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { exampleFleetRepo } from '../fixtures/example-fleet.js';
import { fleetFiles, service } from '../fixtures/fleet.js';
import { createRepo } from '../helpers/git-repo.js';
import { runCli, tempCache } from '../helpers/run-cli.js';

const schemaDir = join(__dirname, '..', '..', '..', '..', '..', 'shared', 'schemas');
// The fixture's commits are all dated 2026-01-01T00:00:00Z.
const env = { GITOPS_SCHEMA_DIR: schemaDir, GITOPS_TODAY: '2026-01-02' };

/** The fixture fleet with prod promoted from dev, under the baseline profile (policy warns, nothing fails). */
function fleet(promotion = 'promotion:\n  from: dev\n'): Record<string, string> {
  const files = fleetFiles();
  files['environments/prod/environment.yaml'] = files['environments/prod/environment.yaml']!.replace('policyProfile: restricted', 'policyProfile: baseline') + promotion;
  return files;
}

interface FleetJson {
  schemaVersion: number;
  command: string;
  summary: Record<string, number>;
  environments: { name: string; source?: string }[];
  services: { name: string; team: string; cells: { env: string; release: { chart: string; image: string; config: string | null } | null; behind?: { source: string; changes: unknown[] }; blocked?: string[]; errors: number; waivers: number; since?: string }[]; history: { env: string; author: string; date: string; subject: string; changes: unknown[] }[]; differences: unknown[] }[];
  charts: { chart: string; versions: { version: string; pins: { service: string; env: string }[] }[] }[];
  waivers: { rule: string; service: string; owner: string; expires: string; status: string; daysLeft: number }[];
  findings: { team: string; code: string; severity: string; service?: string; env?: string }[];
}

const cellOf = (report: FleetJson, name: string, envName: string) => report.services.find((s) => s.name === name)!.cells.find((c) => c.env === envName)!;

describe('gitops fleet', () => {
  it('shows what runs where in promotion order, what is behind, with filters, colour only when asked, and as JSON', () => {
    const repo = createRepo(fleet());
    const cacheDir = tempCache();
    const r = runCli(['fleet'], { cwd: repo.dir, env, cacheDir });
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^SERVICE +TEAM +dev +prod \(← dev\)$/);
    expect(lines[1]).toMatch(/^blog +content +1\.0\.0 0\.1\.0 +—$/);
    expect(lines[2]).toMatch(/^cart +commerce +1\.0\.0 0\.4\.0 +1\.0\.0 0\.3\.0 ↓$/);
    expect(lines[3]).toMatch(/^shop +commerce +1\.0\.0 2\.0\.0 +1\.0\.0 1\.9\.0 ↓$/);
    expect(r.stdout).toMatch(/\n3 services in 2 environments: 5 Applications, 2 behind, 0 blocked, 0 failing, 0 waived; 0 errors, \d+ warnings\n$/);
    // Not a terminal: no colour.
    expect(r.stdout).not.toContain('\x1b[');

    const team = runCli(['fleet', '--team', 'content'], { cwd: repo.dir, env, cacheDir });
    expect(team.stdout.split('\n').slice(1, 3)).toEqual([expect.stringMatching(/^blog +content/), '']);
    const prod = runCli(['fleet', '--env', 'prod', '--service', 'shop'], { cwd: repo.dir, env, cacheDir });
    expect(prod.stdout.split('\n').slice(0, 2)).toEqual([expect.stringMatching(/^SERVICE +TEAM +prod \(← dev\)$/), expect.stringMatching(/^shop +commerce +1\.0\.0 1\.9\.0 ↓$/)]);
    expect(prod.stdout).toContain('1 service in 1 environment: 1 Application, 1 behind');

    const coloured = runCli(['fleet'], { cwd: repo.dir, env: { ...env, NO_COLOR: '', FORCE_COLOR: '1' }, cacheDir });
    expect(coloured.stdout).toContain('\x1b[33m↓\x1b[39m');

    const json = runCli(['fleet', '--format', 'json'], { cwd: repo.dir, env, cacheDir });
    expect(json.exitCode, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as FleetJson;
    expect(report).toMatchObject({ schemaVersion: 1, command: 'fleet', summary: { services: 3, environments: 2, applications: 5, behind: 2, blocked: 0, failing: 0, waived: 0, errors: 0 } });
    expect(report.environments.map((e) => [e.name, e.source])).toEqual([['dev', undefined], ['prod', 'dev']]);
    expect(cellOf(report, 'cart', 'prod')).toMatchObject({ release: { chart: '1.0.0', image: '0.3.0', config: null }, behind: { source: 'dev', changes: [{ part: 'image', from: '0.3.0', to: '0.4.0' }] } });
    expect(cellOf(report, 'blog', 'prod').release).toBeNull();
    expect(report.charts).toMatchObject([{ chart: 'web', versions: [{ version: '1.0.0', pins: expect.arrayContaining([{ service: 'shop', env: 'prod' }]) }] }]);
    expect(report.charts[0]!.versions[0]!.pins).toHaveLength(5);
    // With a report on stdout, the summary line goes to stderr.
    expect(json.stderr).toContain('3 services in 2 environments');
  });

  it('marks what a gate blocks, what fails check (findings grouped by team) and what a waiver covers', () => {
    const repo = createRepo({
      ...fleet('promotion:\n  from: dev\n  soak: 3d\n'),
      'services/cart/values-prod.yaml': 'replicaCount: many\n',
      'services/blog/waivers.yaml': `waivers:
  - rule: POLICY_RUN_AS_ROOT
    environment: dev
    reason: The blog engine image runs as root until its next major version.
    owner: "@acme/content"
    expires: 2026-03-01
`,
    });
    const cacheDir = tempCache();
    const r = runCli(['fleet', '--format', 'text', '--format', 'json=fleet.json'], { cwd: repo.dir, env, cacheDir });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^blog +content +1\.0\.0 0\.1\.0 ≈ +—$/m);
    expect(r.stdout).toMatch(/^cart +commerce +1\.0\.0 0\.4\.0 +1\.0\.0 0\.3\.0 ↓⊘✗$/m);
    // dev's releases arrived on 2026-01-01: a day of the 3 days prod asks for.
    expect(r.stdout).toContain('  cart/prod, shop/prod: soak 3d: 2d left in dev\n');
    const report = JSON.parse(readFileSync(join(repo.dir, 'fleet.json'), 'utf8')) as FleetJson;
    expect(report.summary).toMatchObject({ behind: 2, blocked: 2, failing: 1, waived: 1 });
    const errors = report.findings.filter((f) => f.severity === 'error');
    // The values schema's error at the line, and helm's own refusal of the same value.
    expect(errors.map((f) => [f.team, f.service, f.env])).toEqual(errors.map(() => ['commerce', 'cart', 'prod']));
    expect(errors.map((f) => f.code)).toContain('VALUES_WRONG_TYPE');
    expect(report.summary.errors).toBe(errors.length);
    expect(cellOf(report, 'cart', 'prod')).toMatchObject({ errors: errors.length, blocked: ['soak 3d: 2d left in dev'] });
    expect(cellOf(report, 'cart', 'dev').errors).toBe(0);
    expect(new Set(report.findings.map((f) => f.team))).toEqual(new Set(['commerce', 'content']));
    expect(report.waivers).toEqual([expect.objectContaining({ rule: 'POLICY_RUN_AS_ROOT', service: 'blog', owner: '@acme/content', expires: '2026-03-01', status: 'active', daysLeft: 58 })]);

    // A freeze window blocks every promotion into prod; a failing source blocks its own.
    repo.commit('prod freeze, cart dev broken', {
      'environments/prod/environment.yaml': fleet()['environments/prod/environment.yaml']! + '  freeze:\n    - { from: "2026-01-01", until: "2026-01-05", reason: year-end freeze }\n',
      'services/cart/values-prod.yaml': null,
      'services/cart/values-dev.yaml': 'replicaCount: many\n',
    });
    const frozen = runCli(['fleet'], { cwd: repo.dir, env, cacheDir });
    expect(frozen.exitCode, frozen.stderr).toBe(0);
    expect(frozen.stdout).toMatch(/^cart +commerce +1\.0\.0 0\.4\.0 ✗ +1\.0\.0 0\.3\.0 ↓⊘$/m);
    expect(frozen.stdout).toContain('  cart/prod, shop/prod: prod is frozen until 2026-01-05 (year-end freeze)\n');
    expect(frozen.stdout).toMatch(/^  cart\/prod: dev fails checks \(\d+ errors?\)$/m);
  });

  it('keeps the promotion history with authors and dates, and writes the page', () => {
    const repo = createRepo(fleet());
    repo.git('config', 'user.name', 'Rita Release');
    repo.commit('promote shop 2.0.0 to prod', { 'services/shop/service.yaml': service('shop', 'commerce', { dev: { chart: '1.0.0', image: '2.0.0' }, prod: { chart: '1.0.0', image: '2.0.0' } }) });
    const r = runCli(['fleet', '--format', 'json', '--format', 'html=site/index.html', '--service', 'shop'], { cwd: repo.dir, env });
    expect(r.exitCode, r.stderr).toBe(0);
    const shop = (JSON.parse(r.stdout) as FleetJson).services[0]!;
    expect(shop.cells.map((c) => [c.env, c.release?.image, Boolean(c.behind), c.since])).toEqual([
      ['dev', '2.0.0', false, '2026-01-01T00:00:00+00:00'],
      ['prod', '2.0.0', false, '2026-01-01T00:00:00+00:00'],
    ]);
    expect(shop.differences).toEqual([]);
    expect(shop.history.map((e) => [e.env, e.author, e.subject, e.changes])).toEqual([
      ['prod', 'Rita Release', 'promote shop 2.0.0 to prod', [{ part: 'image', from: '1.9.0', to: '2.0.0' }]],
      ['dev', 'Test', 'initial', [{ part: 'chart', to: '1.0.0' }, { part: 'image', to: '2.0.0' }]],
      ['prod', 'Test', 'initial', [{ part: 'chart', to: '1.0.0' }, { part: 'image', to: '1.9.0' }]],
    ]);
    const page = readFileSync(join(repo.dir, 'site/index.html'), 'utf8');
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('<section class="service" id="service-shop"');
    expect(page).toContain('promote shop 2.0.0 to prod');
    expect(page).toContain('Rita Release');
    // Self-contained: nothing to fetch, no script; every link stays on the page.
    expect(page).not.toMatch(/<script|<link|<img|\ssrc=|url\(/i);
    expect([...page.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!.slice(0, 1))).toEqual(expect.arrayContaining(['#']));
    expect([...page.matchAll(/href="([^"]*)"/g)].filter((m) => !m[1]!.startsWith('#'))).toEqual([]);
  });

  it('shows config pins, behind only when the files the Application reads changed since', () => {
    const repo = createRepo(fleet());
    const initial = repo.git('rev-parse', 'HEAD').trim();
    const pinned = (name: string, team: string, dev: string, prod: string) => `name: ${name}\nteam: ${team}\nchart: web\nreleases:\n  dev: { chart: 1.0.0, image: "${dev}" }\n  prod: { chart: 1.0.0, image: "${prod}", config: ${initial} }\n`;
    repo.commit('prod reads its values at a commit', { 'services/shop/service.yaml': pinned('shop', 'commerce', '2.0.0', '2.0.0'), 'services/cart/service.yaml': pinned('cart', 'commerce', '0.4.0', '0.3.0') });
    const change = repo.commit('shop: two replicas', { 'services/shop/values.yaml': 'image:\n  repository: registry.example.com/commerce/shop\nreplicaCount: 2\n' });
    const r = runCli(['fleet', '--format', 'json', '--format', 'text=fleet.txt'], { cwd: repo.dir, env });
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as FleetJson;
    expect(cellOf(report, 'shop', 'prod')).toMatchObject({ release: { config: initial }, behind: { source: 'dev', changes: [{ part: 'config', from: initial, to: change }] } });
    // cart's files are the same at both commits: only its image is behind.
    expect(cellOf(report, 'cart', 'prod').behind).toEqual({ source: 'dev', changes: [{ part: 'image', from: '0.3.0', to: '0.4.0' }] });
    expect(cellOf(report, 'cart', 'dev').release).toEqual({ chart: '1.0.0', image: '0.4.0', config: null });
    expect(readFileSync(join(repo.dir, 'fleet.txt'), 'utf8')).toMatch(new RegExp(`^shop +commerce +1\\.0\\.0 2\\.0\\.0 main +1\\.0\\.0 2\\.0\\.0 ${initial.slice(0, 7)} ↓$`, 'm'));
  });

  it('answers "what runs where" for the example fleet: every pin in its cell, one row per service', () => {
    const repo = exampleFleetRepo();
    const r = runCli(['fleet', '--format', 'json=fleet.json', '--format', 'text'], { cwd: repo.dir, env: { GITOPS_SCHEMA_DIR: schemaDir } });
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(repo.dir, 'fleet.json'), 'utf8')) as FleetJson;
    const names = repo.git('ls-files', 'services/*/service.yaml').trim().split('\n').map((f) => f.split('/')[1]!).sort();
    expect(report.services.map((s) => s.name)).toEqual(names);
    let pins = 0;
    for (const name of names) {
      const { releases } = parse(readFileSync(join(repo.dir, 'services', name, 'service.yaml'), 'utf8')) as { releases: Record<string, { chart: string; image: string }> };
      const shown = report.services.find((s) => s.name === name)!.cells.filter((c) => c.release);
      expect(Object.fromEntries(shown.map((c) => [c.env, { chart: c.release!.chart, image: c.release!.image }])), name).toEqual(Object.fromEntries(Object.entries(releases).map(([e, p]) => [e, { chart: String(p.chart), image: String(p.image) }])));
      pins += Object.keys(releases).length;
      expect(r.stdout).toMatch(new RegExp(`^${name} `, 'm'));
    }
    expect(report.summary.applications).toBe(pins);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(new RegExp(`^${names.length} services in \\d+ environments: ${pins} Applications, \\d+ behind`));
  });

  it('refuses what it cannot show, with exit 2 and what to do', () => {
    const repo = createRepo(fleet());
    const team = runCli(['fleet', '--team', 'comerce'], { cwd: repo.dir, env });
    expect(team.exitCode).toBe(2);
    expect(team.stderr).toContain('--team comerce: no service belongs to this team');
    expect(team.stderr).toContain('Teams: commerce, content');
    const format = runCli(['fleet', '--format', 'pdf'], { cwd: repo.dir, env });
    expect(format.exitCode).toBe(2);
    expect(format.stderr).toContain('--format pdf: unknown format "pdf"');
    const two = runCli(['fleet', '--format', 'json', '--format', 'markdown'], { cwd: repo.dir, env });
    expect(two.exitCode).toBe(2);
    expect(two.stderr).toContain('only one report can go to stdout');
  });
});
