import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { toolRoot } from '../paths.js';
import { POLICY_RULE_CODES } from './codes.js';
import { rules } from './registry.js';

it('has exactly one rule per POLICY_* code, each with a title, a hint and a severity per profile', () => {
  expect(rules.map((r) => r.code).sort()).toEqual([...POLICY_RULE_CODES].sort());
  for (const rule of rules) {
    expect(rule.title, rule.code).toMatch(/^[A-Z].*\.$/);
    expect(rule.title.includes('\n'), rule.code).toBe(false);
    expect(rule.hint, rule.code).not.toBe('');
    // restricted is the strict profile: never weaker than baseline.
    const rank = { off: 0, warning: 1, error: 2 } as const;
    expect(rank[rule.severity.restricted], rule.code).toBeGreaterThanOrEqual(rank[rule.severity.baseline]);
    expect(rule.severity.restricted, rule.code).toBe('error');
  }
});

it('lets waivers name every rule and nothing else (waivers.schema.json)', () => {
  const schema = JSON.parse(readFileSync(join(toolRoot, 'schemas', 'waivers.schema.json'), 'utf8')) as { properties: { waivers: { items: { properties: { rule: { enum: string[] } } } } } };
  expect(schema.properties.waivers.items.properties.rule.enum).toEqual([...POLICY_RULE_CODES]);
});

it('documents every rule with its severities in the README', () => {
  const readme = readFileSync(join(toolRoot, 'README.md'), 'utf8');
  const rows = [...readme.matchAll(/^\| (?:<a id="[a-z0-9_]+"><\/a>)?`(POLICY_[A-Z_]+)` \| (\w+) \| (\w+) \|/gm)].map((m) => `${m[1]} ${m[2]} ${m[3]}`);
  expect(rows).toEqual(rules.map((r) => `${r.code} ${r.severity.baseline} ${r.severity.restricted}`));
});
