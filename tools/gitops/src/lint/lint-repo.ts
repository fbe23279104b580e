import pLimit from 'p-limit';
import { sortFindings, uniqueFindings, type Finding } from '../core/findings.js';
import { planFleet } from '../render/render-fleet.js';
import type { Workspace } from '../workspace.js';
import { lintFiles } from './lint-files.js';
import { AppValuesCache, lintValues } from './lint-values.js';

export interface LintResult {
  findings: Finding[];
  applications: number;
}

/** Every lint check over the repository, or over the Applications of the selected environments and services. */
export async function lintRepo(ws: Workspace, options: { envs?: string[]; services?: string[] } = {}, values = new AppValuesCache(ws)): Promise<LintResult> {
  const [files, fleet] = await Promise.all([lintFiles(ws), planFleet(ws, options)]);
  const limit = pLimit(8);
  const checked = await Promise.all(fleet.plans.map((plan) => limit(() => lintValues(plan, values))));
  return { findings: sortFindings(uniqueFindings([...files, ...fleet.findings, ...checked.flat()])), applications: fleet.plans.length };
}
