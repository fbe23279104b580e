/**
 * Argo CD conformance: Argo CD's own ApplicationSet controller and repo-server code (the Go
 * harness in tools/conformance) against `gitops render --format json`, on the example fleet
 * and on one fixture repository per Argo CD behaviour. Run with `npm run conformance`.
 *
 * Every fixture must match, except those listed in knownDifferences with the reason; a listed
 * fixture that starts matching fails too, so the list only shrinks. The example fleet is never
 * a known difference.
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { exampleFleetRepo } from '../fixtures/example-fleet.js';
import { createRepo, type TestRepo } from '../helpers/git-repo.js';
import { compare, matches, tally, type ArgoReport, type Comparison } from './compare.js';
import { fixtures } from './fixtures.js';
import { localise, publishCharts, runArgo, runTool, startRegistry, usesRegistry, writeFixture, type Registry } from './harness.js';

// Fixtures gitops render does not match yet, each with the reason: none today.
const knownDifferences: Array<{ fixture: string; reason: string }> = [];

interface Row {
  name: string;
  known: boolean;
  comparison?: Comparison;
  problem?: string;
}
const rows: Row[] = [];
let registry: Registry;

beforeAll(async () => {
  registry = await startRegistry();
});

afterAll(async () => {
  await registry?.stop();
  const cell = (r: Row, k: 'applications' | 'argv' | 'bytes') => (r.comparison ? tally(r.comparison[k]) : '-');
  const lines = [
    'Argo CD conformance (Applications / helm argv / manifest bytes equal):',
    ...rows.map((r) => {
      const verdict = r.problem ? `no comparison: ${r.problem}` : matches(r.comparison!) ? 'match' : r.known ? 'differs (known)' : 'DIFFERS';
      return `  ${r.name.padEnd(26)} ${cell(r, 'applications').padStart(7)} ${cell(r, 'argv').padStart(7)} ${cell(r, 'bytes').padStart(7)}  ${verdict}`;
    }),
  ];
  console.log(lines.join('\n'));
});

/** Copies a repository, points it at itself and the registry, publishes its charts, runs both sides. */
function conform(name: string, repo: TestRepo, expectArgo?: (argo: ArgoReport) => void): void {
  localise(repo, registry);
  if (usesRegistry(repo, registry)) publishCharts(repo, registry);
  // GITOPS_CONFORMANCE_KEEP=DIR keeps each case's repository, to run the harness on it by hand.
  if (process.env.GITOPS_CONFORMANCE_KEEP) cpSync(repo.dir, join(process.env.GITOPS_CONFORMANCE_KEEP, name), { recursive: true });
  const argo = runArgo(repo);
  // The fixture must exercise its behaviour in Argo CD before the tool is judged on it.
  expectArgo?.(argo);
  const known = knownDifferences.find((k) => k.fixture === name);
  const tool = runTool(repo);
  const row: Row = { name, known: !!known };
  rows.push(row);
  if (!tool.report) {
    row.problem = tool.problem;
    if (known) return;
    throw new Error(`${name}: ${tool.problem}`);
  }
  const c = compare(argo, tool.report);
  row.comparison = c;
  if (known) {
    expect(matches(c), `${name} now matches Argo CD: remove it from knownDifferences ("${known.reason}")`).toBe(false);
    return;
  }
  expect(c.differences.join('\n\n'), `${name}: gitops render differs from Argo CD ${argo.argocdVersion}`).toBe('');
}

describe('gitops render conforms to Argo CD', () => {
  test('the example fleet', () => {
    expect(knownDifferences.map((k) => k.fixture)).not.toContain('example-fleet');
    const repo = exampleFleetRepo();
    conform('example-fleet', repo, (argo) => {
      expect(argo.applicationSets.length).toBeGreaterThan(0);
    });
  });

  test('every known difference names a fixture', () => {
    for (const k of knownDifferences) expect(fixtures.map((f) => f.name)).toContain(k.fixture);
  });

  for (const fixture of fixtures) {
    test(`${fixture.name}: ${fixture.behaviour}`, () => {
      const repo = createRepo();
      writeFixture(repo, fixture);
      conform(fixture.name, repo, fixture.expectArgo);
    });
  }
});
