import { describe, expect, it } from 'vitest';
import { baseFiles, goodObjects, policy, serviceFiles, type Objects } from '../fixtures/policy/fleet.js';
import { createRepo } from '../helpers/git-repo.js';

/** A service whose container writes to its root filesystem, in dev and prod. */
function legacy(): Record<string, string> {
  const o: Objects = goodObjects('legacy', 'shop');
  o.deployment.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false;
  return { ...baseFiles(), ...serviceFiles({ name: 'legacy', objects: o, envs: ['dev', 'prod'] }) };
}

const WAIVER = `# yaml-language-server: $schema=../../tools/gitops/schemas/waivers.schema.json
waivers:
  - rule: POLICY_ROOT_FILESYSTEM_WRITABLE
    resource: { kind: Deployment, name: legacy }
    reason: The vendor image writes its cache under /opt/app; the fixed image ships in January.
    owner: "@acme/shop"
    expires: 2027-02-01
`;

// Findings about rendered fields are at the values line that set them (the fixture renders values verbatim).
const list = (findings: { code: string; severity: string; env?: string; location?: { file: string; line?: number } }[]) =>
  findings.map((f) => `${f.env ?? '-'} ${f.severity} ${f.code} ${f.location?.file}${f.location?.line ? `:${f.location.line}` : ''}`);

describe('gitops policy: waivers', () => {
  it('waives a rule for the service that owns the waiver until it expires', () => {
    const repo = createRepo({ ...legacy(), 'services/legacy/waivers.yaml': WAIVER });

    const before = policy(repo, [], { GITOPS_TODAY: '2027-01-31' });
    expect(before.exitCode, before.stderr).toBe(0);
    expect(before.findings).toEqual([]);
    expect(before.summary).toMatch(/: no findings, 2 waived in/);

    // On its expiry date the waiver stops waiving, and says so where it is written.
    const after = policy(repo, [], { GITOPS_TODAY: '2027-02-01' });
    expect(after.exitCode).toBe(1);
    expect(list(after.findings)).toEqual([
      'dev warning POLICY_ROOT_FILESYSTEM_WRITABLE services/legacy/values.yaml:60',
      'prod error POLICY_ROOT_FILESYSTEM_WRITABLE services/legacy/values.yaml:60',
      '- warning WAIVER_EXPIRED services/legacy/waivers.yaml:7',
    ]);
    expect(after.findings[2]!.message).toBe('waiver of POLICY_ROOT_FILESYSTEM_WRITABLE for service legacy (owner @acme/shop) expired on 2027-02-01: the rule applies again');
  });

  it('reports a waiver that matches nothing, also one for a rule that is off in the profile', () => {
    const waivers = `waivers:
  - rule: POLICY_HOST_PATH
    reason: Left over from the log shipper that used to run in the pod.
    owner: "@acme/shop"
    expires: 2027-06-30
  - rule: POLICY_REPLICAS_TOO_FEW
    environment: dev
    reason: A second replica in dev costs money and proves nothing.
    owner: "@acme/shop"
    expires: 2027-06-30
`;
    const repo = createRepo({ ...baseFiles(), ...serviceFiles({ name: 'tidy', objects: goodObjects('tidy', 'shop'), envs: ['dev', 'prod'] }), 'services/tidy/waivers.yaml': waivers });
    const r = policy(repo, [], { GITOPS_TODAY: '2026-12-01' });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(list(r.findings)).toEqual(['- warning WAIVER_UNUSED services/tidy/waivers.yaml:2', 'dev warning WAIVER_UNUSED services/tidy/waivers.yaml:6']);
    expect(r.findings[1]!.message).toBe('waiver of POLICY_REPLICAS_TOO_FEW for service tidy in dev matches no finding');

    // Applications that were not checked cannot prove a waiver unused.
    const devOnly = policy(repo, ['--env', 'prod'], { GITOPS_TODAY: '2026-12-01' });
    expect(devOnly.findings).toEqual([]);
  });

  it('rejects malformed waivers at their line, and a file with one waives nothing', () => {
    const waivers = `waivers:
  - rule: POLICY_ROOT_FS_WRITABLE
    reason: The vendor image writes its cache under /opt/app.
    owner: "@acme/shop"
    expires: 2027-02-01
  - rule: POLICY_ROOT_FILESYSTEM_WRITABLE
    owner: acme-shop
    expires: 2027-02-01
`;
    const repo = createRepo({ ...legacy(), 'services/legacy/waivers.yaml': waivers });
    const r = policy(repo, ['--env', 'prod'], { GITOPS_TODAY: '2026-12-01' });
    expect(r.exitCode).toBe(1);
    expect(r.findings.filter((f) => f.code === 'WAIVER_INVALID').map((f) => `${f.location!.file}:${f.location!.line} ${f.message}`)).toEqual([
      'services/legacy/waivers.yaml:2 waivers.0.rule: "POLICY_ROOT_FS_WRITABLE" is not a policy rule (did you mean "POLICY_ROOT_FILESYSTEM_WRITABLE"?)',
      'services/legacy/waivers.yaml:6 waivers.1: "reason" is required',
      'services/legacy/waivers.yaml:7 waivers.1.owner: must match pattern "^@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(/[A-Za-z0-9._-]+)?$"',
    ]);
    expect(r.findings.map((f) => f.code)).toContain('POLICY_ROOT_FILESYSTEM_WRITABLE');
  });

  it("keeps a service's waivers to that service, and checks dates and environments", () => {
    const waivers = `waivers:
  - rule: POLICY_ROOT_FILESYSTEM_WRITABLE
    service: checkout
    reason: The vendor image writes its cache under /opt/app.
    owner: "@acme/shop"
    expires: 2027-02-01
  - rule: POLICY_ROOT_FILESYSTEM_WRITABLE
    environment: qa
    reason: The vendor image writes its cache under /opt/app.
    owner: "@acme/shop"
    expires: 2027-02-30
`;
    const repo = createRepo({ ...legacy(), 'services/legacy/waivers.yaml': waivers });
    const r = policy(repo, [], { GITOPS_TODAY: '2026-12-01' });
    expect(r.findings.filter((f) => f.code === 'WAIVER_INVALID').map((f) => `${f.location!.line} ${f.message}`)).toEqual([
      '3 waivers.0.service: services/legacy/waivers.yaml may only waive service "legacy", not "checkout"',
      '8 waivers.1.environment: there is no environment "qa"',
      '11 waivers.1.expires: "2027-02-30" is not a date',
    ]);
  });

  it('takes platform-wide waivers from environments/waivers.yaml', () => {
    const waivers = `waivers:
  - rule: POLICY_ROOT_FILESYSTEM_WRITABLE
    service: "*"
    environment: dev
    reason: Hot reload in dev writes compiled assets next to the sources.
    owner: "@acme/platform-team"
    expires: 2027-02-01
  - rule: POLICY_ROOT_FILESYSTEM_WRITABLE
    reason: Without a service this would waive the rule for nobody in particular.
    owner: "@acme/platform-team"
    expires: 2027-02-01
`;
    const repo = createRepo({ ...legacy(), 'environments/waivers.yaml': waivers });
    const r = policy(repo, [], { GITOPS_TODAY: '2026-12-01' });
    expect(list(r.findings)).toEqual([
      '- error WAIVER_INVALID environments/waivers.yaml:8',
      'prod error POLICY_ROOT_FILESYSTEM_WRITABLE services/legacy/values.yaml:60',
    ]);
    expect(r.findings[0]!.message).toBe('waivers.1: "service" is required in environments/waivers.yaml (a service name, or "*" for every service)');
    expect(r.summary).toMatch(/1 waived/);
  });

  it('never takes a waiver from the rendered objects themselves', () => {
    const files = legacy();
    const o: Objects = goodObjects('legacy', 'shop');
    o.deployment.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false;
    o.deployment.metadata.annotations = { 'policy.platform/waive': 'POLICY_ROOT_FILESYSTEM_WRITABLE' };
    Object.assign(files, serviceFiles({ name: 'legacy', objects: o, envs: ['prod'] }));
    const r = policy(createRepo(files));
    expect(r.findings.map((f) => f.code)).toEqual(['POLICY_ROOT_FILESYSTEM_WRITABLE']);
  });
});
