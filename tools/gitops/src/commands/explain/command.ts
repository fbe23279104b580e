import type { Command } from 'commander';
import type { CommandDefinition } from '../../cli/types.js';

export interface ExplainOptions {
  codes: string[];
  list: boolean;
  json: boolean;
}

export const explainCommand: CommandDefinition<ExplainOptions> = {
  name: 'explain',
  summary: 'What a finding code means, why it matters, how to fix it, with an example',
  examples: ['gitops explain POLICY_MTLS_NOT_STRICT', 'gitops explain values_yaml11_number     # any case', 'gitops explain --list                    # every code'],
  configure(command: Command) {
    command
      .usage('CODE... | --list')
      .option('--list', 'every code with its one-line meaning', false)
      .option('--json', 'print it as JSON', false)
      .allowExcessArguments()
      .hook('preAction', (_program, action) => {
        action.setOptionValue('codes', action.args);
      });
  },
  load: async () => (await import('./run.js')).runExplain,
};
