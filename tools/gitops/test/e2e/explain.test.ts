import { describe, expect, it } from 'vitest';
import { fleetFiles } from '../fixtures/fleet.js';
import { createRepo } from '../helpers/git-repo.js';
import { runCli, toolRoot } from '../helpers/run-cli.js';

describe('gitops explain', () => {
  it('says what a code means, how severe it is where, how to fix it, with an example and its page', () => {
    const r = runCli(['explain', 'policy_mtls_not_strict'], { cwd: toolRoot });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('POLICY_MTLS_NOT_STRICT\n  A PeerAuthentication requires STRICT mutual TLS');
    expect(r.stdout).toContain('  Severity: warning in the baseline profile, error in the restricted profile, in mesh environments only;');
    // A namespace- or mesh-wide PeerAuthentication may come from another Application.
    expect(r.stdout).toContain('in mesh environments only; it reads what the other Applications of the environment render, so it is not applied to a chart rendered with its CI values;');
    expect(runCli(['explain', 'POLICY_RUN_AS_ROOT'], { cwd: toolRoot }).stdout).not.toContain('it reads');
    expect(r.stdout).toContain('  Fix: Render a PeerAuthentication with mtls.mode: STRICT');
    expect(r.stdout).toMatch(/ {2}Example:\n {4}services\/orders\/values-prod\.yaml:\d+:\d+ error POLICY_MTLS_NOT_STRICT /);
    expect(r.stdout).toMatch(/ {2}More: \S+README\.md#policy_mtls_not_strict\n/);
  });

  it('explains every code, and JSON says the same', () => {
    const list = runCli(['explain', '--list', '--json'], { cwd: toolRoot });
    expect(list.exitCode).toBe(0);
    const all = JSON.parse(list.stdout) as { code: string; meaning: string; fix: string; docs: string }[];
    expect(all.length).toBeGreaterThan(100);
    for (const e of all) {
      expect(e.meaning, e.code).toMatch(/\.\)?$/);
      expect(e.fix.length, e.code).toBeGreaterThan(10);
      expect(e.docs, e.code).toContain(`#${e.code.toLowerCase()}`);
    }
    const one = runCli(['explain', 'VALUES_YAML11_NUMBER', '--json'], { cwd: toolRoot });
    expect(JSON.parse(one.stdout)).toEqual(all.find((e) => e.code === 'VALUES_YAML11_NUMBER'));
  });

  it('an unknown code is a usage error naming the nearest one', () => {
    const r = runCli(['explain', 'VALUES_YAML11_NUMBR'], { cwd: toolRoot });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('gitops: error CODE_UNKNOWN: VALUES_YAML11_NUMBR: no such finding code\n  hint: Did you mean VALUES_YAML11_NUMBER?');
  });
});

describe('--fail-on', () => {
  it('fails on warnings only when asked; an unknown severity is a usage error', () => {
    // Without a chart schema, `on` is only a warning (YAML 1.1 reads it as true).
    const { 'platform-charts/web/values.schema.json': _schema, ...files } = fleetFiles();
    const repo = createRepo(files);
    repo.commit('yaml 1.1', { 'services/shop/values-prod.yaml': 'environment: on\n' });
    const base = ['lint', '--env', 'prod', '--service', 'shop'];
    const plain = runCli(base, { cwd: repo.dir });
    expect(plain.stdout).toMatch(/ warning VALUES_YAML11 /);
    expect(plain.stdout).not.toMatch(/ error /);
    expect(plain.exitCode).toBe(0);
    expect(runCli([...base, '--fail-on', 'warning'], { cwd: repo.dir }).exitCode).toBe(1);
    expect(runCli([...base, '--fail-on', 'error'], { cwd: repo.dir }).exitCode).toBe(0);
    const bad = runCli([...base, '--fail-on', 'info'], { cwd: repo.dir });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain("argument 'info' is invalid. Allowed choices are error, warning.");
  });
});
