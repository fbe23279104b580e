import { Option, type Command } from 'commander';
import type { CommandDefinition } from '../../cli/types.js';
import type { EngineName } from '../../validate/engine.js';
import { collect, concurrencyOption } from '../../cli/options.js';

export interface CheckOptions {
  env: string[];
  service: string[];
  engine: EngineName;
  schemaDir?: string;
  concurrency?: number;
}

export const checkCommand: CommandDefinition<CheckOptions> = {
  name: 'check',
  summary: 'The main job: lint, render, validate and policy in one pass, every finding at the line to edit',
  examples: [
    'gitops check                                      # the whole repository',
    'gitops check --env prod --service orders          # one Application',
    'gitops check --format text --format sarif=gitops.sarif --format junit=gitops.xml   # CI',
  ],
  reports: true,
  configure(command: Command) {
    command
      .option('-e, --env <name>', 'only the Applications of this environment (repeatable)', collect, [])
      .option('-s, --service <name>', 'only the Applications of this service (repeatable)', collect, [])
      .addOption(new Option('--engine <engine>', 'validation engine: builtin (ajv) or kubeconform (the real binary)').choices(['builtin', 'kubeconform']).default('builtin'))
      .option('--schema-dir <dir>', 'the Kubernetes and CRD schemas (default: GITOPS_SCHEMA_DIR, then schemaDir in gitops.yaml)')
      .addOption(concurrencyOption());
  },
  load: async () => (await import('./run.js')).runCheck,
};
