import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CommandContext, CommandHandler, CommandResult } from '../../cli/types.js';
import { chartImpact, type ImpactedApp } from '../../charts/impact.js';
import { chartUsage, formatUsage } from '../../charts/usage.js';
import { parseIgnore } from '../../diff/ignore.js';
import { markdownReport as diffMarkdown, textReport as diffText } from '../../diff/report.js';
import { policyToday } from '../../policy/policy-stage.js';
import { FleetRun } from '../../render/fleet-run.js';
import type { Workspace } from '../../workspace.js';
import { ConfigError, UsageError } from '../../core/errors.js';
import { releaseCharts, verifyPins, type ChartRelease, type RegistryTarget } from '../../charts/release.js';
import { HelmRunner } from '../../runners/helm.js';
import { openWorkspace } from '../../workspace.js';
import { CHART_ACTIONS, type ChartAction, type ChartOptions } from './command.js';

export const runChart: CommandHandler<ChartOptions> = async (ctx, options) => {
  if (!CHART_ACTIONS.includes(options.action as ChartAction)) {
    throw new UsageError('USAGE', options.action ? `chart: unknown action "${options.action}"` : 'chart: which action?', { hint: `Use one of: ${CHART_ACTIONS.join(', ')} (gitops chart --help).` });
  }
  const args = options.extraArgs ?? [];
  if (options.action === 'impact') {
    if (args.length !== 1) throw new UsageError('USAGE', 'chart impact: name one chart', { hint: 'gitops chart impact <chart> [--chart-version V] [--env E]' });
  } else if (args.length > 0) throw new UsageError('USAGE', `chart ${options.action}: unexpected argument "${args[0]}"`, { hint: 'Name charts with --chart NAME.' });
  const ws = await openWorkspace({ repo: ctx.repo, env: ctx.env });
  if (options.action === 'impact') return runImpact(ctx, ws, args[0]!, options);
  if (options.action === 'check') return (await import('./check.js')).runChartCheck(ctx, ws, options);
  if (options.action === 'usage') {
    const usage = await chartUsage(ws, new FleetRun(ws).charts, options.chart);
    const order = promotionOrder(ws);
    const behind = usage.charts.reduce((n, c) => n + c.behind.length, 0);
    const unused = usage.charts.flatMap((c) => c.unused.map((v) => `${c.chart} ${v}`));
    return { findings: [], stdout: formatUsage(usage, order), data: { charts: usage.charts }, summary: `${usage.charts.length} charts; ${behind} pins behind the newest release; pinned nowhere: ${unused.join(', ') || 'none'}` };
  }
  const target = registryTarget(options, ws.model.config.charts?.registry, ctx.env);
  const helm = await HelmRunner.locate({ cacheDir: ws.cacheDir, env: ctx.env });

  const { releases, findings } =
    options.action === 'release' ? await releaseCharts(ws, helm, target, { only: options.chart, dryRun: options.dryRun }) : await verifyPins(ws, helm, target, options.chart);
  const count = (status: ChartRelease['status']) => releases.filter((r) => r.status === status).length;
  const summary =
    options.action === 'release'
      ? `${target.registry}: ${count('published')} published, ${count('pending')} to publish${options.dryRun ? ' (dry run)' : ''}, ${count('present')} already there, ${count('conflict')} conflicting`
      : `${target.registry}: ${count('present')} of ${releases.length} pinned versions match their rebuilt package`;
  return {
    findings,
    stdout: releases.map(formatRelease).join(''),
    data: { registry: target.registry, releases },
    summary,
  };
};

async function runImpact(ctx: CommandContext, ws: Workspace, chart: string, options: ChartOptions): Promise<CommandResult> {
  const dir = ws.model.config.charts?.dir ?? 'platform-charts';
  if (!ws.model.files.includes(`${dir}/${chart}/Chart.yaml`)) {
    throw new UsageError('USAGE', `chart impact: there is no chart ${chart} (${dir}/${chart}/Chart.yaml)`, { hint: `Charts: ${ws.model.files.filter((f) => f.startsWith(`${dir}/`) && f.endsWith('/Chart.yaml')).map((f) => f.split('/')[1]).join(', ')}.` });
  }
  const impact = await chartImpact(ws, {
    chart,
    version: options.chartVersion,
    envs: options.env,
    engine: options.engine,
    today: policyToday(ctx.env),
    ignore: options.ignore.map(parseIgnore),
    concurrency: options.concurrency,
    env: ctx.env,
    onProgress: (done, total) => ctx.progress(`rendering ${done}/${total}`),
  });
  const apps = impact.applications;
  const changed = apps.filter((a) => a.status !== 'unchanged').length;
  const failing = apps.filter((a) => a.status === 'fails');
  const byStage = (stage: ImpactedApp['failing'][number]) => failing.filter((a) => a.failing.includes(stage));
  const parts = (['render', 'validate', 'policy'] as const)
    .map((stage) => [stage, byStage(stage)] as const)
    .filter(([, list]) => list.length > 0)
    .map(([stage, list]) => `${list.length} fail ${stage === 'render' ? 'to render' : stage === 'validate' ? 'validation' : 'policy'} (${list.map((a) => `${a.service}/${a.env}`).join(', ')})`);
  const summary = `${chart} ${impact.target}: ${changed} of ${apps.length} Applications change${parts.length ? `, ${parts.join(', ')}` : ''}`;
  const lines = apps.map((a) => `${`${a.service}/${a.env}`.padEnd(32)} ${a.pinned.padEnd(8)} ${a.status}${a.changedResources ? ` (${a.changedResources} resources)` : ''}${a.failing.length ? `: ${a.failing.join(', ')}` : ''}
`);
  return {
    findings: failing.flatMap((a) => a.findings),
    stdout: `${summary}
${lines.join('')}${diffText(impact.diff)}`,
    markdown: `${summary}

${diffMarkdown(impact.diff)}`,
    data: { chart, target: impact.target, summary: { applications: apps.length, changed, failing: failing.length }, applications: apps },
    summary,
  };
}

/** Environments in promotion order (dev before staging before prod), then by name. */
function promotionOrder(ws: Workspace): string[] {
  const envs = ws.model.environments;
  const depth = (name: string, seen = new Set<string>()): number => {
    const from = envs.get(name)?.promotionFrom;
    if (!from || seen.has(name) || !envs.has(from)) return 0;
    seen.add(name);
    return depth(from, seen) + 1;
  };
  return [...envs.keys()].sort((a, b) => depth(a) - depth(b) || a.localeCompare(b));
}

function formatRelease(r: ChartRelease): string {
  const status = { published: 'published', present: 'already in the registry', pending: 'not in the registry', conflict: 'CONFLICT' }[r.status];
  return `${r.chart} ${r.version}  ${r.commit.slice(0, 12)}  ${status}${r.tagged ? `, tagged ${r.tagged}` : ''}\n`;
}

function registryTarget(options: ChartOptions, configured: string | undefined, env: NodeJS.ProcessEnv): RegistryTarget {
  const registry = (options.registry ?? configured)?.replace(/\/+$/, '');
  if (!registry) {
    throw new ConfigError('CONFIG_INVALID', 'no chart registry: gitops.yaml has no charts.registry and --registry was not given', { hint: 'Add charts: { registry: oci://<host>/<path> } to gitops.yaml.' });
  }
  if (!registry.startsWith('oci://')) throw new UsageError('USAGE', `--registry ${registry}: expected oci://<host>/<path>`, { hint: 'Helm OCI registries are named oci://host/path.' });
  // The user's `helm registry login`, since renders run helm with an empty home of their own.
  const userConfig = join(env.HELM_CONFIG_HOME ?? join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'helm'), 'registry', 'config.json');
  const config = env.HELM_REGISTRY_CONFIG ?? (existsSync(userConfig) ? userConfig : undefined);
  return { registry, plainHttp: options.plainHttp, config };
}
