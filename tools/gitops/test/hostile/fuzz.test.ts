import fc from 'fast-check';
import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { checkRepoPath, decodeText, resolveSymlinkTarget } from '../../src/core/repo/file-guard.js';
import { parseValuesFile, parseYamlDocs, parseYamlMapping } from '../../src/core/yaml/parse-yaml.js';
import { validateAppSetFile } from '../../src/core/repo/validate-appsets.js';

/**
 * Property-based: whatever bytes or text a pull request holds, the readers answer with data or
 * findings at the file, never an exception, and the path guard never lets a path leave the
 * repository.
 */

const FILE = 'services/fuzz/values.yaml';

/** YAML-shaped noise: the tokens that break parsers, glued together at random. */
const yamlish = fc
  .array(
    fc.oneof(
      fc.constantFrom('a', 'b:', ' ', '  ', '\t', '\n', '- ', ': ', '"', "'", '[', ']', '{', '}', ',', '&x ', '*x', '!!str ', '!!binary ', '? ', '|', '>', '#', '---\n', '...\n', '%YAML 1.1\n', '\0', '\uFEFF', 'on', '0644', '<<: *x\n', '\r\n'),
      fc.string({ maxLength: 8 }),
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(''));

const plainKey = fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,8}$/);
const valuesTree: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, fc.string({ maxLength: 12 }), fc.integer(), fc.boolean(), fc.constant(null), fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(plainKey, tie('node'), { maxKeys: 4 })),
})).node;

function assertFindingsAtFile(findings: readonly { code: string; location?: { file: string; line?: number } }[], file: string): void {
  for (const f of findings) {
    expect(f.code).toMatch(/^[A-Z][A-Z0-9_]+$/);
    expect(f.location?.file).toBe(file);
    if (f.location?.line !== undefined) expect(f.location.line).toBeGreaterThanOrEqual(1);
  }
}

describe('YAML readers under fuzz', () => {
  it('parseYamlDocs answers any text with documents or findings at the file, never a throw', () => {
    fc.assert(
      fc.property(yamlish, (text) => {
        const { docs, findings } = parseYamlDocs(FILE, text);
        assertFindingsAtFile(findings, FILE);
        for (const d of docs) expect(d.file).toBe(FILE);
      }),
      { numRuns: 2000 },
    );
  });

  it('parseValuesFile gives a mapping (or nothing) or findings, never both, for any text', () => {
    fc.assert(
      fc.property(fc.oneof(yamlish, fc.string({ maxLength: 200 })), (text) => {
        const { doc, findings } = parseValuesFile(FILE, text);
        assertFindingsAtFile(findings, FILE);
        if (findings.length > 0) expect(doc).toBeUndefined();
        const data = doc?.data;
        if (data !== undefined && data !== null) expect(typeof data === 'object' && !Array.isArray(data)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('parseValuesFile reads back any values tree written as YAML', () => {
    fc.assert(
      fc.property(fc.dictionary(plainKey, valuesTree, { minKeys: 1, maxKeys: 6 }), (values) => {
        const { doc, findings } = parseValuesFile(FILE, stringify(values, { version: '1.1' }));
        expect(findings).toEqual([]);
        expect(doc?.data).toEqual(values);
      }),
      { numRuns: 500 },
    );
  });

  it('parseYamlMapping and the ApplicationSet check never throw on any text', () => {
    fc.assert(
      fc.property(yamlish, (text) => {
        assertFindingsAtFile(parseYamlMapping('services/fuzz/service.yaml', text).findings, 'services/fuzz/service.yaml');
        const appsets = validateAppSetFile('argocd/applicationsets/fuzz.yaml', text);
        assertFindingsAtFile(appsets.findings, 'argocd/applicationsets/fuzz.yaml');
        expect(appsets.appSets.length + appsets.findings.length).toBeGreaterThan(0);
      }),
      { numRuns: 1000 },
    );
  });

  it('nesting of any depth is a finding, not a stack overflow', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30_000 }), fc.constantFrom('[', '{a: ', '- '), (depth, open) => {
        const text = open === '- ' ? Array.from({ length: Math.min(depth, 3000) }, (_, i) => `${'  '.repeat(i)}- `).join('\n') + 'x\n' : `k: ${open.repeat(depth)}1${(open === '[' ? ']' : '}').repeat(depth)}\n`;
        const { findings } = parseYamlDocs(FILE, text);
        assertFindingsAtFile(findings, FILE);
      }),
      { numRuns: 60 },
    );
  });
});

describe('file guard under fuzz', () => {
  it('decodes exactly the bytes it accepts, and accepts no NUL and no invalid UTF-8', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const r = decodeText(FILE, bytes);
        if ('text' in r) {
          expect(Buffer.from(r.text, 'utf8').equals(Buffer.from(bytes))).toBe(true);
          expect(r.text.includes('\0')).toBe(false);
        } else {
          expect(r.refusal.file).toBe(FILE);
          expect(r.refusal.code).toBe('FILE_NOT_TEXT');
        }
      }),
      { numRuns: 3000 },
    );
  });

  const segment = fc.constantFrom('..', '.', '', 'a', 'b', '.git', 'services', 'x.yaml', '...', 'a\\b', '\0');
  const pathLike = fc.array(segment, { minLength: 1, maxLength: 8 }).map((s) => s.join('/'));

  it('accepts only plain paths inside the repository', () => {
    fc.assert(
      fc.property(fc.oneof(pathLike, fc.string({ maxLength: 30 }), pathLike.map((p) => `/${p}`)), (path) => {
        if (checkRepoPath(path) !== undefined) return;
        expect(path.startsWith('/')).toBe(false);
        expect(path.split('/')).not.toContain('..');
        expect(path.split('/')[0]).not.toBe('.git');
        expect(posix.normalize(path)).toBe(path);
      }),
      { numRuns: 3000 },
    );
  });

  it('follows a symlink only to a plain path inside the repository, as Argo CD would', () => {
    fc.assert(
      fc.property(pathLike.filter((p) => checkRepoPath(p) === undefined), fc.oneof(pathLike, pathLike.map((p) => `/${p}`)), (link, target) => {
        const r = resolveSymlinkTarget(link, link, target);
        if ('refusal' in r) {
          expect(r.refusal.code).toBe('FILE_OUTSIDE_REPO');
          return;
        }
        expect(target.startsWith('/')).toBe(false);
        expect(checkRepoPath(r.path)).toBeUndefined();
        // Argo CD's walk: no prefix of the target may climb above the root.
        let depth = posix.dirname(link) === '.' ? 0 : posix.dirname(link).split('/').length;
        for (const part of target.split('/')) {
          if (part === '..') depth--;
          else if (part && part !== '.') depth++;
          expect(depth).toBeGreaterThanOrEqual(0);
        }
        expect(r.path).toBe(posix.join(posix.dirname(link), target).replace(/\/+$/, ''));
      }),
      { numRuns: 3000 },
    );
  });
});
