import { describe, expect, it } from 'vitest';
import { crdSchemas, isOpenApiV2, openApiSchemas } from './schema-import.js';

const crd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    names: { kind: 'Widget', plural: 'widgets' },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1',
        served: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                properties: { port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] }, extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
              },
            },
          },
        },
      },
      { name: 'v1alpha1', served: false },
    ],
  },
};

describe('crdSchemas', () => {
  it('writes one strict schema per version that has one, in the CRDs catalog layout', () => {
    const schemas = crdSchemas(crd);
    expect(schemas.map((s) => [s.path, s.id])).toEqual([['crds/example.com/widget_v1.json', 'example.com/v1 Widget']]);
    const spec = (schemas[0]!.schema.properties as Record<string, Record<string, unknown>>).spec!;
    expect(spec.additionalProperties).toBe(false);
    expect((spec.properties as Record<string, unknown>).port).toEqual({ type: ['integer', 'string'] });
    expect((spec.properties as Record<string, Record<string, unknown>>).extra!.additionalProperties).toBeUndefined();
  });

  it('reads the pre-v1 spec.validation form and ignores what is not a CRD', () => {
    const legacy = { spec: { group: 'old.example.com', version: 'v1beta1', names: { kind: 'Thing' }, validation: { openAPIV3Schema: { type: 'object', properties: { a: { type: 'string' } } } } } };
    expect(crdSchemas(legacy).map((s) => s.path)).toEqual(['crds/old.example.com/thing_v1beta1.json']);
    expect(crdSchemas({ kind: 'ConfigMap' })).toEqual([]);
  });
});

describe('openApiSchemas', () => {
  const dump = {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: 'v1.34.0' },
    definitions: {
      'io.k8s.api.apps.v1.Deployment': {
        type: 'object',
        'x-kubernetes-group-version-kind': [{ group: 'apps', version: 'v1', kind: 'Deployment' }],
        properties: {
          apiVersion: { type: 'string' },
          kind: { type: 'string' },
          metadata: { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' },
          spec: { type: 'object', properties: { maxSurge: { $ref: '#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString' }, cpu: { $ref: '#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity' } } },
        },
      },
      'io.k8s.api.core.v1.Pod': { type: 'object', properties: { kind: { type: 'string' } } },
      'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': { type: 'object', properties: { name: { type: 'string' } } },
      'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { type: 'string', format: 'int-or-string' },
      'io.k8s.apimachinery.pkg.api.resource.Quantity': { type: 'string' },
      'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps': { type: 'object', properties: { not: { $ref: '#/definitions/io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps' } } },
    },
  };

  it('is recognised by its swagger version and definitions', () => {
    expect(isOpenApiV2(dump)).toBe(true);
    expect(isOpenApiV2({ openapi: '3.0.0', components: {} })).toBe(false);
  });

  it('names each definition as kubernetes-json-schema does, de-referenced and strict', () => {
    const schemas = openApiSchemas(dump, '1.34.0');
    const byPath = new Map(schemas.map((s) => [s.path.replace('kubernetes/v1.34.0-standalone-strict/', ''), s.schema]));
    expect([...byPath.keys()].sort()).toEqual(['deployment-apps-v1.json', 'intorstring-util-intstr.json', 'jsonschemaprops-apiextensions-v1.json', 'objectmeta-meta-v1.json', 'pod-v1.json', 'quantity-resource.json']);
    const deployment = byPath.get('deployment-apps-v1.json')!;
    expect(JSON.stringify(deployment)).not.toContain('$ref');
    expect(deployment['x-kubernetes-group-version-kind']).toEqual([{ group: 'apps', version: 'v1', kind: 'Deployment' }]);
    const properties = deployment.properties as Record<string, Record<string, unknown>>;
    expect(properties.apiVersion).toEqual({ type: 'string', enum: ['apps/v1'] });
    expect(properties.metadata).toEqual({ type: 'object', properties: { name: { type: 'string' } }, additionalProperties: false });
    const spec = properties.spec!.properties as Record<string, unknown>;
    expect(spec.maxSurge).toEqual({ type: ['integer', 'string'] });
    expect(spec.cpu).toEqual({ type: ['string', 'number'] });
    expect(deployment.additionalProperties).toBe(false);
  });

  it('leaves a recursive definition open where it repeats', () => {
    const props = openApiSchemas(dump, '1.34.0').find((s) => s.path.endsWith('jsonschemaprops-apiextensions-v1.json'))!.schema;
    expect((props.properties as Record<string, unknown>).not).toEqual({});
  });
});
