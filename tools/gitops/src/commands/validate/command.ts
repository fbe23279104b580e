import { Option, type Command } from 'commander';
import type { CommandDefinition } from '../../cli/types.js';
import type { EngineName } from '../../validate/engine.js';
import { collect } from '../../cli/options.js';

export interface ValidateOptions {
  env: string[];
  service: string[];
  engine: EngineName;
  skip: string[];
  ignoreMissingSchemas: boolean;
  schemaDir?: string;
  kubernetesVersion?: string;
  /** Manifest files or directories; none: every rendered Application. */
  paths: string[];
}

export const validateCommand: CommandDefinition<ValidateOptions> = {
  name: 'validate',
  summary: "Check every rendered manifest (or manifest files) against its environment's Kubernetes and CRD schemas, strictly",
  examples: [
    'gitops validate                                  # every Application of every environment',
    'gitops validate --env prod --service orders      # one Application',
    'gitops validate --engine kubeconform             # the same verdicts from the kubeconform binary',
    'gitops validate deploy/ extra.yaml               # manifest files, for the newest environment\'s Kubernetes version',
    'gitops validate --kubernetes-version 1.35.0      # the fleet as an upgrade would see it (given its schemas)',
    'gitops validate --format sarif=validate.sarif    # also write SARIF for code scanning',
  ],
  reports: true,
  configure(command: Command) {
    command
      .usage('[options] [paths...]')
      .option('-e, --env <name>', 'only the Applications of this environment (repeatable); with paths, the environment whose Kubernetes version applies', collect, [])
      .option('-s, --service <name>', 'only the Applications of this service (repeatable)', collect, [])
      .addOption(new Option('--engine <engine>', 'builtin (ajv, no binary needed) or kubeconform (the real binary)').choices(['builtin', 'kubeconform']).default('builtin'))
      .option('--skip <kind>', 'do not check this kind: Kind or <apiVersion>/Kind, as kubeconform -skip (repeatable)', collect, [])
      .option('--ignore-missing-schemas', 'skip objects whose kind has no schema instead of failing on them', false)
      .option('--schema-dir <dir>', 'the Kubernetes and CRD schemas (default: GITOPS_SCHEMA_DIR, then schemaDir in gitops.yaml)')
      .option('--kubernetes-version <version>', "check against this Kubernetes version (default: each environment's; for paths, the newest environment's)");
    // Handlers receive options only: the paths join them, instead of a declared argument.
    command
      .allowExcessArguments()
      .addHelpText('after', '\nArguments:\n  paths  manifest files or directories (.yaml, .yml, .json) to validate instead of the rendered Applications\n')
      .hook('preAction', (_program, action) => {
        action.setOptionValue('paths', action.args);
      });
  },
  load: async () => (await import('./run.js')).runValidate,
};
