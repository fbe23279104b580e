import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { promote } from '../../src/promote/promote.js';
import { openWorkspace } from '../../src/workspace.js';
import { exampleFleetRepo } from '../fixtures/example-fleet.js';
import { runCli } from '../helpers/run-cli.js';

// The fixture's commits all land at 2026-01-01T00:00:00Z.
const env = { GITOPS_TODAY: '2026-11-24', GITOPS_NOW: '2026-01-05T00:00:00Z', GITOPS_SCHEMA_DIR: join(import.meta.dirname, '..', '..', '..', '..', '..', 'shared', 'schemas') };
const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');

// Each run renders and checks the target environment: minutes on a loaded machine.
describe('gitops promote', { timeout: 600_000 }, () => {
  it('copies the release of dev into staging, only the pin changing, then has nothing left to promote', () => {
    const repo = exampleFleetRepo();
    const before = read(repo.dir, 'services/orders/service.yaml');
    const pin = /^ {2}staging: .*$/m.exec(before)![0];
    const config = /config: ([0-9a-f]{40})/.exec(pin)![1]!;

    const r = runCli(['promote', 'orders', '--to', 'staging'], { cwd: repo.dir, env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('promote dev -> staging: 1 ready, 0 blocked, 0 up to date: 1 file written\norders    ready       image 2.3.1 -> 2.4.0\n');
    // Golden: every byte but the promoted value is the same (comments, order, quoting, the config pin).
    expect(read(repo.dir, 'services/orders/service.yaml')).toBe(before.replace(pin, `  staging: { chart: 1.1.0, image: "2.4.0", config: ${config} }`));
    expect(r.stdout).toContain('=== staging/orders (orders-staging): changed');
    expect(r.stdout).toContain('-    app.kubernetes.io/version: 2.3.1\n+    app.kubernetes.io/version: 2.4.0\n');

    const again = runCli(['promote', 'orders', '--to', 'staging', '--from', 'dev'], { cwd: repo.dir, env });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toBe('promote dev -> staging: nothing to promote, staging already runs the release of orders of dev\norders    up to date  same release as the source\n');
  });

  it('carries a values edit to staging only by promotion, with the config commits behind and the rendered change', () => {
    const repo = exampleFleetRepo();
    const overlay = read(repo.dir, 'services/payments/values-staging.yaml');
    const edit = repo.commit('payments: three replicas in staging', { 'services/payments/values-staging.yaml': overlay.replace('replicas: 2', 'replicas: 3') });
    const before = read(repo.dir, 'services/payments/service.yaml');

    const r = runCli(['promote', 'payments', '--to', 'staging', '--dry-run'], { cwd: repo.dir, env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^payments  ready       chart 1\\.0\\.0 -> 1\\.1\\.0, image 3\\.1\\.0 -> 3\\.2\\.0, config [0-9a-f]{12} -> ${edit.slice(0, 12)} \\(1 commit behind\\)$`, 'm'));
    expect(r.stdout).toContain(`+  staging: { chart: 1.1.0, image: "3.2.0", config: ${edit} }`);
    expect(r.stdout).toContain('\n-  replicas: 2\n');
    expect(r.stdout).toContain('\n+  replicas: 3\n');
    expect(r.stdout).toContain('Reaches on merge: staging. Only by promotion: none.\n');
    expect(read(repo.dir, 'services/payments/service.yaml')).toBe(before);
  });

  it('refuses, writing nothing for any service, when a promoted Application fails policy, soak or a freeze', () => {
    const repo = exampleFleetRepo();
    const overlay = read(repo.dir, 'services/orders/values-staging.yaml');
    repo.commit('orders: one replica', { 'services/orders/values-staging.yaml': overlay.replace('replicas: 2', 'replicas: 1') });
    const files = ['services/orders/service.yaml', 'services/payments/service.yaml'].map((f) => [f, read(repo.dir, f)] as const);

    const r = runCli(['promote', 'orders', 'payments', '--to', 'staging'], { cwd: repo.dir, env });
    expect(r.exitCode, r.stdout).toBe(1);
    expect(r.stdout).toContain('promote dev -> staging: 1 ready, 1 blocked, 0 up to date: refused, nothing written');
    expect(r.stdout).toMatch(/^ +POLICY_REPLICAS_TOO_FEW services\/orders\/values-staging\.yaml:1:11: orders-staging: /m);
    for (const [f, text] of files) expect(read(repo.dir, f)).toBe(text);

    const prod = read(repo.dir, 'environments/prod/environment.yaml').replace('  from: staging\n', '  from: staging\n  soak: 7d\n  freeze:\n    - { from: "2026-01-04", until: "2026-01-06", reason: Quarter close }\n');
    repo.commit('prod: soak and freeze', { 'environments/prod/environment.yaml': prod });
    const gated = runCli(['promote', 'orders', '--to', 'prod'], { cwd: repo.dir, env });
    expect(gated.exitCode, gated.stderr).toBe(1);
    expect(gated.stderr).toContain('services/orders/service.yaml:8:3 error PROMOTION_SOAKING orders: the release has run in staging for 4d of the 7d prod asks for (3d to go, since 2026-01-01T00:00:00.000Z)');
    expect(gated.stderr).toContain(`environments/prod/environment.yaml:${prod.split('\n').findIndex((l) => l.includes('Quarter close')) + 1}:7 error PROMOTION_FROZEN prod is frozen from 2026-01-04 until 2026-01-06: Quarter close`);
    expect(read(repo.dir, 'services/orders/service.yaml')).toBe(files[0]![1]);
  });

  it('refuses a --from that is not the promotion source, and unknown services and environments', () => {
    const repo = exampleFleetRepo();
    const wrong = runCli(['promote', 'orders', '--to', 'prod', '--from', 'dev'], { cwd: repo.dir, env });
    expect(wrong.exitCode).toBe(1);
    expect(wrong.stderr).toContain('environments/prod/environment.yaml:11:9 error PROMOTION_FROM_MISMATCH --from dev: prod is promoted from staging, never from dev');
    const service = runCli(['promote', 'ordres', '--to', 'prod'], { cwd: repo.dir, env });
    expect([service.exitCode, service.stderr]).toEqual([2, expect.stringContaining('error SERVICE_UNKNOWN: ordres: no such service')]);
    const target = runCli(['promote', 'orders', '--to', 'qa'], { cwd: repo.dir, env });
    expect([target.exitCode, target.stderr]).toEqual([2, expect.stringContaining('error ENV_UNKNOWN: --to qa: no such environment')]);
    const root = runCli(['promote', 'orders', '--to', 'dev'], { cwd: repo.dir, env });
    expect([root.exitCode, root.stderr]).toEqual([1, expect.stringContaining('environments/dev/environment.yaml error PROMOTION_SOURCE_UNKNOWN dev has no promotion.from')]);
  });

  it('--plan reports every service of the source, in JSON too', () => {
    const repo = exampleFleetRepo();
    const r = runCli(['promote', '--to', 'prod', '--plan', '--format', 'json'], { cwd: repo.dir, env });
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { schemaVersion: number; source: string; services: { service: string; state: string; changes: { part: string; from?: string; to: string }[] }[] };
    expect([report.schemaVersion, report.source]).toEqual([2, 'staging']);
    const byName = Object.fromEntries(report.services.map((s) => [s.service, s]));
    expect(byName['api-gateway']!.state).toBe('up to date');
    expect(byName.orders).toMatchObject({ state: 'ready', changes: [{ part: 'chart', from: '1.0.0', to: '1.1.0' }, { part: 'image', from: '2.3.0', to: '2.3.1' }] });
    expect(byName['pdf-renderer']!.changes.map((c) => c.part)).toEqual(['chart', 'image', 'config']);
    expect(Object.keys(byName)).not.toContain('sandbox');
  });

  it('stops with PROMOTE_FILE_CHANGED, writing nothing, when a pinned file changes on disk while the promotion is checked', async () => {
    const repo = exampleFleetRepo();
    const files = ['services/orders/service.yaml', 'services/payments/service.yaml'];
    const before = new Map(files.map((f) => [f, read(repo.dir, f)]));
    // Someone edits payments' pins while the promoted Applications render.
    const theirs = `${before.get(files[1]!)!}# edited by hand\n`;
    const ws = await openWorkspace({ repo: repo.dir, env: { ...process.env, ...env } });
    const request = { services: ['orders', 'payments'], all: false, to: 'staging', dryRun: false, planOnly: false, now: new Date(env.GITOPS_NOW), today: env.GITOPS_TODAY, engine: 'builtin' as const, ignore: [], env: { ...process.env, ...env } };
    let edited = false;
    const run = promote(ws, { ...request, onProgress: (m) => { if (!edited && m.startsWith('checking')) { edited = true; writeFileSync(join(repo.dir, files[1]!), theirs); } } });
    await expect(run).rejects.toMatchObject({ code: 'PROMOTE_FILE_CHANGED', message: 'services/payments/service.yaml changed on disk while the promotion was checked' });
    expect(edited).toBe(true);
    // Neither file carries the promotion; the hand edit stays; no temp file is left behind.
    expect(read(repo.dir, files[0]!)).toBe(before.get(files[0]!));
    expect(read(repo.dir, files[1]!)).toBe(theirs);
    expect(repo.git('status', '--porcelain', '--', 'services').trim()).toBe('M services/payments/service.yaml');
  });
});
