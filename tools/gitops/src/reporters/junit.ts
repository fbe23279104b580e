import type { Finding } from '../core/findings.js';
import { formatLocation } from '../core/findings.js';
import type { Report } from './report.js';

/**
 * JUnit XML as CI dashboards read it: one testsuite per environment (or "repository"), one
 * testcase per checked resource or file, a failure per error finding.
 */
export function junitReport(report: Report): string {
  const suites = new Map<string, Map<string, Finding[]>>();
  const add = (suite: string, testcase: string, finding?: Finding) => {
    const cases = suites.get(suite) ?? new Map<string, Finding[]>();
    suites.set(suite, cases);
    const list = cases.get(testcase) ?? [];
    cases.set(testcase, list);
    if (finding) list.push(finding);
  };
  for (const r of report.resources ?? []) add(r.env ?? 'files', resourceCase(r.service ?? r.file, r.kind, r.name));
  for (const f of report.findings) {
    const suite = f.env ?? 'repository';
    const testcase = f.resource ? resourceCase(f.service ?? f.resource.file, f.resource.kind, f.resource.name) : (f.application ?? f.location?.file ?? 'repository');
    add(suite, testcase, f);
  }

  let failuresTotal = 0;
  let testsTotal = 0;
  const body = [...suites]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([suite, cases]) => {
      const failing = [...cases.values()].filter((list) => list.some((f) => f.severity === 'error')).length;
      failuresTotal += failing;
      testsTotal += cases.size;
      const testcases = [...cases]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, list]) => {
          const errors = list.filter((f) => f.severity === 'error');
          if (errors.length === 0) return `    <testcase classname="${xml(`gitops.${report.command}.${suite}`)}" name="${xml(name)}"/>`;
          const text = errors.map((f) => `${formatLocation(f.location) || name}: ${f.code} ${f.message}${f.hint ? `\nhint: ${f.hint}` : ''}`).join('\n');
          return `    <testcase classname="${xml(`gitops.${report.command}.${suite}`)}" name="${xml(name)}">\n      <failure message="${xml(errors[0]!.message)}" type="${xml(errors[0]!.code)}">${xml(text)}</failure>\n    </testcase>`;
        });
      return `  <testsuite name="${xml(suite)}" tests="${cases.size}" failures="${failing}" errors="0">\n${testcases.join('\n')}\n  </testsuite>`;
    });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="gitops ${xml(report.command)}" tests="${testsTotal}" failures="${failuresTotal}" errors="0">\n${body.join('\n')}\n</testsuites>\n`;
}

function resourceCase(owner: string, kind?: string, name?: string): string {
  return `${owner} ${kind ?? '?'}/${name ?? '?'}`;
}

/** XML text and attribute escaping; characters XML 1.0 cannot carry are dropped. */
function xml(text: string): string {
  return text
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
