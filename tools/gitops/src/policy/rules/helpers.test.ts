import { describe, expect, it } from 'vitest';
import { fqdn, requiredLabels, selectorMatches } from '../model.js';
import { unpinnedReason } from './images.js';
import { quantity } from './resources.js';
import { secretName } from './secrets.js';
import { destinationPermitted, globMatch } from './tenancy.js';

describe('image references', () => {
  it.each([
    ['registry.example.com/shop/api:1.2.3', undefined],
    ['registry.example.com:5000/shop/api:1.2.3', undefined],
    [`registry.example.com/shop/api@sha256:${'ab'.repeat(32)}`, undefined],
    [`registry.example.com/shop/api:latest@sha256:${'ab'.repeat(32)}`, undefined],
    ['registry.example.com/shop/api:latest', 'uses the moving tag :latest'],
    ['registry.example.com/shop/api', 'has no tag'],
    ['registry.example.com:5000/shop/api', 'has no tag'],
    ['api:', 'has no tag'],
    ['registry.example.com/shop/api@sha256:123', 'malformed digest'],
    ['', 'has no image'],
  ])('%s', (image, reason) => {
    if (reason === undefined) expect(unpinnedReason(image)).toBeUndefined();
    else expect(unpinnedReason(image)).toContain(reason);
  });
});

it('reads Kubernetes quantities', () => {
  expect(quantity('512Mi')).toBe(512 * 2 ** 20);
  expect(quantity('1Gi')! > quantity('1000Mi')!).toBe(true);
  expect(quantity('100m')).toBeCloseTo(0.1);
  expect(quantity('1e3')).toBe(1000);
  expect(quantity('2')).toBe(2);
  expect(quantity(3)).toBe(3);
  expect(quantity('lots')).toBeUndefined();
});

it('judges a secret name by its last word', () => {
  for (const name of ['DB_PASSWORD', 'dbPassword', 'CLIENT_SECRET', 'API_TOKEN', 'STRIPE_API_KEY', 'PRIVATE_KEY', 'jwt.secret', 'SMTP_PASSWD', 'AWS_SECRET_KEY']) expect(secretName(name), name).toBe(true);
  for (const name of ['TOKEN_URL', 'PASSWORD_MIN_LENGTH', 'SECRET_NAME', 'PWD', 'KEY', 'PUBLIC_KEY_ID', 'LOG_LEVEL', 'passwordFile']) expect(secretName(name), name).toBe(false);
});

it("matches Argo CD's globs and destinations, deny entries included", () => {
  expect(globMatch('https://*.example.com', 'https://prod.example.com')).toBe(true);
  expect(globMatch('team-?', 'team-a')).toBe(true);
  expect(globMatch('shop', 'shop-2')).toBe(false);
  const project = (destinations: object[]) => ({ name: 'p', file: 'p.yaml', location: { file: 'p.yaml' }, spec: { destinations } });
  const cluster = { name: 'prod', server: 'https://prod.example.com' };
  expect(destinationPermitted(project([{ name: 'prod', namespace: 'shop' }]), cluster, 'shop')).toBe(true);
  expect(destinationPermitted(project([{ server: 'https://prod.example.com', namespace: 'shop-*' }]), cluster, 'shop-blue')).toBe(true);
  expect(destinationPermitted(project([{ name: 'dev', namespace: 'shop' }]), cluster, 'shop')).toBe(false);
  expect(destinationPermitted(project([{ name: '*', namespace: '*' }, { name: '*', namespace: '!kube-system' }]), cluster, 'kube-system')).toBe(false);
  expect(destinationPermitted(project([{ name: '*', namespace: '*' }, { name: '*', namespace: '!kube-system' }]), cluster, 'shop')).toBe(true);
  expect(destinationPermitted(project([]), cluster, 'shop')).toBe(false);
});

it('resolves Istio short host names in the namespace of the object naming them', () => {
  expect(fqdn('orders', 'shop')).toBe('orders.shop.svc.cluster.local');
  expect(fqdn('orders.shop', 'edge')).toBe('orders.shop.svc.cluster.local');
  expect(fqdn('orders.shop.svc', 'edge')).toBe('orders.shop.svc.cluster.local');
  expect(fqdn('api.example.com', 'shop')).toBe('api.example.com');
});

it('reads label selectors as the API server does: the one engine ApplicationSets use too', () => {
  const labels = { app: 'web', tier: 'front' };
  const selector = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'edge'] }, { key: 'canary', operator: 'DoesNotExist' }] };
  expect(selectorMatches(selector, labels)).toBe(true);
  expect(selectorMatches(selector, { ...labels, canary: 'true' })).toBe(false);
  expect(requiredLabels(selector)).toEqual([['app', 'web']]);
  expect(selectorMatches({}, labels)).toBe(true);
  expect(selectorMatches(undefined, labels)).toBe(true);
  // A label that is not there is not one inherited from Object.prototype.
  expect(selectorMatches({ matchExpressions: [{ key: 'constructor', operator: 'Exists' }] }, labels)).toBe(false);
  // Selectors the API server refuses select nothing: an empty In, values on Exists, an unknown operator, a bad key.
  for (const expr of [{ key: 'app', operator: 'In', values: [] }, { key: 'app', operator: 'Exists', values: ['web'] }, { key: 'app', operator: 'Equals', values: ['web'] }, { key: '-app', operator: 'Exists' }]) {
    expect(selectorMatches({ matchExpressions: [expr] }, labels), JSON.stringify(expr)).toBe(false);
  }
});
