import type { Report } from './report.js';
import { toolVersion } from './report.js';
import { countFindings, countResources } from './summary.js';

/**
 * The JSON report. `schemaVersion` changes only when a field is removed or changes meaning;
 * new fields may appear at any time. Version 2: `summary.errors` and `summary.warnings` count
 * findings, as the text summary does; objects that could not be checked are `unchecked`.
 */
export function jsonReport(report: Report): string {
  const results = report.resources ?? [];
  // A command's own counts (applications, waived) join the common summary; its other fields follow the results.
  const { summary: ownSummary, ...data } = (report.data ?? {}) as { summary?: Record<string, unknown> };
  return `${JSON.stringify(
    {
      schemaVersion: 2,
      tool: { name: 'gitops', version: toolVersion },
      command: report.command,
      summary: { ...ownSummary, ...countResources(results), ...countFindings(report.findings) },
      results,
      ...data,
      findings: report.findings,
    },
    null,
    2,
  )}\n`;
}
