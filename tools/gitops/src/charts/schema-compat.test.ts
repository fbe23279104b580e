import { describe, expect, it } from 'vitest';
import { breakingSchemaChanges } from './schema-compat.js';

const closed = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ type: 'object', additionalProperties: false, properties, ...extra });
const kinds = (before: unknown, after: unknown, defaults?: unknown) => breakingSchemaChanges(before, after, defaults).map((c) => [c.kind, c.pointer]);

describe('breakingSchemaChanges', () => {
  it('finds nothing in an identical or widened schema', () => {
    const s = closed({ replicas: { type: 'integer' }, mode: { enum: ['a', 'b'] } });
    expect(kinds(s, s)).toEqual([]);
    expect(kinds(s, closed({ replicas: { type: 'number' }, mode: { enum: ['a', 'b', 'c'] }, added: { type: 'string' } }))).toEqual([]);
    expect(kinds(closed({ a: { type: 'string' } }), { type: 'object', properties: { a: { type: ['string', 'null'] } } })).toEqual([]);
  });

  it('a key removed where unknown keys are refused, with the rename it probably is', () => {
    const changes = breakingSchemaChanges(closed({ replicaCount: { type: 'integer' } }), closed({ replicas: { type: 'integer' } }));
    expect(changes).toEqual([{ kind: 'removed', pointer: '/replicaCount', schemaPath: ['properties'], message: 'key "replicaCount" removed (renamed to "replicas"?): a values file that sets it is now refused' }]);
    // Open objects still accept the old key.
    expect(kinds({ type: 'object', properties: { a: {} } }, { type: 'object', properties: {} })).toEqual([]);
    // A patternProperties entry that still admits it.
    expect(kinds(closed({ x_a: {} }), closed({}, { patternProperties: { '^x_': {} } }))).toEqual([]);
  });

  it('types narrowed, nested, through $refs', () => {
    const before = { type: 'object', properties: { image: { $ref: '#/definitions/image' } }, definitions: { image: closed({ tag: { type: ['string', 'number'] } }) } };
    const after = { type: 'object', properties: { image: { $ref: '#/definitions/image' } }, definitions: { image: closed({ tag: { type: 'string' } }) } };
    const [change] = breakingSchemaChanges(before, after);
    expect(change).toMatchObject({ kind: 'type', pointer: '/image/tag', schemaPath: ['definitions', 'image', 'properties', 'tag', 'type'] });
    expect(change!.message).toBe('type narrowed from string | number to string: number no longer accepted');
    expect(kinds(closed({ n: { type: 'number' } }), closed({ n: { type: 'integer' } }))).toEqual([['type', '/n']]);
    expect(kinds(closed({ n: {} }), closed({ n: { type: 'integer' } }))).toEqual([['type', '/n']]);
  });

  it('a new required key, unless the chart defaults set it', () => {
    const before = closed({ a: {}, b: {} });
    expect(kinds(before, closed({ a: {}, b: {} }, { required: ['a'] }))).toEqual([['required', '/']]);
    expect(kinds(before, closed({ a: {}, b: {} }, { required: ['a'] }), { a: 1 })).toEqual([]);
    expect(breakingSchemaChanges(before, closed({ a: {}, b: {} }, { required: ['b'] }))[0]!.message).toBe('new required key "b": a values file without it is now refused');
  });

  it('an enum narrowed or introduced, additionalProperties closed', () => {
    expect(breakingSchemaChanges(closed({ m: { enum: ['a', 'b'] } }), closed({ m: { enum: ['a'] } }))[0]!.message).toBe('enum narrowed: "b" no longer allowed');
    expect(kinds(closed({ m: { type: 'string' } }), closed({ m: { type: 'string', enum: ['a'] } }))).toEqual([['enum', '/m']]);
    expect(kinds({ type: 'object', properties: { env: { type: 'object' } } }, { type: 'object', properties: { env: { type: 'object', additionalProperties: false } } })).toEqual([['closed', '/env']]);
  });

  it('compares map values and list items', () => {
    const before = closed({ env: { type: 'object', additionalProperties: { type: ['string', 'number'] } }, ports: { type: 'array', items: closed({ port: { type: 'number' } }) } });
    const after = closed({ env: { type: 'object', additionalProperties: { type: 'string' } }, ports: { type: 'array', items: closed({}) } });
    expect(kinds(before, after)).toEqual([
      ['type', '/env/*'],
      ['removed', '/ports/0/port'],
    ]);
  });

  it('bounds tightened or introduced, in draft 4 and draft 6+ forms; loosened bounds are fine', () => {
    const n = (extra: Record<string, unknown>) => closed({ n: { type: 'integer', ...extra } });
    expect(breakingSchemaChanges(n({ minimum: 1 }), n({ minimum: 2 }))[0]).toMatchObject({ kind: 'bound', pointer: '/n', schemaPath: ['properties', 'n', 'minimum'], message: 'lower bound raised from >= 1 to >= 2' });
    expect(kinds(n({ minimum: 2 }), n({ minimum: 1 }))).toEqual([]);
    expect(kinds(n({}), n({ maximum: 10 }))).toEqual([['bound', '/n']]);
    expect(kinds(n({ maximum: 10 }), n({ maximum: 20 }))).toEqual([]);
    // Draft 4's boolean exclusiveMinimum and draft 6's number say the same: no change.
    expect(kinds(n({ minimum: 0, exclusiveMinimum: true }), n({ exclusiveMinimum: 0 }))).toEqual([]);
    expect(breakingSchemaChanges(n({ minimum: 0 }), n({ exclusiveMinimum: 0 }))[0]!.message).toBe('lower bound raised from >= 0 to > 0');
    expect(kinds(closed({ s: { type: 'string', maxLength: 63 } }), closed({ s: { type: 'string', maxLength: 40, minLength: 1 } }))).toEqual([
      ['bound', '/s'],
      ['bound', '/s'],
    ]);
    expect(kinds(closed({ l: { type: 'array' } }), closed({ l: { type: 'array', uniqueItems: true, minItems: 1 } })).length).toBe(2);
    expect(kinds(n({ multipleOf: 4 }), n({ multipleOf: 2 }))).toEqual([]);
    expect(kinds(n({ multipleOf: 2 }), n({ multipleOf: 4 }))).toEqual([['bound', '/n']]);
  });

  it('a pattern introduced or changed', () => {
    const s = (pattern?: string) => closed({ host: { type: 'string', ...(pattern ? { pattern } : {}) } });
    expect(breakingSchemaChanges(s(), s('^[a-z]+$'))[0]).toMatchObject({ kind: 'pattern', pointer: '/host', message: 'must now match the pattern /^[a-z]+$/' });
    expect(breakingSchemaChanges(s('^[a-z]+$'), s('^[a-z0-9]+$'))[0]!.message).toMatch(/^pattern changed from \/\^\[a-z\]\+\$\/ to .*cannot be proven\)$/);
    expect(kinds(s('^[a-z]+$'), s('^[a-z]+$'))).toEqual([]);
    expect(kinds(s('^[a-z]+$'), s())).toEqual([]);
  });

  it('allOf gaining a constraint, anyOf and oneOf losing what an alternative accepted', () => {
    const base = closed({ port: { type: 'integer' } });
    expect(kinds(base, { ...base, allOf: [{ required: ['port'] }] })).toEqual([['required', '/']]);
    expect(kinds({ ...base, allOf: [{ required: ['port'] }] }, base)).toEqual([]);
    expect(kinds(closed({ p: { allOf: [{ minimum: 1 }] } }), closed({ p: { allOf: [{ minimum: 2 }] } }))).toEqual([['bound', '/p']]);

    const alts = (...anyOf: unknown[]) => closed({ v: { anyOf } });
    expect(kinds(alts({ type: 'string' }, { type: 'integer' }), alts({ type: 'string' }, { type: 'number' }))).toEqual([]);
    const [lost] = breakingSchemaChanges(alts({ type: 'string' }, { type: 'integer' }), alts({ type: 'string' }));
    expect(lost).toMatchObject({ kind: 'combinator', pointer: '/v', schemaPath: ['properties', 'v', 'anyOf'], message: 'anyOf alternative 2 of the old schema is accepted by no alternative of the new one' });
    // Introduced: the old schema must fit some alternative.
    expect(kinds(closed({ v: { type: 'string' } }), closed({ v: { type: 'string', anyOf: [{ type: 'string' }, { type: 'null' }] } }))).toEqual([]);
    expect(kinds(closed({ v: { type: 'string' } }), closed({ v: { anyOf: [{ type: 'string', pattern: '^a' }, { type: 'null' }] } }))).toEqual([['combinator', '/v']]);
    // oneOf: a new alternative that overlaps another refuses values matching both.
    const one = (...oneOf: unknown[]) => closed({ v: { oneOf } });
    expect(kinds(one({ type: 'string' }), one({ type: 'string' }, { type: 'integer' }))).toEqual([]);
    expect(kinds(one({ type: 'string' }), one({ type: 'string' }, { type: 'string', maxLength: 3 }))).toEqual([['combinator', '/v']]);
    // A description, or keys in another order, change nothing.
    expect(kinds(one({ type: 'string', maxLength: 3 }, { type: 'integer' }), one({ maxLength: 3, type: 'string', description: 'short' }, { type: 'integer' }))).toEqual([]);
    // Alternatives are read with the keywords around them.
    expect(kinds(closed({ v: { type: 'string', anyOf: [{ pattern: '^a' }, { pattern: '^b' }] } }), closed({ v: { type: 'string', anyOf: [{ type: 'string', pattern: '^a' }, { pattern: '^b' }] } }))).toEqual([]);
    // allOf: the old constraints, wherever they were written, are what the new ones are held to.
    const obj = { type: 'object', properties: { a: {} } };
    expect(kinds({ ...obj, allOf: [{ required: ['a'] }] }, { ...obj, allOf: [{ type: 'object', required: ['a'] }] })).toEqual([]);
    expect(kinds({ ...obj, allOf: [{ required: ['a'] }] }, { ...obj, allOf: [{ properties: { a: { minimum: 1 } } }, { required: ['a'] }] })).toEqual([['bound', '/a']]);
    // A $ref in an alternative is read at its target.
    const refd = (max: number) => ({ definitions: { s: { type: 'string', maxLength: max } }, ...closed({ v: { anyOf: [{ $ref: '#/definitions/s' }, { type: 'null' }] } }) });
    expect(kinds(refd(10), refd(5))).toEqual([['combinator', '/v']]);
  });

  it('not, if/then/else and the other keywords compared as a whole', () => {
    expect(kinds(closed({ v: {} }), closed({ v: { not: { const: 'x' } } }))).toEqual([['combinator', '/v']]);
    const cond = { if: { properties: { mesh: { const: true } } }, then: { required: ['port'] } };
    expect(kinds(closed({ mesh: {}, port: {} }), closed({ mesh: {}, port: {} }, cond))).toEqual([
      ['combinator', '/'],
      ['combinator', '/'],
    ]);
    expect(kinds(closed({ mesh: {}, port: {} }, cond), closed({ mesh: {}, port: {} }, cond))).toEqual([]);
  });

  it('terminates on recursive schemas', () => {
    const node = { $ref: '#/definitions/node' };
    const s = { definitions: { node: closed({ children: { type: 'array', items: node } }) }, ...node };
    expect(kinds(s, s)).toEqual([]);
    const alt = { definitions: { node: { anyOf: [{ type: 'string' }, { type: 'array', items: { $ref: '#/definitions/node' } }] } }, $ref: '#/definitions/node' };
    const narrowed = { definitions: { node: { anyOf: [{ type: 'string', maxLength: 9 }, { type: 'array', items: { $ref: '#/definitions/node' } }] } }, $ref: '#/definitions/node' };
    // Long strings, and lists holding one, are refused now: both alternatives lost something.
    expect(breakingSchemaChanges(alt, narrowed).map((c) => c.message)).toEqual([
      'anyOf alternative 1 of the old schema is accepted by no alternative of the new one',
      'anyOf alternative 2 of the old schema is accepted by no alternative of the new one',
    ]);
    // Two recursive keys: the walk stays linear.
    const tree = (leaf: unknown) => ({ definitions: { node: closed({ value: leaf, left: { $ref: '#/definitions/node' }, right: { $ref: '#/definitions/node' } }) }, $ref: '#/definitions/node' });
    expect(kinds(tree({ type: 'string' }), tree({ type: 'integer' }))).toEqual([['type', '/value']]);
  });
});
