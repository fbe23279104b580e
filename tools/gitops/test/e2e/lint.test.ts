import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fleetFiles, service } from '../fixtures/fleet.js';
import { createRepo, type TestRepo } from '../helpers/git-repo.js';
import { runCli } from '../helpers/run-cli.js';

function lint(repo: TestRepo, ...args: string[]) {
  return runCli(['lint', ...args], { cwd: repo.dir });
}

/** The fixture fleet with a chart schema that also requires image.repository (no default). */
function strictFleet(): Record<string, string> {
  const files = fleetFiles();
  const schema = JSON.parse(files['platform-charts/web/values.schema.json']!) as { properties: { image: Record<string, unknown> } };
  schema.properties.image.required = ['repository'];
  files['platform-charts/web/values.schema.json'] = JSON.stringify(schema, null, 2);
  files['platform-charts/web/values.yaml'] = 'replicaCount: 1\nimage:\n  tag: ""\nenvironment: ""\n';
  return files;
}

describe('gitops lint: values against the chart schema, at the line that set them', () => {
  it('passes the fixture fleet', () => {
    const r = lint(createRepo(fleetFiles()));
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('linted 5 applications: no findings');
  });

  it('names an unknown key at its line, with the key it probably meant', () => {
    const repo = createRepo(fleetFiles());
    repo.commit('typo', { 'services/shop/values-prod.yaml': 'replicaCount: 3\nimage:\n  tagg: "1.0"\nreplicaCont: 2\n' });
    const r = lint(repo, '--env', 'prod');
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('services/shop/values-prod.yaml:3:3 error VALUES_UNKNOWN_KEY "image.tagg" is not allowed (did you mean "tag"?)');
    expect(r.stdout).toContain('services/shop/values-prod.yaml:4:1 error VALUES_UNKNOWN_KEY "replicaCont" is not allowed (did you mean "replicaCount"?)');
  });

  it('blames the file whose value wins the merge, not every file that sets the key', () => {
    const repo = createRepo(fleetFiles());
    // shop overrides replicaCount in values-prod.yaml; cart and blog take the environment's bad value.
    repo.commit('string replicas', {
      'environments/prod/values.yaml': 'environment: prod\nreplicaCount: "2"\n',
      'services/blog/service.yaml': service('blog', 'content', { dev: { chart: '1.0.0', image: '0.1.0' }, prod: { chart: '1.0.0', image: '0.1.0' } }),
    });
    const r = lint(repo);
    expect(r.exitCode).toBe(1);
    const errors = r.stdout.split('\n').filter((l) => l.includes(' error '));
    expect(errors).toEqual(['environments/prod/values.yaml:2:15 error VALUES_WRONG_TYPE replicaCount: string "2" where integer is expected']);
    // Reported once although it is also the value of other Applications of the environment.
    expect(r.stderr).toContain('1 error');
  });

  it('points a missing required key at the service values file to add it to', () => {
    const repo = createRepo(strictFleet());
    repo.commit('no repository', { 'services/blog/values.yaml': 'environment: blog\n', 'services/cart/values.yaml': 'image:\n  tag: x\n' });
    const r = lint(repo, '--env', 'dev');
    expect(r.exitCode).toBe(1);
    // cart has an image map of its own: the key goes there; blog has none: its values file.
    expect(r.stdout).toContain('services/cart/values.yaml:1:1 error VALUES_MISSING_KEY "image.repository" is required');
    expect(r.stdout).toMatch(/^services\/blog\/values\.yaml error VALUES_MISSING_KEY "image\.repository" is required/m);
  });

  it('explains YAML 1.1 surprises where a string was meant', () => {
    const repo = createRepo(fleetFiles());
    repo.commit('yes', { 'services/shop/values.yaml': 'image:\n  repository: registry.example.com/commerce/shop\nenvironment: on\n' });
    const r = lint(repo, '--env', 'dev', '--service', 'shop');
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('services/shop/values.yaml:3:14 warning VALUES_YAML11 "on" is read by helm as a boolean');
    expect(r.stdout).toContain('services/shop/values.yaml:3:14 error VALUES_WRONG_TYPE environment: boolean true where string is expected');
    expect(r.stdout).toContain('hint: helm reads yes/no/on/off/y/n as booleans (YAML 1.1): quote the value.');
  });

  it('flags a leading-zero number helm reads as octal', () => {
    const repo = createRepo(fleetFiles());
    repo.commit('octal', { 'services/blog/values-dev.yaml': 'replicaCount: 010\n' });
    const r = lint(repo);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('services/blog/values-dev.yaml:1:15 error VALUES_YAML11_NUMBER 010 is read as octal: helm renders 8, not 10 (YAML 1.1)');
  });

  it('reports other schema rules at the value that breaks them', () => {
    const repo = createRepo(fleetFiles());
    repo.commit('negative', { 'services/cart/values-prod.yaml': '# prod runs more\nreplicaCount: -1\n' });
    const r = lint(repo, '--env', 'prod');
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('services/cart/values-prod.yaml:2:15 error VALUES_INVALID replicaCount: must be >= 0');
  });

  it('reports a chart schema that does not compile, once, at the schema file', () => {
    const files = fleetFiles();
    files['platform-charts/web/values.schema.json'] = JSON.stringify({ type: 'object', properties: { replicaCount: { type: 'integr' } } });
    const r = lint(createRepo(files));
    expect(r.exitCode).toBe(1);
    const lines = r.stdout.split('\n').filter((l) => l.includes(' error '));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^platform-charts\/web\/values\.schema\.json error VALUES_SCHEMA_BROKEN values\.schema\.json does not compile: /);
  });

  it('agrees with helm: what lint rejects, helm refuses to render', () => {
    const repo = createRepo(fleetFiles());
    repo.commit('bad', { 'services/shop/values-prod.yaml': 'replicaCount: many\n' });
    expect(lint(repo, '--env', 'prod', '--service', 'shop').exitCode).toBe(1);
    const render = runCli(['render', '--env', 'prod', '--service', 'shop'], { cwd: repo.dir });
    expect(render.exitCode).toBe(1);
    expect(render.stderr).toContain('HELM_TEMPLATE_FAILED');
  });
});

describe('gitops lint: YAML and the files of the repository', () => {
  it.each([
    ['a duplicate key', 'environments/dev/values.yaml', 'environment: dev\nenvironment: qa\n', /^environments\/dev\/values\.yaml:2:1 error YAML_DUPLICATE_KEY/m],
    ['a tab in indentation', 'services/cart/values-dev.yaml', 'image:\n\ttag: x\n', /^services\/cart\/values-dev\.yaml:2:1 error YAML_TAB tab in indentation/m],
    ['malformed YAML', 'argocd/projects/team-x.yaml', 'kind: AppProject\nspec: [unclosed\n', /^argocd\/projects\/team-x\.yaml:\d+:\d+ error YAML_SYNTAX/m],
    ['an alias bomb', 'platform-charts/web/values.yaml', `a: &a ["x","x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n`, /^platform-charts\/web\/values\.yaml:1:\d+ error YAML_SYNTAX .*alias/m],
  ])('reports %s with its line', (_name, file, text, expected) => {
    const repo = createRepo(fleetFiles());
    repo.commit('bad', { [file]: text });
    const r = lint(repo);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(expected);
  });

  it('checks environment.yaml against its schema', () => {
    const repo = createRepo(fleetFiles());
    const env = readFileSync(join(repo.dir, 'environments/dev/environment.yaml'), 'utf8');
    repo.commit('typo', { 'environments/dev/environment.yaml': env.replace('kubernetesVersion:', 'kubernetesVersoin:') });
    const r = lint(repo);
    expect(r.exitCode).toBe(1);
    const line = env.split('\n').findIndex((l) => l.startsWith('kubernetesVersion:')) + 1;
    expect(r.stdout).toMatch(new RegExp(`^environments/dev/environment\\.yaml:${line}:1 error ENVIRONMENT_SCHEMA .*"kubernetesVersoin" is not allowed`, 'm'));
  });

  it('checks service.yaml against its schema', () => {
    const repo = createRepo(fleetFiles());
    repo.commit('unknown field', { 'services/blog/service.yaml': 'name: blog\nteam: content\nchart: web\nowner: bob\nreleases:\n  dev: { chart: 1.0.0, image: "0.1.0" }\n' });
    const r = lint(repo);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^services\/blog\/service\.yaml:4:1 error SERVICE_SCHEMA .*"owner" is not allowed/m);
  });
});

describe('gitops lint --format', () => {
  it('writes SARIF that code scanning accepts, JSON and JUnit, in one run', () => {
    const repo = createRepo(fleetFiles());
    repo.commit('typo', { 'services/shop/values-prod.yaml': 'replicaCont: 2\n' });
    // Report directories are never created: a mistyped one would hide the report.
    mkdirSync(join(repo.dir, 'out'));
    const r = lint(repo, '--format', 'json', '--format', `sarif=${join(repo.dir, 'out/lint.sarif')}`, '--format', `junit=${join(repo.dir, 'lint.xml')}`);
    expect(r.exitCode).toBe(1);

    const json = JSON.parse(r.stdout) as { schemaVersion: number; summary: { findings: number }; findings: { code: string; location: { file: string; line: number } }[] };
    expect(json.schemaVersion).toBe(2);
    expect(json.findings.map((f) => [f.code, f.location.file, f.location.line])).toEqual([['VALUES_UNKNOWN_KEY', 'services/shop/values-prod.yaml', 1]]);

    const sarif = JSON.parse(readFileSync(join(repo.dir, 'out/lint.sarif'), 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    const run = sarif.runs[0];
    expect(run.tool.driver.rules.map((rule: { id: string }) => rule.id)).toEqual(['VALUES_UNKNOWN_KEY']);
    expect(run.results).toHaveLength(1);
    expect(run.results[0]).toMatchObject({
      ruleId: 'VALUES_UNKNOWN_KEY',
      level: 'error',
      locations: [{ physicalLocation: { artifactLocation: { uri: 'services/shop/values-prod.yaml', uriBaseId: '%SRCROOT%' }, region: { startLine: 1, startColumn: 1 } } }],
    });
    expect(run.results[0].partialFingerprints['gitopsFinding/v1']).toMatch(/^[0-9a-f]{32}$/);

    const junit = readFileSync(join(repo.dir, 'lint.xml'), 'utf8');
    expect(junit).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="gitops lint" tests="1" failures="1"/);
    expect(junit).toContain('<testcase classname="gitops.lint.prod" name="shop-prod">');
    expect(junit).toContain('type="VALUES_UNKNOWN_KEY"');
  });

  it('refuses an unknown format or two reports on stdout, before doing any work', () => {
    const repo = createRepo(fleetFiles());
    const unknown = lint(repo, '--format', 'xml');
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('--format xml: unknown format "xml"');
    const two = lint(repo, '--format', 'json', '--format', 'sarif');
    expect(two.exitCode).toBe(2);
    expect(two.stderr).toContain('only one report can go to stdout');
  });
});
