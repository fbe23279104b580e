import type { Severity } from '../core/findings.js';

/** One finding of a `gitops check --format json` report, as the PR comment shows it. */
export interface CheckFinding {
  code: string;
  severity: Severity;
  message: string;
  /** `file:line` of the values line (or the file) it is reported at. */
  where?: string;
}

/** The check results of one environment (or `repository` for findings outside any). */
export interface EnvironmentChecks {
  env: string;
  errors: number;
  warnings: number;
  findings: CheckFinding[];
}

/** Per environment, in name order, `repository` last. */
export type CheckResults = EnvironmentChecks[];

/** What a message may hold in the comment: longer ones are cut, so one finding cannot fill it. */
const MESSAGE_LIMIT = 500;
const NAME = /^[A-Za-z0-9._-]{1,63}$/;

/**
 * Reads the JSON report of `gitops check`. In the pull-request report workflow it was
 * written by the pull request's own run, so it is untrusted data: only findings of the
 * report's shape are taken (code, severity, message, environment, location), anything else
 * is ignored, and null means the text is not such a report at all.
 */
export function parseCheckResults(text: string): CheckResults | null {
  let report: unknown;
  try {
    report = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isRecord(report) || report.schemaVersion !== 2 || report.command !== 'check' || !Array.isArray(report.findings)) return null;
  const byEnv = new Map<string, EnvironmentChecks>();
  for (const raw of report.findings) {
    const f = readFinding(raw);
    if (!f) continue;
    const env = isRecord(raw) && typeof raw.env === 'string' && NAME.test(raw.env) ? raw.env : 'repository';
    const entry = byEnv.get(env) ?? { env, errors: 0, warnings: 0, findings: [] };
    byEnv.set(env, entry);
    if (f.severity === 'error') entry.errors++;
    else entry.warnings++;
    entry.findings.push(f);
  }
  // Environments that were checked and had nothing to report still get their row.
  for (const r of Array.isArray(report.results) ? report.results : []) {
    if (isRecord(r) && typeof r.env === 'string' && NAME.test(r.env) && !byEnv.has(r.env)) byEnv.set(r.env, { env: r.env, errors: 0, warnings: 0, findings: [] });
  }
  return [...byEnv.values()].sort((a, b) => (a.env === 'repository' ? 1 : b.env === 'repository' ? -1 : a.env.localeCompare(b.env)));
}

function readFinding(raw: unknown): CheckFinding | undefined {
  if (!isRecord(raw)) return undefined;
  const { code, severity, message, location } = raw;
  if (typeof code !== 'string' || !/^[A-Z][A-Z0-9_]{0,63}$/.test(code)) return undefined;
  if (severity !== 'error' && severity !== 'warning') return undefined;
  if (typeof message !== 'string') return undefined;
  let where: string | undefined;
  if (isRecord(location) && typeof location.file === 'string' && location.file.length <= 300) {
    where = Number.isInteger(location.line) ? `${location.file}:${String(location.line)}` : location.file;
  }
  const text = message.length > MESSAGE_LIMIT ? `${message.slice(0, MESSAGE_LIMIT)}…` : message;
  return { code, severity, message: text, where };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when some environment has an error or a warning. */
export function hasCheckFindings(results: CheckResults): boolean {
  return results.some((e) => e.findings.length > 0);
}

/**
 * The check section of the PR comment: a table with one row per environment, then each
 * environment's findings in a collapsible block. Messages are untrusted text: they go into a
 * code block whose fence is longer than any backtick run they hold, so they can neither
 * format the comment nor mention anyone.
 */
export function checkResultsMarkdown(results: CheckResults): string {
  const lines = ['### Checks per environment', ''];
  if (results.length === 0) return [...lines, 'gitops check reported nothing.', ''].join('\n');
  lines.push('| environment | result |', '| --- | --- |');
  for (const e of results) lines.push(`| ${e.env} | ${verdict(e)} |`);
  lines.push('');
  for (const e of results.filter((x) => x.findings.length > 0)) {
    const body = e.findings.map((f) => `${f.where ? `${f.where} ` : ''}${f.severity} ${f.code} ${f.message.replace(/\r?\n/g, ' ')}`).join('\n');
    const longest = Math.max(0, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
    const fence = '`'.repeat(Math.max(3, longest + 1));
    lines.push(`<details${e.errors > 0 ? ' open' : ''}><summary><b>${e.env}</b>: ${verdict(e)}</summary>`, '', `${fence}text`, body, fence, '', '</details>', '');
  }
  return lines.join('\n');
}

function verdict(e: EnvironmentChecks): string {
  if (e.errors === 0 && e.warnings === 0) return '✅ passed';
  const parts = [e.errors ? `${e.errors} error${e.errors === 1 ? '' : 's'}` : '', e.warnings ? `${e.warnings} warning${e.warnings === 1 ? '' : 's'}` : ''].filter(Boolean);
  return `${e.errors ? '❌' : '⚠️'} ${parts.join(', ')}`;
}
