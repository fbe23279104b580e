import type { Command } from 'commander';
import type { CommandDefinition } from '../../cli/types.js';
import { collect, concurrencyOption } from '../../cli/options.js';

export interface PolicyOptions {
  env: string[];
  service: string[];
  concurrency?: number;
}

export const policyCommand: CommandDefinition<PolicyOptions> = {
  name: 'policy',
  summary: "Check every Application's rendered objects against the security and reliability rules of its environment's profile, with waivers",
  examples: [
    'gitops policy                                # every Application, each at its environment profile',
    'gitops policy --env prod --service orders    # one Application (the rest of prod is rendered for cross-Application rules)',
    'GITOPS_TODAY=2026-07-01 gitops policy        # as of a date: which waivers will have expired',
  ],
  reports: true,
  configure(command: Command) {
    command
      .option('-e, --env <name>', 'only the Applications of this environment (repeatable)', collect, [])
      .option('-s, --service <name>', 'only the Applications of this service (repeatable)', collect, [])
      .addOption(concurrencyOption());
  },
  load: async () => (await import('./run.js')).runPolicy,
};
