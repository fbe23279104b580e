import type { Command } from 'commander';
import type { CommandDefinition } from '../../cli/types.js';

// Placeholder: replaced by the real command.
export const validateCommand: CommandDefinition = {
  name: 'validate',
  summary: 'validate (not yet available)',
  examples: [],
  configure(_command: Command) {},
  load: async () => async () => ({ findings: [] }),
};
