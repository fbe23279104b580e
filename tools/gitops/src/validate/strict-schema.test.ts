import { describe, expect, it } from 'vitest';
import { STRICT_SCHEMA_DIALECT, strictSchema } from './strict-schema.js';

describe('strictSchema', () => {
  it('closes every object schema that lists properties, at any depth, and drops annotations', () => {
    const out = strictSchema({
      description: 'A thing',
      type: 'object',
      properties: {
        spec: { type: ['object', 'null'], properties: { replicas: { type: 'integer', format: 'int32', default: 1 } } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        items: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
      },
    });
    expect(out).toEqual({
      $schema: STRICT_SCHEMA_DIALECT,
      type: 'object',
      additionalProperties: false,
      properties: {
        spec: { type: ['object', 'null'], additionalProperties: false, properties: { replicas: { type: 'integer' } } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        items: { type: 'array', items: { type: 'object', additionalProperties: false, properties: { name: { type: 'string' } } } },
      },
    });
  });

  it('leaves open what preserves unknown fields, and what already says what it allows', () => {
    const out = strictSchema({
      type: 'object',
      properties: {
        config: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'object', properties: { a: {} } } } },
        open: { type: 'object', additionalProperties: true, properties: { a: {} } },
      },
    });
    const properties = out.properties as Record<string, Record<string, unknown>>;
    expect(properties.config).not.toHaveProperty('additionalProperties');
    // Preserving applies to that object only: what it declares inside is closed.
    expect((properties.config!.properties as Record<string, Record<string, unknown>>).known!.additionalProperties).toBe(false);
    expect(properties.open!.additionalProperties).toBe(true);
  });

  it('accepts integer and string for int-or-string, in every way schemas write it', () => {
    const out = strictSchema({
      type: 'object',
      properties: {
        standalone: { oneOf: [{ type: ['string', 'null'] }, { type: ['integer', 'null'] }] },
        quantity: { oneOf: [{ type: ['string', 'null'] }, { type: ['number', 'null'] }] },
        crd: { anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true, pattern: '^[0-9]+%?$' },
        openapi: { 'x-kubernetes-int-or-string': true },
      },
    });
    expect(out.properties).toEqual({
      standalone: { type: ['string', 'integer', 'null'] },
      quantity: { type: ['string', 'number', 'null'] },
      crd: { type: ['integer', 'string'], pattern: '^[0-9]+%?$' },
      openapi: { type: ['integer', 'string'] },
    });
  });

  it("reads OpenAPI's nullable as a null type", () => {
    const out = strictSchema({ type: 'object', properties: { n: { type: 'integer', nullable: true }, e: { type: 'string', enum: ['A'], nullable: true } } });
    expect(out.properties).toEqual({ n: { type: ['integer', 'null'] }, e: { type: ['string', 'null'], enum: ['A', null] } });
  });

  it('does not close the branches of oneOf, anyOf, allOf or not: the object that carries them is closed', () => {
    const out = strictSchema({
      type: 'object',
      properties: { a: { type: 'string' }, b: { type: 'string' } },
      oneOf: [{ properties: { a: { enum: ['x'] } } }, { not: { properties: { b: {} } } }],
    });
    expect(out.additionalProperties).toBe(false);
    expect(out.oneOf).toEqual([{ properties: { a: { enum: ['x'] } } }, { not: { properties: { b: {} } } }]);
  });

  it('does not modify its input', () => {
    const input = { type: 'object', properties: { a: { type: 'string', description: 'x' } } };
    const copy = structuredClone(input);
    strictSchema(input);
    expect(input).toEqual(copy);
  });
});
