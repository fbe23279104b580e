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

  it('terminates on recursive schemas', () => {
    const node = { $ref: '#/definitions/node' };
    const s = { definitions: { node: closed({ children: { type: 'array', items: node } }) }, ...node };
    expect(kinds(s, s)).toEqual([]);
  });
});
