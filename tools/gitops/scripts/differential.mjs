#!/usr/bin/env node
// Differential check of `gitops validate` against kubeconform -strict: a seeded generator of
// mutants (unknown fields, wrong types, nulls, int-or-string and quantity forms, patterns,
// enums, removed fields, YAML 1.1 oddities, merge keys, duplicate keys, lists, multi-document
// streams) over seed objects, each mutant its own file, judged by the built-in engine, the
// kubeconform engine and the kubeconform binary run directly on the YAML text with the same
// strict schemas. The suite's test (test/e2e/validate-differential.test.ts) requires the same
// verdict and paths everywhere but in the deliberate differences below; run by hand it prints
// the agreement: node scripts/differential.mjs [--count N] [--seed S] [--cli bin/gitops.js]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const toolRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const KUBERNETES_VERSION = '1.34.0';

/** mulberry32: small, seeded, the same sequence on every machine. */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n), pick: (list) => list[Math.floor(next() * list.length)] };
}

/** The objects of every YAML file under the given directories (read as the cluster would, YAML 1.1). */
export function seedObjects(dirs) {
  const seeds = [];
  for (const dir of dirs) {
    for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !/\.ya?ml$/.test(entry.name)) continue;
      const text = readFileSync(join(entry.parentPath, entry.name), 'utf8');
      for (const doc of YAML.parseAllDocuments(text, { version: '1.1' })) {
        const object = doc.toJS();
        if (!object || typeof object !== 'object' || typeof object.kind !== 'string') continue;
        if (object.kind === 'List') seeds.push(...object.items.filter((i) => i && typeof i === 'object'));
        else seeds.push(object);
      }
    }
  }
  return seeds;
}

/** Every [path, value] of an object, depth first. */
function nodes(value, path = [], out = []) {
  out.push([path, value]);
  if (Array.isArray(value)) value.forEach((v, i) => nodes(v, [...path, i], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) nodes(v, [...path, k], out);
  return out;
}

const clone = (v) => structuredClone(v);
const isMap = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
function setAt(object, path, value) {
  const parent = path.slice(0, -1).reduce((o, k) => o[k], object);
  parent[path.at(-1)] = value;
}
function deleteAt(object, path) {
  const parent = path.slice(0, -1).reduce((o, k) => o[k], object);
  if (Array.isArray(parent)) parent.splice(path.at(-1), 1);
  else delete parent[path.at(-1)];
}
const toYaml = (object) => YAML.stringify(object, { version: '1.1', lineWidth: 0 });

/** Plain scalars YAML 1.1 (go-yaml v2) reads differently from YAML 1.2, and tags. */
export const ODD_SCALARS = [
  'yes', 'no', 'on', 'off', 'y', 'n', 'True', 'NO', '~', 'Null', '0644', '08', '0x1F', '0o17', '1_000', '1e400', '-1e400', '1e3', '1.5', '.5',
  '+12', '.inf', '.nan', '2001-12-14', '2001-12-14T21:59:43.10-05:00', '!!binary aGVsbG8=', '!!float 3', '!!str 123', '!!int "7"',
  '!!timestamp 2001-12-14', '!!bool yes', '1:30', '12345678901234567890', "''", '!custom value', '0b101', '-0b11', '9223372036854775808',
];
const WRONG_TYPES = [1, 1.5, 'text', true, [], {}, [1], { a: 1 }];
const INT_OR_STRING = [80, '80', '25%', 'http', 1.5, true, -1, '', null];
const QUANTITIES = ['500m', '1Gi', '0.5', 0.5, 1, '1e3', '1.5Gi', 'lots', true, [], '-1', '+1', 1e3];
const STRINGS = ['Bogus', 'bad_value!', 'UPPER', '-lead', 'x'.repeat(70), '', ' ', '2001-13-45T25:61:00Z', '2024-02-29T23:59:60Z', 'not-a-date', '256.1.1.1', '::1', 'fe80::1%eth0'];
const INT_OR_STRING_FIELDS = /^(port|targetPort|maxSurge|maxUnavailable|minAvailable|containerPort|number)$/;

/** The mutation kinds, each a function of (object, random) that returns YAML text or undefined (not applicable). */
const MUTATIONS = {
  'unknown-field': (o, r) => {
    const maps = nodes(o).filter(([, v]) => isMap(v));
    const [path, map] = r.pick(maps);
    map[r.pick(['replica', 'zz', 'labelz', 'image', 'spec', 'Name'])] = r.pick(['x', 1, { a: 1 }]);
    return path && toYaml(o);
  },
  'wrong-type': (o, r) => {
    const leaves = nodes(o).filter(([p]) => p.length > 0);
    const [path] = r.pick(leaves);
    setAt(o, path, clone(r.pick(WRONG_TYPES)));
    return toYaml(o);
  },
  null: (o, r) => {
    const [path] = r.pick(nodes(o).filter(([p]) => p.length > 0));
    setAt(o, path, null);
    return toYaml(o);
  },
  'int-or-string': (o, r) => {
    const found = nodes(o).filter(([p, v]) => INT_OR_STRING_FIELDS.test(String(p.at(-1))) && !isMap(v) && !Array.isArray(v));
    if (found.length === 0) return undefined;
    setAt(o, r.pick(found)[0], r.pick(INT_OR_STRING));
    return toYaml(o);
  },
  quantity: (o, r) => {
    const found = nodes(o).filter(([p, v]) => ['cpu', 'memory', 'storage', 'ephemeral-storage'].includes(String(p.at(-1))) && !isMap(v));
    if (found.length === 0) return undefined;
    setAt(o, r.pick(found)[0], clone(r.pick(QUANTITIES)));
    return toYaml(o);
  },
  'pattern-enum-format': (o, r) => {
    const found = nodes(o).filter(([p, v]) => p.length > 1 && typeof v === 'string');
    if (found.length === 0) return undefined;
    setAt(o, r.pick(found)[0], r.pick(STRINGS));
    return toYaml(o);
  },
  'removed-field': (o, r) => {
    const [path] = r.pick(nodes(o).filter(([p]) => p.length > 0 && p[0] !== 'kind' && p[0] !== 'apiVersion'));
    deleteAt(o, path);
    return toYaml(o);
  },
  'missing-kind': (o, r) => {
    delete o[r.pick(['kind', 'apiVersion'])];
    return toYaml(o);
  },
  'yaml-scalar': (o, r) => {
    const found = nodes(o).filter(([p, v]) => p.length > 1 && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'));
    if (found.length === 0) return undefined;
    setAt(o, r.pick(found)[0], '__ODD_SCALAR__');
    return toYaml(o).replace(/(['"]?)__ODD_SCALAR__\1/, r.pick(ODD_SCALARS));
  },
  'merge-key': (o, r) => {
    // An anchored map merged into a later one, as hand-written manifests share labels.
    const maps = nodes(o).filter(([p, v]) => p.length > 0 && isMap(v) && Object.keys(v).length > 0 && Object.values(v).every((x) => !isMap(x) && !Array.isArray(x)));
    if (maps.length < 2) return undefined;
    const i = r.int(maps.length - 1);
    const j = i + 1 + r.int(maps.length - i - 1);
    const doc = new YAML.Document(o, { version: '1.1', merge: true });
    const source = doc.getIn(maps[i][0], true);
    const target = doc.getIn(maps[j][0], true);
    if (!YAML.isMap(source) || !YAML.isMap(target)) return undefined;
    source.anchor = 'shared';
    target.items.unshift(doc.createPair('<<', doc.createAlias(source, 'shared')));
    if (r.int(2) === 0 && target.items.length > 1) target.items.splice(1, 1); // the merged value stands in for a removed one
    return doc.toString({ lineWidth: 0 });
  },
  'duplicate-key': (o) => {
    const lines = toYaml(o).split('\n');
    const i = lines.findIndex((l, n) => n > 0 && /^\s+[A-Za-z]+: \S/.test(l));
    if (i < 0) return undefined;
    lines.splice(i + 1, 0, lines[i]);
    return lines.join('\n');
  },
};

/** Documents around the objects: lists in any case, multi-document streams, blank documents. */
const STREAMS = {
  list: (objects, r) => toYaml({ apiVersion: 'v1', kind: r.pick(['List', 'list', 'LIST']), items: objects }),
  'multi-document': (objects) => objects.map(toYaml).join('---\n---\n# between documents\n---\n'),
  'list-items-not-a-list': (objects) => toYaml({ apiVersion: 'v1', kind: 'List', items: objects[0] }),
};

/** `count` mutants of the seeds, each `{ name, mutation, text }`; the same seed gives the same mutants. */
export function mutants(seeds, { seed = 18, count = 2000 } = {}) {
  const r = rng(seed);
  const kinds = Object.keys(MUTATIONS);
  const out = [];
  seeds.forEach((object, i) => out.push({ name: `seed-${String(i).padStart(4, '0')}.yaml`, mutation: 'none', text: toYaml(object) }));
  for (let n = 0; out.length < seeds.length + count && n < count * 10; n++) {
    const name = `m-${String(n).padStart(5, '0')}.yaml`;
    if (r.int(20) === 0) {
      const stream = r.pick(Object.keys(STREAMS));
      const objects = Array.from({ length: 1 + r.int(3) }, () => clone(r.pick(seeds)));
      out.push({ name, mutation: stream, text: STREAMS[stream](objects, r) });
      continue;
    }
    const mutation = r.pick(kinds);
    const text = MUTATIONS[mutation](clone(r.pick(seeds)), r);
    if (text !== undefined) out.push({ name, mutation, text });
  }
  return out;
}

/** Writes the mutants, one file each, into a new directory. */
export function writeMutants(list, dir) {
  mkdirSync(dir, { recursive: true });
  for (const m of list) writeFileSync(join(dir, m.name), m.text);
}

const verdictOf = { statusValid: 'valid', statusInvalid: 'invalid', statusError: 'error', statusSkipped: 'skipped' };

/** kubeconform's pointers, each unknown field at itself, as the kubeconform engine reads them. */
function kubeconformPaths(errors = []) {
  return errors.flatMap((e) => {
    const unknown = /^additional propert(?:y|ies) (.+) not allowed$/.exec(e.msg);
    if (!unknown) return [{ path: e.path, group: e.msg === 'validation failed' }];
    return [...unknown[1].matchAll(/'((?:[^']|'')*)'/g)].map((m) => ({ path: `${e.path}/${m[1]}`, group: false }));
  });
}

/**
 * Judges the directory three ways; per file, the verdicts (sorted) and, for files of one
 * object, the error paths. `kubeconform`: the binary; `schemaDir`: the source schemas.
 */
export function judge(dir, { cli = join(toolRoot, 'bin', 'gitops.js'), kubeconform = 'kubeconform', schemaDir, cacheDir, env = process.env }) {
  const run = (engine) => {
    const r = spawnSync(process.execPath, [cli, 'validate', '--format', 'json', '--engine', engine, '--kubernetes-version', KUBERNETES_VERSION, dir], {
      encoding: 'utf8',
      maxBuffer: 1 << 30,
      env: { ...env, GITOPS_SCHEMA_DIR: schemaDir, GITOPS_CACHE_DIR: cacheDir, CI: 'true' },
    });
    if (r.status !== 0 && r.status !== 1) return { aborted: `${engine}: exit ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}` };
    const byFile = new Map();
    for (const result of JSON.parse(r.stdout).results) {
      const key = basename(result.file);
      // kubeconform joins a path's keys with "/" unescaped (a label key `a.io/b` is two segments to it): compare as it does.
      byFile.set(key, [...(byFile.get(key) ?? []), { status: result.status, paths: result.errors.map((e) => e.path.replace(/~1/g, '/').replace(/~0/g, '~')) }]);
    }
    return { byFile };
  };
  const builtin = run('builtin');
  const engine = run('kubeconform');
  // The strict schemas the kubeconform engine wrote: the binary reads the YAML with them itself.
  const written = join(cacheDir, 'kubeconform-schemas');
  const strict = readdirSync(written).filter((d) => !d.endsWith('.tmp')).map((d) => join(written, d));
  const locations = strict.flatMap((d) => ['-schema-location', `${d}/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json`]);
  const r = spawnSync(kubeconform, ['-strict', '-output', 'json', '-verbose', ...locations, dir], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const binary = new Map();
  for (const res of JSON.parse(r.stdout).resources ?? []) {
    // Blank documents (and comment-only ones) are no objects.
    if (res.status === 'statusEmpty' || res.status === '') continue;
    const key = basename(res.filename);
    const paths = kubeconformPaths(res.validationErrors);
    binary.set(key, [...(binary.get(key) ?? []), { status: verdictOf[res.status] ?? res.status, paths: paths.map((p) => p.path), groups: paths.filter((p) => p.group).map((p) => p.path) }]);
  }
  return { builtin, engine, binary };
}

const under = (pointer, parent) => pointer === parent || pointer.startsWith(`${parent}/`);

/** Why two judgements of one file differ, or undefined when they agree. */
function difference(ours, theirs) {
  const a = (ours ?? []).map((v) => v.status).sort().join(',');
  const b = (theirs ?? []).map((v) => v.status).sort().join(',');
  if (a !== b) return `verdicts ${a || 'none'} / ${b || 'none'}`;
  if (!ours || ours.length !== 1 || ours[0].status !== 'invalid') return undefined;
  const [o, t] = [ours[0], theirs[0]];
  for (const path of t.paths) {
    const grouped = (t.groups ?? []).includes(path);
    if (grouped ? !o.paths.some((p) => under(p, path)) : !o.paths.includes(path)) return `only kubeconform names ${path}`;
  }
  for (const path of o.paths) if (!t.paths.some((p) => under(path, p))) return `only gitops names ${path}`;
  return undefined;
}

/**
 * Differences that are deliberate (README, "Deliberate differences"): each names the mutation
 * it applies to and what each side says.
 */
export const DELIBERATE = [
  {
    id: 'list-items-not-a-list',
    why: 'a List whose items is not a list: kubeconform reports nothing for the document, gitops an error verdict',
    applies: (m, builtin, binary) => m.mutation === 'list-items-not-a-list' && builtin?.every((v) => v.status === 'error') && (binary ?? []).length === 0,
  },
];

/** Compares the three judgements of every mutant: agreement counts and the differences, deliberate or not. */
export function compare(list, { builtin, engine, binary }) {
  if (builtin.aborted) return { aborted: builtin.aborted };
  // An engine that aborted the whole run gave no verdict: the others are still compared.
  const out = { objects: 0, agreeing: 0, deliberate: [], undocumented: [], byMutation: {}, engineAborted: engine.aborted };
  for (const m of list) {
    const b = builtin.byFile.get(m.name);
    const e = engine.byFile?.get(m.name);
    const k = binary.get(m.name);
    const n = Math.max(b?.length ?? 0, k?.length ?? 0, 1);
    out.objects += n;
    const stats = (out.byMutation[m.mutation] ??= { objects: 0, agreeing: 0 });
    stats.objects += n;
    const why = difference(b, k) ?? (engine.aborted ? undefined : difference(b, e));
    if (!why) {
      out.agreeing += n;
      stats.agreeing += n;
      continue;
    }
    const deliberate = DELIBERATE.find((d) => d.applies(m, b, k));
    (deliberate ? out.deliberate : out.undocumented).push({ file: m.name, mutation: m.mutation, why: deliberate ? deliberate.id : why, text: m.text });
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const work = mkdtempSync(join(tmpdir(), 'gitops-differential-'));
  try {
    const seedsFrom = arg('--seeds', join(toolRoot, 'test', 'fixtures', 'manifests', 'valid')).split(',');
    const list = mutants(seedObjects(seedsFrom), { seed: Number(arg('--seed', '18')), count: Number(arg('--count', '2000')) });
    writeMutants(list, join(work, 'mutants'));
    const schemaDir = arg('--schema-dir', process.env.GITOPS_SCHEMA_DIR ?? join(toolRoot, '..', '..', '..', 'shared', 'schemas'));
    const result = compare(list, judge(join(work, 'mutants'), { cli: arg('--cli', undefined), schemaDir, cacheDir: join(work, 'cache') }));
    if (result.aborted) console.log(`aborted: ${result.aborted}`);
    else {
      if (result.engineAborted) console.log(`the kubeconform engine gave no verdict at all: ${result.engineAborted}`);
      console.log(`${result.agreeing}/${result.objects} objects agree (${((100 * result.agreeing) / result.objects).toFixed(1)}%), ${result.deliberate.length} deliberate differences, ${result.undocumented.length} undocumented`);
      for (const [mutation, s] of Object.entries(result.byMutation)) console.log(`  ${mutation.padEnd(24)} ${s.agreeing}/${s.objects}`);
      for (const d of result.undocumented.slice(0, Number(arg('--show', '10')))) console.log(`--- ${d.file} (${d.mutation}): ${d.why}\n${d.text}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
