import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { githubReport } from './github.js';
import { jsonReport } from './json.js';
import { junitReport } from './junit.js';
import type { Report } from './report.js';
import { sarifReport } from './sarif.js';

export type FormatName = 'text' | 'json' | 'junit' | 'sarif' | 'markdown' | 'github';

const names: readonly FormatName[] = ['text', 'json', 'junit', 'sarif', 'markdown', 'github'];

/** One `--format` request: a reporter, written to stdout or to a file. */
export interface FormatRequest {
  name: FormatName;
  file?: string;
}

const machine: Record<Exclude<FormatName, 'text'>, (report: Report) => string> = {
  json: jsonReport,
  junit: junitReport,
  sarif: sarifReport,
  markdown: markdownReport,
  github: githubReport,
};

/** A command's own Markdown (for PR comments), when it writes one. */
function markdownReport(report: Report): string {
  if (report.markdown === undefined) throw new UsageError('USAGE', `--format markdown: gitops ${report.command} has no Markdown report`, { hint: 'Use text, json, junit, sarif or github.' });
  return report.markdown;
}

/**
 * Parses `--format name[=file]` values before the command runs, so that a typo or an output
 * directory that does not exist fails in a second rather than after the whole fleet has
 * rendered. At most one report, text included, goes to stdout: two would interleave.
 */
export function parseFormats(values: readonly string[], cwd: string = process.cwd()): FormatRequest[] {
  const requests = values.map((value): FormatRequest => {
    const [name, file] = value.split(/=(.*)/s, 2) as [string, string | undefined];
    if (!names.includes(name as FormatName)) throw new UsageError('USAGE', `--format ${value}: unknown format "${name}"`, { hint: `Use ${names.join(', ')}, optionally with =FILE.` });
    if (file === '') throw new UsageError('USAGE', `--format ${value}: missing file name after "="`, { hint: `Name the file: --format ${name}=report.${name === 'markdown' ? 'md' : name}.` });
    if (file !== undefined) requireDirectory(value, resolve(cwd, file));
    return { name: name as FormatName, file };
  });
  const toStdout = requests.filter((r) => !r.file);
  if (toStdout.length > 1) throw new UsageError('USAGE', `--format: only one report can go to stdout (${toStdout.map((r) => r.name).join(', ')})`, { hint: 'Send the others to files: --format sarif=out.sarif.' });
  return requests;
}

/** A report file's directory must exist: creating it would hide a mistyped path. */
function requireDirectory(value: string, file: string): void {
  const dir = dirname(file);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    // Missing: reported below with the directory named.
  }
  if (!isDir) throw new UsageError('OUTPUT_DIR_MISSING', `--format ${value}: the directory ${dir} does not exist`, { hint: `Create it first (mkdir -p ${dir}) or write the report elsewhere; gitops does not create directories for reports.` });
}

export function renderFormat(name: Exclude<FormatName, 'text'>, report: Report): string {
  return machine[name](report);
}
