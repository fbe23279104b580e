import type { ResourceResult } from '../cli/types.js';
import type { Finding } from '../core/findings.js';

/** "1 application", "2 applications": every count a report prints goes through here. */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** The counts of findings by severity, under the names the JSON report gives them. */
export interface FindingCounts {
  findings: number;
  errors: number;
  warnings: number;
}

export function countFindings(findings: readonly Finding[]): FindingCounts {
  const errors = findings.filter((f) => f.severity === 'error').length;
  return { findings: findings.length, errors, warnings: findings.length - errors };
}

/**
 * The counts of object verdicts, under the names the JSON report gives them: a verdict of
 * `error` (the object could not be checked) is counted as `unchecked`, so that "errors"
 * always means error findings, in the text and in the JSON alike.
 */
export interface ResourceCounts {
  resources: number;
  valid: number;
  invalid: number;
  unchecked: number;
  skipped: number;
}

export function countResources(results: readonly ResourceResult[]): ResourceCounts {
  const count = (status: ResourceResult['status']) => results.filter((r) => r.status === status).length;
  return { resources: results.length, valid: count('valid'), invalid: count('invalid'), unchecked: count('error'), skipped: count('skipped') };
}

/** "2 errors, 1 warning", or "no findings"; the same counts as the JSON summary's `errors` and `warnings`. */
export function countSummary(findings: readonly Finding[], waived = 0): string {
  const { errors, warnings } = countFindings(findings);
  const parts = [errors && plural(errors, 'error'), warnings && plural(warnings, 'warning')].filter(Boolean);
  const counted = parts.length ? parts.join(', ') : 'no findings';
  return waived ? `${counted}, ${waived} waived` : counted;
}
