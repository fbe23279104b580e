import type { Command } from 'commander';
import type { CommandDefinition } from '../../cli/types.js';

// Placeholder: replaced by the real command.
export const policyCommand: CommandDefinition = {
  name: 'policy',
  summary: 'policy (not yet available)',
  examples: [],
  configure(_command: Command) {},
  load: async () => async () => ({ findings: [] }),
};
