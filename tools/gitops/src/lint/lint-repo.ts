import pLimit from 'p-limit';
import { sortFindings, uniqueFindings, type Finding } from '../core/findings.js';
import { ChartStore } from '../render/chart-store.js';
import { planFleet } from '../render/render-fleet.js';
import type { Workspace } from '../workspace.js';
import { lintFiles } from './lint-files.js';
import { lintValues } from './lint-values.js';

export interface LintResult {
  findings: Finding[];
  applications: number;
}

/** Every lint check over the repository, or over the Applications of the selected environments and services. */
export async function lintRepo(ws: Workspace, options: { envs?: string[]; services?: string[] } = {}): Promise<LintResult> {
  const [files, fleet] = await Promise.all([lintFiles(ws), planFleet(ws, options)]);
  // Versions resolve from Git alone: lint needs no helm.
  const charts = new ChartStore(ws.git, undefined, ws.snapshot, ws.cacheDir);
  const limit = pLimit(8);
  const blobs = new Map<string, Promise<string | undefined>>();
  const values = await Promise.all(fleet.plans.map((plan) => limit(() => lintValues(plan, ws, charts, blobs))));
  return { findings: sortFindings(uniqueFindings([...files, ...fleet.findings, ...values.flat()])), applications: fleet.plans.length };
}
