import type { Report } from './report.js';
import { toolVersion } from './report.js';

/**
 * The JSON report. `schemaVersion` changes only when a field is removed or changes meaning;
 * new fields may appear at any time.
 */
export function jsonReport(report: Report): string {
  const results = report.resources ?? [];
  const count = (status: string) => results.filter((r) => r.status === status).length;
  // A command's own counts join the common summary; its other fields follow the results.
  const { summary: ownSummary, ...data } = (report.data ?? {}) as { summary?: Record<string, unknown> };
  return `${JSON.stringify(
    {
      schemaVersion: 1,
      tool: { name: 'gitops', version: toolVersion },
      command: report.command,
      summary: {
        resources: results.length,
        valid: count('valid'),
        invalid: count('invalid'),
        errors: count('error'),
        skipped: count('skipped'),
        findings: report.findings.length,
        warnings: report.findings.filter((f) => f.severity === 'warning').length,
        ...ownSummary,
      },
      results,
      ...data,
      findings: report.findings,
    },
    null,
    2,
  )}\n`;
}
