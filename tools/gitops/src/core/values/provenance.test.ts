import { describe, expect, it } from 'vitest';
import { parseYamlDocs } from '../yaml/parse-yaml.js';
import { fileLayer, mergeLayers, type ValueLayer } from './layers.js';
import { valuesOrigin } from './provenance.js';

const file = (path: string, text: string, kind: 'chart' | 'file' = 'file') => fileLayer(kind, parseYamlDocs(path, text, '1.1').docs[0], path);

const layers: ValueLayer[] = [
  file('charts/app/values.yaml', 'image:\n  repository: registry.example.com/app\n  tag: ""\nresources:\n  limits:\n    memory: 512Mi\nreplicas: 1\n', 'chart'),
  file('environments/prod/values.yaml', 'replicas: 2\n'),
  file('services/orders/values-prod.yaml', 'resources:\n  limits:\n    memory: 1Gi\n'),
  { kind: 'parameter', data: { image: { tag: '2.3.1' } }, locate: () => ({ file: 'services/orders/service.yaml', line: 9, column: 34 }) },
];
const merged = mergeLayers(layers);

describe('valuesOrigin', () => {
  it('finds the values line that set a rendered field', () => {
    expect(valuesOrigin(layers, merged, ['spec', 'template', 'spec', 'containers', 0, 'resources', 'limits', 'memory'], '1Gi')).toEqual({ file: 'services/orders/values-prod.yaml', line: 3, column: 13 });
    expect(valuesOrigin(layers, merged, ['spec', 'replicas'], 2)).toEqual({ file: 'environments/prod/values.yaml', line: 1, column: 11 });
  });

  it('finds the parameter inside a composed value', () => {
    expect(valuesOrigin(layers, merged, ['spec', 'template', 'spec', 'containers', 0, 'image'], 'registry.example.com/app:2.3.1')).toEqual({ file: 'services/orders/service.yaml', line: 9, column: 34 });
  });

  it('points a missing field at the values map that would hold it', () => {
    expect(valuesOrigin(layers, merged, ['spec', 'template', 'spec', 'containers', 0, 'resources', 'limits', 'cpu'], undefined)).toEqual({ file: 'services/orders/values-prod.yaml', line: 2, column: 3 });
  });

  it('gives up rather than guess', () => {
    expect(valuesOrigin(layers, merged, ['spec', 'template', 'spec', 'hostNetwork'], true)).toBeUndefined();
  });
});
