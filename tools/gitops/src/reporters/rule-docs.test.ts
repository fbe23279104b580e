import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { toolRoot } from '../paths.js';
import { documentedCodes, ruleDoc } from './rule-docs.js';

const readme = readFileSync(join(toolRoot, 'README.md'), 'utf8');
const anchored = new Set([...readme.matchAll(/<a id="([a-z0-9_]+)"><\/a>`([A-Z0-9_]+)`/g)].map((m) => m[2]!));

it('every code in the README tables has a description for SARIF, and every described code a README anchor', () => {
  const documented = new Set(documentedCodes());
  expect([...anchored].filter((c) => !documented.has(c))).toEqual([]);
  expect([...documented].filter((c) => !anchored.has(c))).toEqual([]);
});

it('scores only rules with security impact, on the scale GitHub reads', () => {
  expect(ruleDoc('POLICY_PRIVILEGED').securitySeverity).toBe('9.0');
  expect(ruleDoc('POLICY_PDB_MISSING').securitySeverity).toBeUndefined();
  expect(ruleDoc('VALUES_UNKNOWN_KEY').securitySeverity).toBeUndefined();
  for (const code of documentedCodes()) {
    const score = ruleDoc(code as never).securitySeverity;
    if (score !== undefined) expect(Number(score), code).toBeGreaterThan(0);
    if (score !== undefined) expect(Number(score), code).toBeLessThanOrEqual(10);
  }
});
