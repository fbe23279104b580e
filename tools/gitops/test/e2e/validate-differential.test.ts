import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// The generator and the judging are a script too, so that a person can print the agreement.
import { compare, DELIBERATE, judge, mutants, seedObjects, writeMutants } from '../../scripts/differential.mjs';
import { runCli, tempCache, toolRoot } from '../helpers/run-cli.js';

/**
 * `gitops validate` against kubeconform -strict, object by object: the built-in engine, the
 * kubeconform engine and the kubeconform binary reading the YAML itself (with the strict
 * schemas the engine wrote) must give each object the same verdict and name the same fields,
 * except for the deliberate differences the README lists. Without kubeconform these fail.
 */
const repoRoot = join(toolRoot, '..', '..');
const schemaDir = join(repoRoot, '..', 'shared', 'schemas');
const kubeconformFixtures = join(toolRoot, 'test', 'fixtures', 'manifests', 'kubeconform');

describe('gitops validate agrees with kubeconform -strict', () => {
  it('on 2,000 seeded mutants of the example fleet and the corpus, but for the deliberate differences', { timeout: 900_000 }, () => {
    const cache = tempCache();
    const rendered = join(cache, 'rendered');
    const render = runCli(['render', '--out', rendered], { cwd: repoRoot, cacheDir: cache });
    expect(render.exitCode, render.stderr).toBe(0);
    const seeds = seedObjects([rendered, join(toolRoot, 'test', 'fixtures', 'manifests', 'valid')]);
    expect(seeds.length).toBeGreaterThan(250);

    const list = mutants(seeds, { seed: 18, count: 2000 });
    const dir = join(cache, 'mutants');
    writeMutants(list, dir);
    const judged = judge(dir, { schemaDir, cacheDir: join(cache, 'validate') });
    const result = compare(list, judged);
    expect(result.aborted).toBeUndefined();
    expect(result.engineAborted).toBeUndefined();

    // The generator reaches every kind of mutation, and the mutants are not all valid: a
    // judge that passed everything would not agree.
    const kinds = ['unknown-field', 'wrong-type', 'null', 'int-or-string', 'quantity', 'pattern-enum-format', 'removed-field', 'missing-kind', 'yaml-scalar', 'merge-key', 'duplicate-key', 'list', 'multi-document', 'list-items-not-a-list'];
    for (const kind of kinds) expect(result.byMutation[kind]?.objects ?? 0, kind).toBeGreaterThan(10);
    const statuses = [...judged.binary.values()].flat().map((v) => v.status);
    expect(statuses.filter((s) => s === 'invalid').length).toBeGreaterThan(500);
    expect(statuses.filter((s) => s === 'error').length).toBeGreaterThan(200);

    expect(result.undocumented.map((d) => `${d.file} (${d.mutation}): ${d.why}`)).toEqual([]);
    // Each deliberate difference is met, and is only what it says.
    expect(new Set(result.deliberate.map((d) => d.why))).toEqual(new Set(DELIBERATE.map((d) => d.id)));
    expect(result.agreeing + result.deliberate.length).toBe(result.objects);
  });

  it("on fixtures shaped like kubeconform's own: each verdict as expected, by every judge", { timeout: 300_000 }, () => {
    const files = readdirSync(kubeconformFixtures).filter((f) => f.endsWith('.yaml')).sort();
    expect(files.length).toBeGreaterThanOrEqual(10);
    const list = files.map((name) => ({ name, mutation: 'fixture', text: readFileSync(join(kubeconformFixtures, name), 'utf8') }));
    const cache = tempCache();
    const judged = judge(kubeconformFixtures, { schemaDir, cacheDir: cache });
    expect(compare(list, judged).undocumented.map((d) => `${d.file}: ${d.why}`)).toEqual([]);
    for (const { name, text } of list) {
      const expected = /^# expect:(.*)$/m.exec(text)![1]!.trim().split(/\s+/).filter(Boolean).map((s) => (s.startsWith('/') ? undefined : s)).filter(Boolean).sort();
      for (const [judge, verdicts] of [['builtin', judged.builtin.byFile?.get(name)], ['kubeconform engine', judged.engine.byFile?.get(name)], ['kubeconform', judged.binary.get(name)]] as const) {
        expect((verdicts ?? []).map((v) => v.status).sort(), `${name}: ${judge}`).toEqual(expected);
      }
      const path = /^# expect: invalid (\/\S+)$/m.exec(text)?.[1];
      if (path) expect(judged.builtin.byFile!.get(name)![0]!.paths).toEqual([path]);
    }
  });
});
