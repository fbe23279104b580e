import { RULES_NOT_FOR_CI } from '../../charts/check-ci-policy.js';
import { chartCheck, type ChartCheck, type CheckedChart } from '../../charts/check.js';
import type { CommandContext, CommandResult } from '../../cli/types.js';
import { UsageError } from '../../core/errors.js';
import { parseIgnore } from '../../diff/ignore.js';
import { policyToday } from '../../policy/policy-stage.js';
import { plural } from '../../reporters/summary.js';
import { openWorkspace, type Workspace } from '../../workspace.js';
import { defaultBase } from '../default-base.js';
import type { ChartOptions } from './command.js';

/** `gitops chart check [--base REF]`: every chart the change touches, against its merge base with REF. */
export async function runChartCheck(ctx: CommandContext, workTree: Workspace, options: ChartOptions): Promise<CommandResult> {
  // A pull request's head read as data (the report workflow never checks it out).
  const ws = options.head ? await openWorkspace({ repo: ctx.repo, ref: options.head, env: ctx.env }) : workTree;
  const dir = ws.model.config.charts?.dir ?? 'platform-charts';
  const known = ws.model.files.filter((f) => f.startsWith(`${dir}/`) && f.endsWith('/Chart.yaml')).map((f) => f.split('/').at(-2)!);
  for (const chart of options.chart) {
    if (!known.includes(chart)) throw new UsageError('USAGE', `chart check: there is no chart ${chart} (${dir}/${chart}/Chart.yaml)`, { hint: `Charts: ${known.join(', ')}.` });
  }
  const base = await resolveBase(ws, options.base);
  const check = await chartCheck(ws, {
    base,
    only: options.chart,
    engine: options.engine,
    today: policyToday(ctx.env),
    ignore: options.ignore.map(parseIgnore),
    concurrency: options.concurrency,
    env: ctx.env,
    onProgress: ctx.progress,
  });
  const failing = check.charts.filter((c) => c.findings.some((f) => f.severity === 'error'));
  const summary =
    check.charts.length === 0
      ? `no chart changed since ${base.ref} (${base.commit.slice(0, 12)})`
      : `${check.charts.length} chart${check.charts.length === 1 ? '' : 's'} changed since ${base.ref} (${base.commit.slice(0, 12)}), ${failing.length} failing${failing.length ? ` (${failing.map((c) => c.chart).join(', ')})` : ''}`;
  const markdown = markdownReport(check, summary);
  let commented = '';
  if (options.comment) {
    // Loaded only when asked: Octokit is not needed to check.
    const { postChartCheckComment } = await import('../../charts/check-comment.js');
    commented = `; ${await postChartCheckComment(check.charts.length > 0 ? markdown : undefined, ctx.env, options.pr)}`;
  }
  return {
    findings: check.findings,
    stdout: textReport(check),
    markdown,
    data: { base: check.base, charts: check.charts.map(({ findings, impactMarkdown: _markdown, ...c }) => ({ ...c, status: findings.some((f) => f.severity === 'error') ? 'fails' : 'ok', findings: findings.length })) },
    summary: summary + commented,
  };
}

/** The base: --base, else the merge base with the default branch (`defaultBase`); neither is a usage error. */
async function resolveBase(ws: Workspace, flag: string | undefined): Promise<{ ref: string; commit: string }> {
  const base = await defaultBase(ws, flag);
  if (base) return base;
  const branch = ws.model.config.defaultBranch ?? 'main';
  throw new UsageError('GIT_REF_UNKNOWN', `chart check: unknown Git ref "origin/${branch}" or "${branch}"`, { hint: `Pass --base REF, or fetch the default branch (\`git fetch origin ${branch}\`).` });
}

function verdict(c: CheckedChart): string {
  const errors = c.findings.filter((f) => f.severity === 'error').length;
  return errors > 0 ? `fails (${errors} finding${errors === 1 ? '' : 's'})` : 'ok';
}

function versions(c: CheckedChart): string {
  return c.baseVersion === undefined ? `${c.version} (new)` : c.baseVersion === c.version ? `${c.version} (not raised)` : `${c.baseVersion} → ${c.version}`;
}

function consumers(c: CheckedChart): string {
  if (!c.consumers) return 'library: checked through the charts built on it';
  const { applications, changed, failing } = c.consumers;
  return `${changed} of ${applications} consumer Applications change with the chart at the head${failing.length ? `, ${failing.length} fail (${failing.join(', ')})` : ''}`;
}

function textReport(check: ChartCheck): string {
  return check.charts
    .map((c) => {
      const ci = c.ciFiles.length
        ? `${plural(c.ciFiles.length, 'CI values file')}, ${plural(c.ciRenders, 'render')} validated and through policy (not the ${RULES_NOT_FOR_CI} rules that read other Applications or AppProjects)`
        : 'no CI values files';
      return `${c.chart} ${versions(c)}: ${verdict(c)}\n  changed: ${c.changed.join(', ')}\n  ${ci}\n  ${consumers(c)}\n`;
    })
    .join('');
}

function markdownReport(check: ChartCheck, summary: string): string {
  if (check.charts.length === 0) return `### Chart check\n\n${summary}.\n`;
  const rows = check.charts.map((c) => `| \`${c.chart}\` | ${versions(c)} | ${verdict(c)} | ${consumers(c)} |`);
  const details = check.charts
    .filter((c) => c.findings.length > 0)
    .map((c) => `<details><summary>${c.chart}: ${c.findings.length} finding${c.findings.length === 1 ? '' : 's'}</summary>\n\n${c.findings.map((f) => `- \`${f.code}\` ${f.location ? `\`${f.location.file}${f.location.line ? `:${f.location.line}` : ''}\` ` : ''}${f.message.replace(/\n/g, ' ')}`).join('\n')}\n\n</details>`);
  const impacts = check.charts.filter((c) => c.impactMarkdown).map((c) => `<details><summary>${c.chart}: blast radius with the chart at the head</summary>\n\n${c.impactMarkdown}\n\n</details>`);
  return [`### Chart check`, '', summary + '.', '', '| chart | version | verdict | consumers |', '| --- | --- | --- | --- |', ...rows, '', ...details, ...impacts, ''].join('\n');
}
