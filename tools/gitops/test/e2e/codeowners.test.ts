import { expect, it } from 'vitest';
import { schemaDir } from '../fixtures/example-fleet.js';
import { fleetFiles } from '../fixtures/fleet.js';
import { createRepo } from '../helpers/git-repo.js';
import { runCli } from '../helpers/run-cli.js';

const env = { GITOPS_SCHEMA_DIR: schemaDir, GITOPS_TODAY: '2026-11-24' };

interface JsonFinding {
  code: string;
  severity: string;
  message: string;
  location?: { file: string; line?: number };
}

const codeowners = [
  '*                          @acme/platform', // 1
  '/services/shop/            @acme/commerce', // 2
  '/services/cart/            @acme/content', // 3: cart is commerce's
  '/services/blog/            @acme/team-content', // 4
  '/services/*/service.yaml   @acme/platform', // 5
  '/environments/waivers.yaml @acme/commerce', // 6: a service team may not waive for all
  '/docs/                     not-an-owner', // 7
  '',
].join('\n');

function ownership(findings: JsonFinding[]) {
  return findings.filter((f) => f.code.startsWith('CODEOWNERS_')).map((f) => `${f.location?.file}${f.location?.line ? `:${f.location.line}` : ''} ${f.severity} ${f.code} ${f.message}`);
}

it('check holds CODEOWNERS to each service.yaml team, and waivers and production pins to the platform owners', () => {
  const repo = createRepo({ ...fleetFiles(), '.github/CODEOWNERS': codeowners });
  const r = runCli(['check', '--format', 'json'], { cwd: repo.dir, env });
  expect(r.exitCode).toBe(1);
  expect(ownership((JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings)).toEqual([
    '.github/CODEOWNERS:3 error CODEOWNERS_TEAM_MISMATCH services/cart/ is owned by @acme/content, but service.yaml names team "commerce"',
    '.github/CODEOWNERS:6 error CODEOWNERS_PROTECTED_FILE environments/waivers.yaml can be approved by @acme/commerce alone: it waives policy rules for every service, so only the platform owners (@acme/platform) may approve it',
    '.github/CODEOWNERS:7 error CODEOWNERS_INVALID "not-an-owner" is not an owner (@user, @org/team or an e-mail): GitHub skips the whole line',
  ]);

  // Without the release-pin rule, the teams could approve their own production pins alone.
  repo.write({ '.github/CODEOWNERS': codeowners.replace('/services/*/service.yaml   @acme/platform', '') });
  const pins = runCli(['check', '--format', 'json'], { cwd: repo.dir, env });
  const found = ownership((JSON.parse(pins.stdout) as { findings: JsonFinding[] }).findings);
  expect(found).toContain(
    '.github/CODEOWNERS:2 error CODEOWNERS_PROTECTED_FILE services/shop/service.yaml can be approved by @acme/commerce alone: it pins what runs in prod, so only the platform or release owners of prod (@acme/platform) may approve it',
  );
  // blog runs only in dev (baseline): its pins are its team's.
  expect(found.filter((f) => f.includes('services/blog/service.yaml'))).toEqual([]);
});

it('owners in gitops.yaml name the release managers instead of inferring them', () => {
  const files = fleetFiles();
  const pins = codeowners.replace('/services/*/service.yaml   @acme/platform', '/services/*/service.yaml   @acme/release-managers');
  const repo = createRepo({ ...files, '.github/CODEOWNERS': pins });
  const protectedPins = (r: { stdout: string }) => ownership((JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings).filter((f) => f.includes('CODEOWNERS_PROTECTED_FILE services/'));
  // Inferred, the release owners are those of environment.yaml (the platform): the managers alone are not enough.
  expect(protectedPins(runCli(['check', '--format', 'json'], { cwd: repo.dir, env }))).toContain(
    '.github/CODEOWNERS:5 error CODEOWNERS_PROTECTED_FILE services/shop/service.yaml can be approved by @acme/release-managers alone: it pins what runs in prod, so only the platform or release owners of prod (@acme/platform) may approve it',
  );
  repo.write({ 'gitops.yaml': `${files['gitops.yaml']}owners:\n  platform: ["@acme/platform"]\n  release: ["@acme/release-managers"]\n` });
  expect(protectedPins(runCli(['check', '--format', 'json'], { cwd: repo.dir, env }))).toEqual([]);

  repo.write({ 'gitops.yaml': `${files['gitops.yaml']}owners:\n  release: [release-managers]\n` });
  const bad = runCli(['check'], { cwd: repo.dir, env });
  expect(bad.exitCode).toBe(2);
  expect(bad.stderr).toMatch(/CONFIG_INVALID: gitops\.yaml:6: owners\.release\.0: must match pattern/);
});

it('check warns when there is no CODEOWNERS file at all', () => {
  const repo = createRepo(fleetFiles());
  const r = runCli(['check', '--env', 'dev', '--format', 'json'], { cwd: repo.dir, env });
  expect(ownership((JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings)).toEqual([
    '.github/CODEOWNERS warning CODEOWNERS_MISSING no CODEOWNERS file: no team review is required for any change',
  ]);
});

it("diff --author-team flags another team's service and platform files, by the base's CODEOWNERS", () => {
  const repo = createRepo({ ...fleetFiles(), '.github/CODEOWNERS': codeowners.replace('@acme/content', '@acme/commerce') });
  // A content PR that touches commerce's cart and a platform file, and tries to take cart over.
  repo.commit('content edits', {
    'services/cart/values.yaml': '# cart\nimage:\n  repository: registry.example.com/commerce/cart\n',
    'README.md': 'notes\n',
    '.github/CODEOWNERS': `${codeowners}/services/cart/ @acme/content\n`,
    'services/blog/values.yaml': '# blog\nimage:\n  repository: registry.example.com/content/blog\n',
  });
  const r = runCli(['diff', '--base', 'HEAD~1', '--head', 'HEAD', '--author-team', 'content', '--format', 'json'], { cwd: repo.dir });
  expect(r.exitCode, r.stderr).toBe(0);
  expect(ownership((JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings)).toEqual([
    ".github/CODEOWNERS warning CODEOWNERS_FOREIGN_CHANGE .github/CODEOWNERS is a platform file owned by @acme/platform, not by the author's team content: it needs their review",
    "README.md warning CODEOWNERS_FOREIGN_CHANGE README.md is a platform file owned by @acme/platform, not by the author's team content: it needs their review",
    "services/cart/values.yaml warning CODEOWNERS_FOREIGN_CHANGE services/cart/values.yaml is service cart owned by @acme/commerce, not by the author's team content: it needs their review",
  ]);
  // The same change by the platform team (GITOPS_AUTHOR_TEAM, full handle) only touches what it owns but cart.
  const platform = runCli(['diff', '--base', 'HEAD~1', '--head', 'HEAD', '--format', 'json'], { cwd: repo.dir, env: { GITOPS_AUTHOR_TEAM: '@acme/platform' } });
  expect(ownership((JSON.parse(platform.stdout) as { findings: JsonFinding[] }).findings).map((f) => f.split(' ')[0])).toEqual(['services/blog/values.yaml', 'services/cart/values.yaml']);
});
