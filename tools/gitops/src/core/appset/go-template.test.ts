import { describe, expect, it } from 'vitest';
import { renderGoTemplate } from './go-template.js';
import { fileMatcher, directoryMatcher } from './path-match.js';
import { matchesSelector } from './selector.js';

const params = { name: 'Shop_API', team: 'commerce', replicas: 3, releases: { prod: { chart: '1.0.0', image: '2.0' } }, path: { path: 'services/shop' } };
const render = (source: string, missingKeyError = true) => renderGoTemplate(source, params, { missingKeyError }).text;

describe('ApplicationSet Go templates', () => {
  it.each([
    ['{{.name}}-prod', 'Shop_API-prod'],
    ['{{ .releases.prod.chart }}', '1.0.0'],
    ['{{ .path.path }}/values.yaml', 'services/shop/values.yaml'],
    ['{{ .replicas }}', '3'],
    ['{{ if eq .team "commerce" }}a{{ else }}b{{ end }}', 'a'],
    ['{{ .name | lower | trunc 4 }}', 'shop'],
    ['{{ normalize .name }}', 'shop-api'],
    ['{{ printf "%s-%s" .team .name }}', 'commerce-Shop_API'],
    ['{{- /* trimmed */ -}}  x', 'x'],
    // Go prints a map as map[k:v ...], keys sorted.
    ['{{ .releases }}', 'map[prod:map[chart:1.0.0 image:2.0]]'],
  ])('%s renders %s', (source, expected) => {
    expect(render(source)).toBe(expected);
  });

  it('follows missingkey: "<no value>" by default, an error naming the key with missingkey=error', () => {
    expect(render('{{ .nope }}', false)).toBe('<no value>');
    expect(render('{{ .releases.dev.chart | default "0.0.0" }}', false)).toBe('0.0.0');
    expect(() => render('{{ .releases.dev.chart }}')).toThrow('map has no entry for key "dev"');
  });

  it('records which parameters a template read, to point findings at them', () => {
    expect(renderGoTemplate('{{ .releases.prod.chart }}-{{ .team }}', params, { missingKeyError: true }).reads).toEqual([['releases', 'prod', 'chart'], ['team']]);
  });

  it('fails closed on what it does not implement', () => {
    expect(() => render('{{ range .releases }}{{ end }}')).toThrow('"range" is not supported');
  });
});

describe('git generator path patterns', () => {
  it('matches files like git ls-files: * crosses directories unless doublestar globbing is on', () => {
    const git = fileMatcher('services/*/service.yaml', false);
    expect(git('services/shop/service.yaml')).toBe(true);
    expect(git('services/team/shop/service.yaml')).toBe(true);
    expect(git('services/shop/values.yaml')).toBe(false);
    const doublestar = fileMatcher('services/*/service.yaml', true);
    expect(doublestar('services/team/shop/service.yaml')).toBe(false);
    expect(fileMatcher('services/**/service.yaml', true)('services/team/shop/service.yaml')).toBe(true);
  });

  it('matches directories like Go path.Match: * stays in one segment', () => {
    const match = directoryMatcher('services/*');
    expect(match('services/shop')).toBe(true);
    expect(match('services/shop/v2')).toBe(false);
  });
});

describe('generator post-selectors', () => {
  it('address nested parameters with dotted keys', () => {
    expect(matchesSelector({ matchExpressions: [{ key: 'releases.prod.chart', operator: 'Exists' }] }, params)).toBe(true);
    expect(matchesSelector({ matchExpressions: [{ key: 'releases.dev.chart', operator: 'Exists' }] }, params)).toBe(false);
    expect(matchesSelector({ matchExpressions: [{ key: 'releases.dev.chart', operator: 'DoesNotExist' }] }, params)).toBe(true);
    expect(matchesSelector({ matchLabels: { team: 'commerce' }, matchExpressions: [{ key: 'releases.prod.image', operator: 'In', values: ['2.0', '2.1'] }] }, params)).toBe(true);
    expect(matchesSelector({ matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['commerce'] }] }, params)).toBe(false);
  });
});
