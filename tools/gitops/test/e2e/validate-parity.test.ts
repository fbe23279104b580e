import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { goTool } from '../helpers/go-tools.js';
import { runCli, tempCache, toolRoot } from '../helpers/run-cli.js';

/**
 * The two engines must give the same verdicts: both validate the same objects against the
 * same strict schemas, one with ajv in-process, the other with the real kubeconform binary
 * (v0.7.0, which npm ci installs where Go is present). Without it they are skipped with the
 * install command, and fail in CI.
 */
const repoRoot = join(toolRoot, '..', '..');
const env = { GITOPS_SCHEMA_DIR: join(toolRoot, '..', '..', '..', 'shared', 'schemas') };

interface Result {
  file: string;
  kind?: string;
  name?: string;
  status: string;
  errors: { path: string; message: string }[];
}

function results(cwd: string, engine: string, args: string[], cacheDir?: string, kubeconform?: string): Result[] {
  const r = runCli(['validate', '--format', 'json', '--engine', engine, ...args], { cwd, env: { ...env, ...(kubeconform ? { GITOPS_KUBECONFORM_BIN: kubeconform } : {}) }, cacheDir });
  // Exit 2 is "could not run": a missing kubeconform fails here, loudly.
  expect(r.exitCode, `${engine}: ${r.stderr}`).toBeLessThan(2);
  return (JSON.parse(r.stdout) as { results: Result[] }).results;
}

const under = (pointer: string, parent: string) => pointer === parent || pointer.startsWith(`${parent}/`);

/**
 * Same objects, same statuses; every error kubeconform locates exactly is one the built-in
 * engine names at the same pointer. kubeconform's JSON keeps only the first level of its
 * error tree, so where it reports several errors as one, the built-in engine's are below it.
 */
function expectParity(builtin: Result[], kubeconform: Result[]): void {
  expect(kubeconform.map((r) => `${r.file} ${r.kind} ${r.name}`)).toEqual(builtin.map((r) => `${r.file} ${r.kind} ${r.name}`));
  builtin.forEach((b, i) => {
    const k = kubeconform[i]!;
    const what = `${b.file} ${b.kind} ${b.name}`;
    expect(k.status, what).toBe(b.status);
    const ours = b.errors.map((e) => e.path);
    for (const error of k.errors) {
      if (error.message.startsWith('several errors below')) expect(ours.filter((p) => under(p, error.path)).length, `${what} ${error.path}`).toBeGreaterThan(1);
      else expect(ours, `${what}: kubeconform says ${error.path}: ${error.message}`).toContain(error.path);
    }
    for (const pointer of ours) expect(k.errors.some((e) => under(pointer, e.path)), `${what}: only the built-in engine says ${pointer}`).toBe(true);
  });
}

describe('engine parity: builtin and kubeconform', () => {
  it('agree on every manifest of the corpus, valid and invalid', (ctx) => {
    const bin = goTool('kubeconform', ctx);
    const paths = ['test/fixtures/manifests/valid', 'test/fixtures/manifests/invalid'];
    const builtin = results(toolRoot, 'builtin', paths);
    const kubeconform = results(toolRoot, 'kubeconform', paths, undefined, bin);
    expect(builtin.filter((r) => r.status === 'invalid').length).toBeGreaterThan(15);
    expectParity(builtin, kubeconform);
    // The corpus's several-errors case is one kubeconform reports by group.
    const several = kubeconform.find((r) => r.file.endsWith('deployment-several-errors.yaml'))!;
    expect(several.errors.map((e) => e.path)).toEqual(['/metadata/labelz', '/spec/template/spec/containers']);
  });

  it('find every resource of the example fleet valid', (ctx) => {
    const bin = goTool('kubeconform', ctx);
    const cache = tempCache();
    const builtin = results(repoRoot, 'builtin', [], cache);
    const kubeconform = results(repoRoot, 'kubeconform', [], cache, bin);
    expect(builtin.length).toBeGreaterThan(200);
    expect(builtin.filter((r) => r.status !== 'valid')).toEqual([]);
    expectParity(builtin, kubeconform);
  });
});
