import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { schemaDir } from '../fixtures/example-fleet.js';
import { fleetFiles } from '../fixtures/fleet.js';
import { createRepo } from '../helpers/git-repo.js';
import { runCli } from '../helpers/run-cli.js';

const env = { GITOPS_SCHEMA_DIR: schemaDir, GITOPS_TODAY: '2026-11-24' };

describe('YAML 1.1 numbers that change a value', () => {
  it('is an error at the values line, with what helm renders and the fix the schema asks for', () => {
    const repo = createRepo(fleetFiles());
    repo.commit('octal', { 'services/shop/values-prod.yaml': '# more in prod\nreplicaCount: 0700\n' });

    // What helm really does with it: the Deployment runs 448 replicas.
    const render = runCli(['render', '--env', 'prod', '--service', 'shop'], { cwd: repo.dir });
    expect(render.exitCode, render.stderr).toBe(0);
    expect(render.stdout).toContain('  replicas: 448\n');

    const r = runCli(['lint', '--env', 'prod', '--service', 'shop'], { cwd: repo.dir });
    expect(r.exitCode).toBe(1);
    const lines = r.stdout.split('\n');
    const at = lines.findIndex((l) => l.startsWith('services/shop/values-prod.yaml:2:15 '));
    expect(lines[at]).toBe('services/shop/values-prod.yaml:2:15 error VALUES_YAML11_NUMBER 0700 is read as octal: helm renders 448, not 700 (YAML 1.1)');
    expect(lines[at + 1]).toBe("  hint: Write 700 if you mean 700 (or 448, the octal value, if that is meant): the chart's schema wants a number here.");
    // One finding at that line, not a second one without the schema's hint.
    expect(lines.filter((l) => l.startsWith('services/shop/values-prod.yaml:2:15 '))).toHaveLength(1);
  });

  it('a leading zero helm drops is an error too, and a string field is told to quote it', () => {
    const repo = createRepo(fleetFiles());
    repo.commit('zero', { 'services/shop/values-prod.yaml': 'environment: 0800\n' });

    const render = runCli(['render', '--env', 'prod', '--service', 'shop', '--show-command'], { cwd: repo.dir });
    // helm's own schema check refuses the number 800 where the chart wants a string.
    expect(render.stderr).toContain('HELM_TEMPLATE_FAILED');

    const r = runCli(['lint', '--env', 'prod', '--service', 'shop'], { cwd: repo.dir });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('services/shop/values-prod.yaml:1:14 error VALUES_YAML11_NUMBER 0800 is read as the number 800: helm drops the leading zero (YAML 1.1)\n  hint: Quote it ("0800"): the chart\'s schema wants a string here.\n');
  });

  it('helm reads 0800 as 800 and 1:30 as text: the renders agree with the findings', () => {
    const files = fleetFiles();
    files['platform-charts/web/templates/configmap.yaml'] =
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  zero: {{ .Values.image.repository | quote }}\n';
    const repo = createRepo(files);
    repo.commit('values', { 'services/shop/values-prod.yaml': 'replicaCount: 0800\nimage:\n  repository: 1:30\n' });
    const render = runCli(['render', '--env', 'prod', '--service', 'shop'], { cwd: repo.dir });
    expect(render.exitCode, render.stderr).toBe(0);
    expect(render.stdout).toContain('  replicas: 800\n');
    expect(render.stdout).toContain('  zero: "1:30"\n');

    const r = runCli(['lint', '--env', 'prod', '--service', 'shop'], { cwd: repo.dir });
    expect(r.stdout).toContain('services/shop/values-prod.yaml:1:15 error VALUES_YAML11_NUMBER 0800 is read as the number 800: helm drops the leading zero (YAML 1.1)\n  hint: Write 800: the chart\'s schema wants a number here.\n');
    // go-yaml v2 has no base-60 numbers: 1:30 is the string it looks like.
    expect(r.stdout).not.toContain('1:30');
    expect(r.stdout).not.toContain('image.repository');
    expect(r.exitCode).toBe(1);
  });

  it('check fails on it in one run', () => {
    const repo = createRepo(fleetFiles());
    repo.commit('octal', { 'services/shop/values-prod.yaml': 'replicaCount: 0700\n' });
    const r = runCli(['check', '--env', 'prod', '--service', 'shop'], { cwd: repo.dir, env });
    expect(r.stdout).toContain('services/shop/values-prod.yaml:1:15 error VALUES_YAML11_NUMBER 0700 is read as octal: helm renders 448');
    expect(r.exitCode, r.stderr).toBe(1);
  });
});

describe('counts and words', () => {
  it('the JSON summary counts what the text says, with the same words', () => {
    const repo = createRepo(fleetFiles());
    repo.commit('values', { 'services/shop/values-prod.yaml': 'replicaCount: 0700\nenvironment: on\n' });
    const r = runCli(['check', '--env', 'prod', '--service', 'shop', '--format', 'text', '--format', 'json=report.json'], { cwd: repo.dir, env });
    expect(r.exitCode, r.stderr).toBe(1);
    const report = JSON.parse(readFileSync(join(repo.dir, 'report.json'), 'utf8')) as {
      schemaVersion: number;
      summary: { applications: number; rendered: number; findings: number; errors: number; warnings: number; unchecked: number };
      findings: { severity: string }[];
    };
    const textLines = r.stdout.split('\n').filter((l) => / (error|warning) [A-Z0-9_]+ /.test(l));
    const textErrors = textLines.filter((l) => / error [A-Z0-9_]+ /.test(l)).length;
    const textWarnings = textLines.filter((l) => / warning [A-Z0-9_]+ /.test(l)).length;
    expect(textErrors).toBeGreaterThan(0);
    expect(textWarnings, r.stdout).toBeGreaterThan(0);
    expect(report.schemaVersion).toBe(2);
    expect(report.summary).toMatchObject({ applications: 1, findings: textLines.length, errors: textErrors, warnings: textWarnings });
    expect(new Set(report.findings.map((f) => f.severity))).toEqual(new Set(['error', 'warning']));
    // The summary line: singular where there is one, and the same totals.
    const summary = new RegExp(`^checked 1 application \\((\\d) rendered, \\d+/\\d+ resources? valid\\): ${textErrors} errors?, ${textWarnings} warnings? in [\\d.]+s$`, 'm');
    expect(r.stderr).toMatch(summary);
    expect(Number(summary.exec(r.stderr)![1])).toBe(report.summary.rendered);
  });
});
