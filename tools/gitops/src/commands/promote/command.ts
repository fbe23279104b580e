import { Option, type Command } from 'commander';
import { collect, concurrencyOption } from '../../cli/options.js';
import type { CommandDefinition } from '../../cli/types.js';

export interface PromoteOptions {
  services: string[];
  to?: string;
  from?: string;
  all: boolean;
  dryRun: boolean;
  plan: boolean;
  pr: boolean;
  engine: 'builtin' | 'kubeconform';
  schemaDir?: string;
  ignore: string[];
  concurrency?: number;
}

export const promoteCommand: CommandDefinition<PromoteOptions> = {
  name: 'promote',
  summary: "Copy releases (chart, image, config commit) from an environment's promotion source into it, behind gates",
  examples: [
    'gitops promote orders --to staging                 # dev -> staging: edit services/orders/service.yaml',
    'gitops promote orders payments --to prod --dry-run # the edit and the rendered diff of prod, nothing written',
    'gitops promote --all --to prod --plan              # per service: what differs from staging, ready or blocked and why',
    'gitops promote --all --to prod --plan --format markdown=plan.md',
    'gitops promote orders --to prod --pr                # CI: branch, commit, push, pull request',
  ],
  reports: true,
  configure(command: Command) {
    command
      .usage('SERVICE... --to ENV [--from SRC] [--all] [--dry-run] [--plan]')
      .option('--to <env>', 'the environment to promote into')
      .option('--from <env>', "the environment to promote from; must be ENV's promotion.from (the default)")
      .option('--all', 'every service that runs in the source environment', false)
      .option('--dry-run', 'print the edit and the rendered diff of ENV, write nothing', false)
      .option('--pr', 'commit the edit on a branch promote/ENV/SERVICES, push it and open (or update) its pull request with the rendered diff (GITHUB_TOKEN, GITHUB_REPOSITORY)', false)
      .option('--plan', 'per service: what differs from the source (chart, image, config commits behind), ready or blocked and why', false)
      .addOption(new Option('--engine <engine>', 'validation engine of the gate').choices(['builtin', 'kubeconform']).default('builtin'))
      .option('--schema-dir <dir>', 'Kubernetes and CRD JSON schemas')
      .option('--ignore <path>', 'hide this field in the rendered diff (repeatable)', collect, [])
      .addOption(concurrencyOption())
      .addHelpText(
        'after',
        [
          '',
          'Gates (each refusal exits 1 and writes nothing, for every service named):',
          "  --from is not ENV's promotion source; the promotion chain has a gap or a cycle; the service does not run",
          '  in the source; the release has not soaked in the source for promotion.soak of ENV (from Git history);',
          "  ENV is in a promotion.freeze window; the promoted Applications fail lint, validate or ENV's policy.",
          'Nothing to promote (ENV already runs the release) exits 0 and says so.',
          'GITOPS_NOW=<ISO date-time> sets the clock soak and freeze windows are judged by.',
          '',
        ].join('\n'),
      )
      .allowExcessArguments()
      .hook('preAction', (_program, action) => {
        action.setOptionValue('services', action.args);
      });
  },
  load: async () => (await import('./run.js')).runPromote,
};
