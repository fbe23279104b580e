import type { Command } from 'commander';
import type { CommandDefinition } from '../../cli/types.js';
import { collect } from '../../cli/options.js';

export interface LintOptions {
  env: string[];
  service: string[];
}

export const lintCommand: CommandDefinition<LintOptions> = {
  name: 'lint',
  summary: "Check YAML, the repository's own files and every Application's merged values against its chart's schema",
  examples: [
    'gitops lint                               # the whole repository',
    'gitops lint --env prod --service orders   # one Application',
    'gitops lint --format sarif=lint.sarif     # also write SARIF for code scanning',
  ],
  reports: true,
  configure(command: Command) {
    command
      .option('-e, --env <name>', 'only the Applications of this environment (repeatable)', collect, [])
      .option('-s, --service <name>', 'only the Applications of this service (repeatable)', collect, []);
  },
  load: async () => (await import('./run.js')).runLint,
};
