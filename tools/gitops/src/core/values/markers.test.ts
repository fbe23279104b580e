import { describe, expect, it } from 'vitest';
import { parseYamlDocs } from '../yaml/parse-yaml.js';
import { fileLayer, mergeLayers } from './layers.js';
import { markersIn, markValues, replaceMarkers, sourceMap } from './markers.js';

const file = (path: string, text: string, kind: 'chart' | 'file' = 'file') => fileLayer(kind, parseYamlDocs(path, text, '1.1').docs[0], path);
const layers = [
  file('charts/app/values.yaml', 'image:\n  repository: registry.example.com/app\n  tag: ""\nport: 8080\nmonitoring:\n  enabled: true\n  path: /metrics\n', 'chart'),
  file('services/orders/values.yaml', 'monitoring: null\nresources:\n  limits:\n    memory: 1Gi\n'),
];
const merged = mergeLayers(layers);

describe('markValues', () => {
  const marked = markValues(merged, layers, { numbers: true });

  it('marks strings and numbers, keeps what decides what renders, and keeps deleted keys deleted', () => {
    expect(marked.values).toEqual({
      image: { repository: 'gitopsv1x', tag: '' },
      port: 900097,
      resources: { limits: { memory: 'gitopsv2x' } },
      // helm would bring the chart's monitoring back if the key were simply absent.
      monitoring: null,
    });
  });

  it('reads markers back, whatever the template did around them', () => {
    expect(markersIn('GITOPSV1X:gitopsv2x', marked)).toEqual([['image', 'repository'], ['resources', 'limits', 'memory']]);
    expect(markersIn(900097, marked)).toEqual([['port']]);
    expect(markersIn('900097', marked)).toEqual([['port']]);
    // A template adding one to a number lands on no marker.
    expect(markersIn(900098, marked)).toEqual([]);
    expect(replaceMarkers('gitopsv1x:2.0', marked, (p) => String(p.join('.')))).toBe('image.repository:2.0');
  });

  it('names the values map a rendered map came from only when all of it came from there', () => {
    expect(sourceMap({ limits: { memory: 'gitopsv2x' } }, marked, merged)).toEqual(['resources', 'limits']);
    expect(sourceMap({ name: 'app', image: 'gitopsv1x' }, marked, merged)).toBeUndefined();
  });
});
