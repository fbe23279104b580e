import type { Finding, SourceLocation } from '../core/findings.js';

/**
 * Where each chart of a render lives in the repository: given helm's chart chain
 * (`["microservice", "platform-lib"]` for `microservice/charts/platform-lib/…`), the chart's
 * directory (`platform-charts/platform-lib`), or undefined for a chart this repository lacks.
 */
export type ChartDirOf = (chain: readonly string[]) => string | undefined;

/**
 * helm names template files by their path inside the rendered chart, subcharts under
 * `<parent>/charts/<name>/`: `microservice/charts/platform-lib/templates/_scaling.tpl:20:24`
 * (helm 4), `template: microservice/templates/hpa.yaml:2:3: executing …` and
 * `parse error at (microservice/charts/platform-lib/templates/_scaling.tpl:5)` (helm 3 and
 * parse errors). A person edits `platform-charts/platform-lib/templates/_scaling.tpl`.
 */
// Not after a path character: a path already made a repository path is left as it is.
const HELM_TEMPLATE_PATH = /(?<![\w./-])([a-z0-9][a-z0-9._-]*(?:\/charts\/[a-z0-9][a-z0-9._-]*)*)\/((?:templates|crds)\/[^\s:()"]+):(\d+)(?::(\d+))?/g;

/**
 * helm's error text with every template path rewritten to its repository path, and the
 * innermost location (helm prints the call chain outside-in: the last one is where it failed).
 */
export function mapTemplateError(error: string, chartDirOf: ChartDirOf): { message: string; location?: SourceLocation } {
  let location: SourceLocation | undefined;
  const message = error.replace(HELM_TEMPLATE_PATH, (whole, chain: string, rest: string, line: string, column: string | undefined) => {
    const dir = chartDirOf(chain.split('/charts/'));
    if (!dir) return whole;
    const file = `${dir}/${rest}`;
    location = { file, line: Number(line), ...(column ? { column: Number(column) } : {}) };
    return `${file}:${line}${column ? `:${column}` : ''}`;
  });
  return { message, location };
}

/** helm's advice to re-run with --debug is for its own command line, not for this report. */
export function cleanTemplateError(error: string): string {
  return error.replace(/\n?Use --debug flag to render out invalid YAML\s*$/, '').trim();
}

const TEMPLATE_FAILED = /^([\s\S]*?helm template failed: )([\s\S]*)$/;

/**
 * A render of the chart as it is in the repository that helm refused in a template: the
 * finding at the template file and line, in repository paths (a values-file location is a guess
 * where helm names the template). Other findings are returned as they are.
 */
export function atTemplateLine(f: Finding, chartDirOf: ChartDirOf): Finding {
  const m = f.code === 'HELM_TEMPLATE_FAILED' ? TEMPLATE_FAILED.exec(f.message) : null;
  if (!m) return f;
  const mapped = mapTemplateError(cleanTemplateError(m[2]!), chartDirOf);
  if (!mapped.location) return f;
  return { ...f, message: `${m[1]}${mapped.message}`, location: mapped.location, hint: 'Fix the template at the line named: the chart as it is in the repository fails for these values.' };
}

/** The error helm gave, after `helm template failed: `. */
export function templateError(f: Finding): string | undefined {
  return f.code === 'HELM_TEMPLATE_FAILED' ? TEMPLATE_FAILED.exec(f.message)?.[2] : undefined;
}

/** One message of `helm lint`: `[ERROR] templates/: …` with its continuation lines. */
export interface LintMessage {
  severity: 'error' | 'warning';
  /** The path helm names, relative to the chart (`templates/`, `values.yaml`, `Chart.yaml`). */
  path: string;
  text: string;
}

/** The ERROR and WARNING messages of `helm lint` output (INFO is advice, not a problem). */
export function parseLintOutput(stdout: string): LintMessage[] {
  const out: LintMessage[] = [];
  let current: LintMessage | undefined;
  for (const line of stdout.split('\n')) {
    const head = /^\[(ERROR|WARNING|INFO)\] ([^:]*): ?(.*)$/.exec(line);
    if (head) {
      current = head[1] === 'INFO' ? undefined : { severity: head[1] === 'ERROR' ? 'error' : 'warning', path: head[2]!, text: head[3]! };
      if (current) out.push(current);
    } else if (/^==> /.test(line) || /^(Error: )?\d+ chart\(s\) linted/.test(line)) current = undefined;
    else if (current && line.trim()) current.text += `\n${line}`;
  }
  return out.map((m) => ({ ...m, text: m.text.trim() }));
}
