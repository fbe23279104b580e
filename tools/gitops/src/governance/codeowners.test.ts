import { expect, it } from 'vitest';
import { isTeam, ownersOf, parseCodeowners } from './codeowners.js';

const file = [
  '# comment',
  '*                    @acme/platform',
  '*.md                 docs@example.com   # inline comment',
  '/services/orders/    @acme/commerce',
  'docs/*               @acme/writers',
  'apps/                @octocat',
  '/build/logs/         @acme/ops',
  '/services/*/service.yaml @acme/platform @acme/release',
  '/unowned/',
  '!/services/x/        @acme/x',
  '/services/y/         not-an-owner',
  '\\#notes             @acme/notes',
].join('\n');
const co = parseCodeowners('.github/CODEOWNERS', file);
const owners = (path: string) => ownersOf(co, path).owners;

it('matches as GitHub does: gitignore patterns, the last matching rule wins', () => {
  expect(owners('gitops.yaml')).toEqual(['@acme/platform']);
  expect(owners('services/orders/values.yaml')).toEqual(['@acme/commerce']);
  expect(owners('services/orders/service.yaml')).toEqual(['@acme/platform', '@acme/release']);
  expect(owners('services/orders/README.md')).toEqual(['@acme/commerce']);
  expect(owners('README.md')).toEqual(['docs@example.com']);
  // `apps/` anywhere; `/build/logs/` at the root, with everything below it.
  expect(owners('x/apps/y.yaml')).toEqual(['@octocat']);
  expect(owners('build/logs/a/b.txt')).toEqual(['@acme/ops']);
  expect(owners('unowned/file.yaml')).toEqual([]);
  expect(owners('#notes')).toEqual(['@acme/notes']);
});

it('`dir/*` owns the files of dir, not of its subdirectories (where GitHub departs from gitignore)', () => {
  expect(owners('docs/guide.yaml')).toEqual(['@acme/writers']);
  expect(owners('docs/build/guide.yaml')).toEqual(['@acme/platform']);
});

it('reports the lines GitHub skips, and skips them', () => {
  expect(co.findings.map((f) => [f.code, f.location?.line, f.message])).toEqual([
    ['CODEOWNERS_INVALID', 10, '"!/services/x/": GitHub does not support ! negation in CODEOWNERS and skips the line'],
    ['CODEOWNERS_INVALID', 11, '"not-an-owner" is not an owner (@user, @org/team or an e-mail): GitHub skips the whole line'],
  ]);
  expect(owners('services/y/values.yaml')).toEqual(['@acme/platform']);
});

it('names a team by its slug, with or without the team- prefix, or by its full handle', () => {
  expect(isTeam('@acme/commerce', 'commerce')).toBe(true);
  expect(isTeam('@acme/team-commerce', 'commerce')).toBe(true);
  expect(isTeam('@acme/commerce', '@ACME/commerce')).toBe(true);
  expect(isTeam('@acme/commerce-ops', 'commerce')).toBe(false);
  expect(isTeam('@commerce', 'commerce')).toBe(false);
});

it('an anchored path owns itself and what lies under it, not a sibling that shares its first letters', () => {
  const rules = parseCodeowners('CODEOWNERS', ['* @acme/platform', '/services/order @acme/order', '/services/orders/values.yaml @acme/commerce', '/Docs @acme/writers'].join('\n'));
  const of = (path: string) => ownersOf(rules, path).owners;
  expect(of('services/order/values.yaml')).toEqual(['@acme/order']);
  expect(of('services/order')).toEqual(['@acme/order']);
  expect(of('services/orders/values.yaml')).toEqual(['@acme/commerce']);
  expect(of('services/orders/values-prod.yaml')).toEqual(['@acme/platform']);
  expect(of('services/order-history/values.yaml')).toEqual(['@acme/platform']);
  // The matcher ignores case: so does the shortcut in front of it.
  expect(of('docs/guide.md')).toEqual(['@acme/writers']);
});
