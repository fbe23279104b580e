import { describe, expect, it } from 'vitest';
import type { Manifest } from '../core/manifests/manifest.js';
import { BuiltinEngine } from './builtin-engine.js';
import { strictSchema } from './strict-schema.js';

const schema = strictSchema({
  type: 'object',
  required: ['spec'],
  properties: {
    spec: {
      type: 'object',
      properties: {
        replicas: { type: ['integer', 'null'] },
        policy: { type: 'string', enum: ['Always', 'Never'] },
        name: { type: 'string', pattern: '^[a-z]+$' },
        ports: { type: 'array', items: { type: 'object', required: ['port', 'name'], properties: { port: { type: 'integer' }, name: { type: 'string' } } } },
        // Istio's "at most one of" idiom.
        match: {
          type: 'object',
          properties: { exact: { type: 'string' }, prefix: { type: 'string' } },
          oneOf: [{ not: { anyOf: [{ required: ['exact'] }, { required: ['prefix'] }] } }, { required: ['exact'] }, { required: ['prefix'] }],
        },
        either: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } }, anyOf: [{ required: ['a'] }, { required: ['b'] }] },
      },
    },
  },
});

async function errorsOf(object: Record<string, unknown>) {
  const [verdict] = await new BuiltinEngine().validate([{ manifest: { object } as Manifest, schema: { id: 'test', layoutPath: 'x', source: `test-${Math.random()}`, schema } }]);
  return verdict!;
}

describe('schema errors of the built-in engine', () => {
  it('is valid when nothing is wrong', async () => {
    expect(await errorsOf({ spec: { replicas: null, policy: 'Never', match: { exact: '/' } } })).toEqual({ status: 'valid', errors: [] });
  });

  it('points at an unknown field itself and suggests the field meant', async () => {
    expect((await errorsOf({ spec: { replica: 2 } })).errors).toEqual([{ pointer: '/spec/replica', message: 'unknown field "replica" (did you mean "replicas"?)', atKey: true }]);
  });

  it('says what type, value or pattern was wanted, without OpenAPI\'s null', async () => {
    expect((await errorsOf({ spec: { replicas: '2', policy: 'Sometimes', name: 'A' } })).errors).toEqual([
      { pointer: '/spec/replicas', message: 'must be an integer, not a string' },
      { pointer: '/spec/policy', message: 'must be one of "Always", "Never", not "Sometimes"' },
      { pointer: '/spec/name', message: '"A" does not match the pattern ^[a-z]+$' },
    ]);
  });

  it('names the missing fields of one object on one line, at the object', async () => {
    expect((await errorsOf({ spec: { ports: [{}] } })).errors).toEqual([{ pointer: '/spec/ports/0', message: 'missing required fields "port", "name"' }]);
    expect((await errorsOf({})).errors).toEqual([{ pointer: '', message: 'missing required field "spec"' }]);
  });

  it('reports a wrong type alone, as kubeconform does', async () => {
    expect((await errorsOf({ spec: { policy: 3 } })).errors).toEqual([{ pointer: '/spec/policy', message: 'must be a string, not an integer' }]);
  });

  it('reports a oneOf or anyOf once, at the object that carries it, naming the fields', async () => {
    expect((await errorsOf({ spec: { match: { exact: '/', prefix: '/' } } })).errors).toEqual([
      { pointer: '/spec/match', message: 'at most one of "exact", "prefix" may be set, not "exact" and "prefix"' },
    ]);
    expect((await errorsOf({ spec: { either: {} } })).errors).toEqual([{ pointer: '/spec/either', message: 'must set at least one of "a", "b"' }]);
  });
});
