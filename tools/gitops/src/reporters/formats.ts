import { UsageError } from '../core/errors.js';
import { jsonReport } from './json.js';
import { junitReport } from './junit.js';
import type { Report } from './report.js';
import { sarifReport } from './sarif.js';

export type FormatName = 'text' | 'json' | 'junit' | 'sarif' | 'markdown';

/** One `--format` request: a reporter, written to stdout or to a file. */
export interface FormatRequest {
  name: FormatName;
  file?: string;
}

const machine: Record<Exclude<FormatName, 'text'>, (report: Report) => string> = { json: jsonReport, junit: junitReport, sarif: sarifReport, markdown: markdownReport };

/** A command's own Markdown (for PR comments), when it writes one. */
function markdownReport(report: Report): string {
  if (report.markdown === undefined) throw new UsageError('USAGE', `--format markdown: gitops ${report.command} has no Markdown report`, { hint: 'Use text, json, junit or sarif.' });
  return report.markdown;
}

/** Parses `--format name[=file]` values; text (findings on stderr) is always on unless only files are asked for. */
export function parseFormats(values: readonly string[]): FormatRequest[] {
  const requests = values.map((value): FormatRequest => {
    const [name, file] = value.split(/=(.*)/s, 2) as [string, string | undefined];
    if (!['text', 'json', 'junit', 'sarif', 'markdown'].includes(name)) throw new UsageError('USAGE', `--format ${value}: unknown format "${name}"`, { hint: 'Use text, json, junit, sarif or markdown, optionally with =FILE.' });
    if (file === '') throw new UsageError('USAGE', `--format ${value}: missing file name after "="`);
    return { name: name as FormatName, file };
  });
  const toStdout = requests.filter((r) => r.name !== 'text' && !r.file);
  if (toStdout.length > 1) throw new UsageError('USAGE', `--format: only one report can go to stdout (${toStdout.map((r) => r.name).join(', ')})`, { hint: 'Send the others to files: --format sarif=out.sarif.' });
  return requests;
}

export function renderFormat(name: Exclude<FormatName, 'text'>, report: Report): string {
  return machine[name](report);
}
