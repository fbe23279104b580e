import pLimit from 'p-limit';
import { sortFindings, uniqueFindings, type Finding } from '../core/findings.js';
import type { FleetRun, FleetScope } from '../render/fleet-run.js';
import { lintFiles } from './lint-files.js';
import { lintValues } from './lint-values.js';

export interface LintResult {
  findings: Finding[];
  applications: number;
}

/**
 * Every lint check over the repository, or over the Applications of the selected environments and services. The
 * per-Application findings come first: where lint-files reports the same finding without the
 * chart's schema, the one with the schema's hint is kept.
 */
export async function lintRepo(run: FleetRun, scope: FleetScope = {}): Promise<LintResult> {
  const [files, plans, fleet] = await Promise.all([lintFiles(run.ws), run.select(scope), run.plan()]);
  const limit = pLimit(8);
  const checked = await Promise.all(plans.map((plan) => limit(() => lintValues(plan, run.values))));
  return { findings: sortFindings(uniqueFindings([...checked.flat(), ...files, ...fleet.findings])), applications: plans.length };
}
