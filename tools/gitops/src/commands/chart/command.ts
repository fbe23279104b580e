import type { Command } from 'commander';
import { collect } from '../../cli/options.js';
import type { CommandDefinition } from '../../cli/types.js';

export const CHART_ACTIONS = ['release', 'verify'] as const;
export type ChartAction = (typeof CHART_ACTIONS)[number];

export interface ChartOptions {
  action: ChartAction;
  chart: string[];
  registry?: string;
  plainHttp: boolean;
  dryRun: boolean;
}

export const chartCommand: CommandDefinition<ChartOptions> = {
  name: 'chart',
  summary: 'Release platform chart versions to the chart registry, or verify that the registry holds what the repository released',
  examples: [
    'gitops chart release --dry-run                      # what would be published, nothing pushed',
    'gitops chart release                                # push every released version the registry lacks, tag its commit',
    'gitops chart verify                                 # pull every pinned version and compare it with its rebuilt package',
    'gitops chart release --registry oci://127.0.0.1:5000/charts --plain-http   # a registry without TLS',
  ],
  reports: true,
  configure(command: Command) {
    command
      .usage('<release|verify> [options]')
      .option('-c, --chart <name>', 'only this chart (repeatable)', collect, [])
      .option('--registry <oci://host/path>', 'the chart registry (default: charts.registry in gitops.yaml)')
      .option('--plain-http', 'talk to the registry over plain HTTP (a registry without TLS)', false)
      .option('--dry-run', 'release: say what would be pushed and tagged, push and tag nothing', false)
      .addHelpText(
        'after',
        [
          '',
          'Actions:',
          '  release  package every chart version not yet in the registry from the first commit whose Chart.yaml',
          '           carries it, push it with helm push and tag that commit <chart>-<version>; a version already in',
          '           the registry with other content is an error, never an overwrite',
          '  verify   pull every version a service pins and compare its files with the package rebuilt from Git',
          '',
          'Registry credentials: `helm registry login <host>` (or HELM_REGISTRY_CONFIG pointing at a registry config).',
          '',
        ].join('\n'),
      )
      .allowExcessArguments()
      .hook('preAction', (_program, action) => {
        action.setOptionValue('action', action.args[0]);
        action.setOptionValue('extraArgs', action.args.slice(1));
      });
  },
  load: async () => (await import('./run.js')).runChart,
};
