import { Option, type Command } from 'commander';
import { collect, concurrencyOption, positiveInt } from '../../cli/options.js';
import type { CommandDefinition } from '../../cli/types.js';

export const CHART_ACTIONS = ['check', 'impact', 'usage', 'release', 'verify'] as const;
export type ChartAction = (typeof CHART_ACTIONS)[number];

export interface ChartOptions {
  action: ChartAction;
  chart: string[];
  registry?: string;
  plainHttp: boolean;
  dryRun: boolean;
  chartVersion?: string;
  /** check: the ref whose merge base with the head the change is compared with. */
  base?: string;
  /** check: the Git ref with the change (default: the working tree). */
  head?: string;
  /** check: post the Markdown report as the pull request's sticky chart comment. */
  comment: boolean;
  /** check: the pull request --comment posts to. */
  pr?: number;
  env: string[];
  engine: 'builtin' | 'kubeconform';
  ignore: string[];
  concurrency?: number;
  /** Positional arguments after the action (impact: the chart). */
  extraArgs: string[];
}

export const chartCommand: CommandDefinition<ChartOptions> = {
  name: 'chart',
  summary: "A chart change's blast radius over its consumers, who uses which version, and releasing versions to the chart registry",
  examples: [
    'gitops chart check                                  # every chart changed since the merge base with main: version, schema, head render',
    'gitops chart check --base origin/main --format text --format sarif=chart-check.sarif',
    'gitops chart check --base "$BASE_SHA" --head "$HEAD_SHA" --pr 42 --comment   # the sticky chart comment',
    'gitops chart impact microservice                    # every consumer rendered at its pin and with the chart at HEAD',
    'gitops chart impact worker --chart-version 1.1.0 --env prod --format markdown=impact.md',
    'gitops chart usage                                  # who pins which version where, who is behind',
    'gitops chart release --dry-run                      # what would be published, nothing pushed',
    'gitops chart release                                # push every released version the registry lacks, tag its commit',
    'gitops chart verify                                 # pull every pinned version and compare it with its rebuilt package',
    'gitops chart release --registry oci://127.0.0.1:5000/charts --plain-http   # a registry without TLS',
  ],
  reports: true,
  configure(command: Command) {
    command
      .usage('<check|impact CHART|usage|release|verify> [options]')
      .option('-c, --chart <name>', 'check, usage, release, verify: only this chart (repeatable)', collect, [])
      .option('-b, --base <ref>', 'check: compare with the merge base of the head and this ref (default: origin/<defaultBranch>, else <defaultBranch>)')
      .option('--head <ref>', 'check: the Git ref with the change (default: the working tree)')
      .option('--comment', 'check: post the Markdown report as the sticky chart comment of the pull request (GitHub Actions)', false)
      .addOption(new Option('--pr <number>', "check: the pull request --comment posts to (default: the workflow event's)").argParser(positiveInt))
      .option('--chart-version <version>', 'impact: move the pins to this released version (default: the chart at HEAD)')
      .option('-e, --env <name>', 'impact: only the Applications of this environment (repeatable)', collect, [])
      .addOption(new Option('--engine <engine>', 'check, impact: validation engine').choices(['builtin', 'kubeconform']).default('builtin'))
      .option('--ignore <path>', 'impact: hide this field in diffs (repeatable), e.g. metadata.labels.helm.sh/chart', collect, [])
      .addOption(concurrencyOption())
      .option('--registry <oci://host/path>', 'the chart registry (default: charts.registry in gitops.yaml)')
      .option('--plain-http', 'talk to the registry over plain HTTP (a registry without TLS)', false)
      .option('--dry-run', 'release: say what would be pushed and tagged, push and tag nothing', false)
      .addHelpText(
        'after',
        [
          '',
          'Actions:',
          '  check    every chart whose files (or a file:// dependency\'s) changed since the merge base: version raised',
          '           (semver), released versions unchanged, Chart.lock and dependencies in order, breaking',
          '           values.schema.json changes only with a major version; the chart at the head linted, rendered',
          '           with ci/*-values.yaml and with every consumer\'s values, validated and put through policy',
          '  impact   render every Application that uses CHART at its pin and as if its pin moved to --chart-version (or',
          '           the chart at HEAD), diff them per resource, validate and apply policy to the moved side, and say',
          '           per service and environment: unchanged, changed, or now failing render, validate or policy',
          '  usage    the matrix chart x version x environment x service, versions no one pins, pins behind the newest',
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
