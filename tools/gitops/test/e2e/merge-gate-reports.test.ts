import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import { expect, it } from 'vitest';
import { schemaDir } from '../fixtures/example-fleet.js';
import { fleetFiles } from '../fixtures/fleet.js';
import { createRepo } from '../helpers/git-repo.js';
import { runCli, toolRoot } from '../helpers/run-cli.js';

const env = { GITOPS_SCHEMA_DIR: schemaDir, GITOPS_TODAY: '2026-11-24' };

// The OASIS SARIF 2.1.0 schema (final, rtm.5), vendored: nothing downloads at test time.
const sarifSchema = JSON.parse(readFileSync(join(toolRoot, 'test/fixtures/sarif/sarif-2.1.0-rtm.5.json'), 'utf8')) as object;

interface SarifRule {
  id: string;
  fullDescription?: { text: string };
  helpUri?: string;
  properties?: { tags?: string[]; 'security-severity'?: string };
}

/** The tiny fleet with an unknown values key in shop's prod overlay, at line 2. */
function brokenFleet() {
  const repo = createRepo(fleetFiles());
  repo.write({ 'services/shop/values-prod.yaml': 'replicaCount: 3\nreplicaCont: 2\n' });
  mkdirSync(join(repo.dir, 'reports'));
  return repo;
}

it('check writes GitHub annotations on the values line, valid SARIF with documented rules, and JUnit, in one run', () => {
  const repo = brokenFleet();
  const r = runCli(['check', '--format', 'github', '--format', 'sarif=reports/gitops.sarif', '--format', 'junit=reports/junit.xml', '--format', 'json=reports/check.json'], { cwd: repo.dir, env });
  expect(r.exitCode, r.stderr).toBe(1);

  // Annotations: one workflow command per finding, errors first, nothing else on stdout.
  const lines = r.stdout.trimEnd().split('\n');
  expect(lines.every((l) => /^::(error|warning) /.test(l))).toBe(true);
  expect(lines.findIndex((l) => l.startsWith('::warning'))).not.toBe(0);
  expect(r.stdout).toContain('::error file=services/shop/values-prod.yaml,line=2,col=1,title=VALUES_UNKNOWN_KEY::');
  const unknown = lines.find((l) => l.includes('title=VALUES_UNKNOWN_KEY'))!;
  // The hint travels on a second line, encoded so the runner keeps it in the one annotation.
  expect(unknown).toMatch(/::.*"replicaCont" is not allowed.*%0Ahint: /);

  // SARIF: valid against the 2.1.0 schema; every rule described, linked to its README anchor.
  const sarif = JSON.parse(readFileSync(join(repo.dir, 'reports/gitops.sarif'), 'utf8')) as { runs: { tool: { driver: { rules: SarifRule[] } } }[] };
  // A CommonJS module: its class is the module's default export.
  const ajv = new AjvDraft04.default({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false }) // the schema's language pattern is not valid in Unicode mode;
  const valid = ajv.validate(sarifSchema, sarif);
  expect(ajv.errors ?? [], 'SARIF 2.1.0 schema errors').toEqual([]);
  expect(valid).toBe(true);
  const rules = sarif.runs[0]!.tool.driver.rules;
  const readme = readFileSync(join(toolRoot, 'README.md'), 'utf8');
  for (const rule of rules) {
    expect(rule.fullDescription?.text, rule.id).toMatch(/\S/);
    expect(rule.helpUri, rule.id).toBe(`https://github.com/acme/platform-gitops/blob/main/tools/gitops/README.md#${rule.id.toLowerCase()}`);
    expect(readme, `README anchor of ${rule.id}`).toContain(`<a id="${rule.id.toLowerCase()}"></a>`);
  }
  const byId = new Map(rules.map((rule) => [rule.id, rule]));
  expect(byId.get('VALUES_UNKNOWN_KEY')?.fullDescription?.text).toBe("The merged values set a key the chart's values.schema.json does not allow.");
  expect(byId.get('VALUES_UNKNOWN_KEY')?.properties?.['security-severity']).toBeUndefined();
  // The tiny chart runs as root: a security rule, scored and tagged for code scanning.
  const root = byId.get('POLICY_RUN_AS_ROOT');
  expect(root?.properties).toEqual({ tags: ['security'], 'security-severity': '7.0' });
  expect(root?.fullDescription?.text).toMatch(/root/i);

  // JUnit for the workflow's test report, and the JSON the PR comment reads.
  expect(readFileSync(join(repo.dir, 'reports/junit.xml'), 'utf8')).toMatch(/<failure [^>]*>[^<]*services\/shop\/values-prod.yaml:2:1: VALUES_UNKNOWN_KEY/);
  const json = JSON.parse(readFileSync(join(repo.dir, 'reports/check.json'), 'utf8')) as { command: string; findings: { code: string }[] };
  expect(json.command).toBe('check');
  expect(json.findings.some((f) => f.code === 'VALUES_UNKNOWN_KEY')).toBe(true);

  // The PR comment reads exactly this file: the check's own report, its findings per environment.
  repo.commit('values', {});
  const comment = runCli(['diff', '--base', 'HEAD', '--check-report', 'reports/check.json', '--format', 'markdown'], { cwd: repo.dir, env });
  expect(comment.exitCode, comment.stderr).toBe(0);
  expect(comment.stdout).toContain('VALUES_UNKNOWN_KEY');
});

it('refuses two reports on stdout, text included, and a report directory that does not exist, before rendering', () => {
  const repo = brokenFleet();
  const two = runCli(['check', '--format', 'text', '--format', 'github'], { cwd: repo.dir, env });
  expect(two.exitCode).toBe(2);
  expect(two.stderr).toContain('only one report can go to stdout (text, github)');

  const missing = runCli(['check', '--format', 'sarif=out/gitops.sarif'], { cwd: repo.dir, env });
  expect(missing.exitCode).toBe(2);
  expect(missing.stderr).toContain(`error OUTPUT_DIR_MISSING: --format sarif=out/gitops.sarif: the directory <root>/out does not exist`);
  expect(missing.stderr).toContain('hint: Create it first (mkdir -p <root>/out)');
  expect(missing.stderr).not.toContain('checked');
  expect(() => readFileSync(join(repo.dir, 'out'))).toThrow(/ENOENT/);
});
