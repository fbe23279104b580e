import { expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exampleFleetRepo, promoteWorkTree, repoRoot, schemaDir } from '../fixtures/example-fleet.js';
import { runCli } from '../helpers/run-cli.js';

const env = { GITOPS_SCHEMA_DIR: schemaDir, GITOPS_TODAY: '2026-11-24' };

it('passes the example fleet: lint, render, validate and policy', () => {
  const r = runCli(['check', '--format', 'json'], { cwd: repoRoot, env });
  expect(r.exitCode, r.stderr).toBe(0);
  const report = JSON.parse(r.stdout) as { summary: { resources: number; valid: number }; findings: unknown[] };
  expect(report.findings).toEqual([]);
  expect(report.summary.resources).toBeGreaterThan(200);
  expect(report.summary.valid).toBe(report.summary.resources);
});

it('reports a policy finding about a rendered manifest at the values line that caused it', () => {
  const repo = exampleFleetRepo();
  // One values edit in orders' prod overlay, an HPA minimum of 1, breaks two rules about two
  // resources: each is reported at the values line that set the field.
  const prod = readFileSync(join(repo.dir, 'services/orders/values-prod.yaml'), 'utf8');
  expect(prod).toContain('  minReplicas: 3\n');
  repo.write({ 'services/orders/values-prod.yaml': prod.replace('  minReplicas: 3\n', '  minReplicas: 1\n') });
  // prod reads its values at the config commit it was promoted to: promote the edit.
  promoteWorkTree(repo, 'orders', 'prod');
  const lines = prod.split('\n');
  const lineOf = (text: string) => lines.findIndex((l) => l === text) + 1;

  const r = runCli(['check', '--env', 'prod', '--service', 'orders'], { cwd: repo.dir, env });
  expect(r.exitCode).toBe(1);
  expect(r.stdout).toContain(`services/orders/values-prod.yaml:${lineOf('  minReplicas: 3')}:16 error POLICY_HPA_MIN_REPLICAS orders-prod: HorizontalPodAutoscaler orders: minReplicas is 1`);
  expect(r.stdout).toContain('(rendered by platform-charts/microservice/templates/hpa.yaml)');
  const pdb = /^(\S+) error POLICY_PDB_BLOCKS_EVICTION orders-prod: PodDisruptionBudget orders/m.exec(r.stdout);
  expect(pdb?.[1]).toMatch(/^services\/orders\/values(-prod)?\.yaml:\d+:\d+$/);
});

it('gitops policy alone also names the values line', () => {
  const repo = exampleFleetRepo();
  const prod = readFileSync(join(repo.dir, 'services/orders/values-prod.yaml'), 'utf8');
  repo.write({ 'services/orders/values-prod.yaml': prod.replace('  minReplicas: 3\n', '  minReplicas: 1\n') });
  promoteWorkTree(repo, 'orders', 'prod');
  const line = prod.split('\n').indexOf('  minReplicas: 3') + 1;
  const r = runCli(['policy', '--env', 'prod', '--service', 'orders'], { cwd: repo.dir, env });
  expect(r.exitCode).toBe(1);
  expect(r.stdout).toContain(`services/orders/values-prod.yaml:${line}:16 error POLICY_HPA_MIN_REPLICAS`);
});
