import type { Finding } from '../core/findings.js';
import type { Report } from './report.js';

/**
 * GitHub Actions workflow commands, one per finding: the runner turns each into an
 * annotation on the file and line (the values line a person edits) in the pull request's
 * "Files changed" view, titled with the finding code. Errors come first: GitHub shows only
 * the first few annotations of each level per step.
 */
export function githubReport(report: Report): string {
  const ordered = [...report.findings.filter((f) => f.severity === 'error'), ...report.findings.filter((f) => f.severity !== 'error')];
  return ordered.map(annotation).join('');
}

function annotation(f: Finding): string {
  const props: [string, string | number | undefined][] = [
    ['file', f.location && !f.location.file.startsWith('/') ? f.location.file : undefined],
    ['line', f.location?.line],
    ['col', f.location?.line === undefined ? undefined : f.location.column],
    ['title', f.code],
  ];
  const list = props.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${escapeProperty(String(v))}`);
  const text = f.hint ? `${f.message}\nhint: ${f.hint}` : f.message;
  return `::${f.severity === 'error' ? 'error' : 'warning'} ${list.join(',')}::${escapeData(text)}\n`;
}

/**
 * The runner reads a command up to the end of the line and splits properties at `,` and
 * `::`, so the message escapes `%`, CR and LF and a property also `:` and `,` (the
 * encoding of the Actions toolkit's `issueCommand`).
 */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
