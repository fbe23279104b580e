import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CommandHandler } from '../../cli/types.js';
import { ConfigError, UsageError } from '../../core/errors.js';
import { releaseCharts, verifyPins, type ChartRelease, type RegistryTarget } from '../../charts/release.js';
import { HelmRunner } from '../../runners/helm.js';
import { openWorkspace } from '../../workspace.js';
import { CHART_ACTIONS, type ChartAction, type ChartOptions } from './command.js';

export const runChart: CommandHandler<ChartOptions & { extraArgs?: string[] }> = async (ctx, options) => {
  if (!CHART_ACTIONS.includes(options.action as ChartAction)) {
    throw new UsageError('USAGE', options.action ? `chart: unknown action "${options.action}"` : 'chart: which action?', { hint: `Use one of: ${CHART_ACTIONS.join(', ')} (gitops chart --help).` });
  }
  if (options.extraArgs?.length) throw new UsageError('USAGE', `chart ${options.action}: unexpected argument "${options.extraArgs[0]}"`, { hint: 'Name charts with --chart NAME.' });
  const ws = await openWorkspace({ repo: ctx.repo, env: ctx.env });
  const target = registryTarget(options, ws.model.config.charts?.registry, ctx.env);
  const helm = await HelmRunner.locate({ helmHome: join(ws.cacheDir, 'helm-home'), env: ctx.env });

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
