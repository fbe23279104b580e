import { spawn } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemaDir } from '../fixtures/example-fleet.js';
import { toolRoot } from '../helpers/run-cli.js';
import { hostileCases, type CaseDir, type HostileCase } from './cases.js';
import { commitFixture, hostileFleetFiles } from './fixture.js';

/**
 * Hostile input, as a fork's pull request can bring it: every file role a person edits, each
 * broken every way we know, and attacks aimed at path handling, templates and tenancy. Each
 * case runs the CLI on its own copy of one small fixture repository and must end with the
 * expected exit code, its file named, no stack trace, nothing written to the repository,
 * nothing of the file outside the repository anywhere, within its time and heap.
 */

/** Per case; a hung case is a failure, not a hung suite. */
const CASE_TIMEOUT_MS = 60_000;
/** The heap of each process that runs cases: a case that needs more is a failure. */
const HEAP_MB = 512;
/** Processes running cases side by side (the machine is shared). */
const PARALLEL = 2;

interface CaseResult {
  id: string;
  exitCode: number | 'timeout' | 'threw' | 'crashed';
  stdout: string;
  stderr: string;
  ms: number;
}

const allCases = hostileCases();
/** GITOPS_HOSTILE_CASES=<regex> runs only the matching cases, e.g. while fixing one. */
const only = process.env.GITOPS_HOSTILE_CASES;
const cases = only ? allCases.filter((c) => new RegExp(only).test(c.id)) : allCases;
const results = new Map<string, CaseResult>();
const dirs = new Map<string, { c: CaseDir; cache: string; before: string[] }>();
let root: string;

beforeAll(async () => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'gitops-hostile-')));
  const marker = `OUTSIDE-THE-REPO-${process.pid}`;
  const outside = join(root, 'outside.yaml');
  writeFileSync(outside, `leak: ${marker}\nimage:\n  repository: ${marker}\n`);
  const outsideDir = join(root, 'outside-dir');
  mkdirSync(join(outsideDir, 'shop'), { recursive: true });
  writeFileSync(join(outsideDir, 'values.yaml'), `leak: ${marker}\n`);
  writeFileSync(join(outsideDir, 'shop', 'service.yaml'), `name: evil\nteam: commerce\nchart: web\nreleases: {}\n# ${marker}\n`);
  const fixture = join(root, 'fixture');
  mkdirSync(fixture);
  commitFixture(fixture, hostileFleetFiles());

  cases.forEach((hc, i) => {
    const dir = join(root, 'cases', String(i), 'repo');
    cpSync(fixture, dir, { recursive: true, verbatimSymlinks: true });
    const c: CaseDir = { dir, outside, outsideDir, marker };
    hc.setup(c);
    dirs.set(hc.id, { c, cache: join(root, 'cases', String(i), 'cache'), before: treeState(dir) });
  });

  const pending = cases.map((hc) => ({ id: hc.id, args: ['--repo', dirs.get(hc.id)!.c.dir, ...hc.command], env: { GITOPS_CACHE_DIR: dirs.get(hc.id)!.cache }, timeoutMs: CASE_TIMEOUT_MS }));
  const batches = Array.from({ length: PARALLEL }, (_, b) => pending.filter((_, i) => i % PARALLEL === b));
  await Promise.all(batches.map((batch, b) => runBatch(batch, join(root, `batch-${b}`))));
}, 900_000);

afterAll(() => {
  const times = [...results.values()].map((r) => r.ms).sort((a, b) => a - b);
  if (process.env.GITOPS_HOSTILE_TIMES) console.log(`case times (ms): median ${times[times.length >> 1]}, max ${times[times.length - 1]}, total ${times.reduce((a, b) => a + b, 0)}`);
  if (root) rmSync(root, { recursive: true, force: true });
});

/** Runs cases in child processes until each has a result; a case that kills its process is recorded as crashed. */
async function runBatch(batch: { id: string }[], prefix: string): Promise<void> {
  let rest = batch;
  for (let round = 0; rest.length > 0; round++) {
    const casesFile = `${prefix}-${round}.json`;
    const resultsFile = `${prefix}-${round}.jsonl`;
    writeFileSync(casesFile, JSON.stringify(rest));
    writeFileSync(resultsFile, '');
    const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_MB}`, join(toolRoot, 'test', 'hostile', 'run-batch.mjs'), casesFile, resultsFile, join(toolRoot, 'dist', 'main.js')], {
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', CI: 'true', GITOPS_SCHEMA_DIR: schemaDir, GITOPS_TODAY: '2026-06-01' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    await new Promise((resolve) => child.on('close', resolve));
    let running: string | undefined;
    for (const line of readFileSync(resultsFile, 'utf8').split('\n').filter(Boolean)) {
      const r = JSON.parse(line) as CaseResult & { started?: boolean };
      if (r.started) running = r.id;
      else {
        results.set(r.id, r);
        running = undefined;
      }
    }
    if (running && !results.has(running)) results.set(running, { id: running, exitCode: 'crashed', stdout: '', stderr, ms: 0 });
    rest = rest.filter((c) => !results.has(c.id));
    if (!running && rest.length > 0) {
      for (const c of rest) results.set(c.id, { id: c.id, exitCode: 'crashed', stdout: '', stderr: `runner stopped: ${stderr}`, ms: 0 });
      rest = [];
    }
  }
}

/** Every path of the repository (not .git) with its type, size and mtime: equal before and after means nothing was written. */
function treeState(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((p) => p !== '.git' && !p.startsWith('.git/'))
    .sort()
    .map((p) => {
      const s = lstatSync(join(dir, p));
      return `${p} ${s.isSymbolicLink() ? 'link' : s.isDirectory() ? 'dir' : 'file'} ${s.isDirectory() ? '' : s.size} ${s.isDirectory() ? '' : s.mtimeMs}`;
    });
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((p) => join(dir, p)).filter((p) => lstatSync(p).isFile());
}

const STACK_FRAME = /^\s*at .*(\(|\s)\/?[^\s()]+:\d+:\d+\)?\s*$/m;

describe('hostile input', () => {
  it(`has at least 300 cases over every file role (${allCases.length})`, () => {
    expect(allCases.length).toBeGreaterThanOrEqual(300);
    expect(new Set(allCases.map((c) => c.id)).size).toBe(allCases.length);
    const roles = new Set(allCases.map((c) => c.role));
    for (const role of ['service', 'values', 'values-env', 'environment-values', 'environment', 'applicationset', 'appproject', 'chart-yaml', 'chart-values', 'chart-template', 'waivers', 'gitops-config']) {
      expect(roles, role).toContain(role);
    }
  });

  it.each(cases.map((c) => [c.id, c] as [string, HostileCase]))('%s', (id, hc) => {
    const r = results.get(id)!;
    const { c, cache, before } = dirs.get(id)!;
    const output = `${r.stdout}\n${r.stderr}`;
    const context = `${id}: exit ${r.exitCode}\n${output.slice(0, 3000)}`;
    expect(r.exitCode, context).toBe(hc.expect.exitCode);
    expect(output, context).not.toMatch(STACK_FRAME);
    expect(output, context).not.toContain('INTERNAL');
    if (hc.expect.exitCode !== 0) expect(output, context).toContain(hc.file);
    for (const code of hc.expect.codes ?? []) expect(output, context).toContain(code);
    for (const text of hc.expect.includes ?? []) expect(output, context).toContain(text);
    // Nothing of the outside file, and no path of this machine outside the repository.
    expect(output, context).not.toContain(c.marker);
    expect(output, context).not.toContain(root + '/outside');
    for (const file of filesUnder(cache)) expect(readFileSync(file, 'latin1').includes(c.marker), `${id}: ${file}`).toBe(false);
    expect(treeState(c.dir), `${id}: files changed in the repository`).toEqual(before);
  });
});
