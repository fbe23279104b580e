import type { Command } from 'commander';
import type { CommandDefinition } from '../../cli/types.js';
import { collect } from '../../cli/options.js';

export type SchemasAction = 'pull' | 'import' | 'list';

export interface SchemasOptions {
  /** pull, import or list, then the files of import. */
  args: string[];
  env: string[];
  kubernetesVersion?: string;
  schemaDir?: string;
  /** import: the schema directory written to (default: schemas/ in the repository). */
  out?: string;
}

export const schemasCommand: CommandDefinition<SchemasOptions> = {
  name: 'schemas',
  summary: 'The Kubernetes and CRD schemas validation uses: list their sources, pull what the fleet needs, import CRDs or a cluster\'s /openapi/v2',
  examples: [
    'gitops schemas list                                   # the sources, first that has the kind, and what each holds',
    'gitops schemas pull                                   # download what the fleet renders into the user cache (then work offline)',
    'gitops schemas pull --kubernetes-version 1.35.0       # the same kinds, for an upgrade',
    'gitops schemas import crds/                           # CRD manifests -> schemas/crds/<group>/<kind>_<version>.json',
    'kubectl get --raw /openapi/v2 > openapi.json && gitops schemas import openapi.json   # a cluster\'s own kinds',
  ],
  configure(command: Command) {
    command
      .usage('pull|import|list [options] [files...]')
      .option('-e, --env <name>', 'pull: only the kinds of this environment (repeatable)', collect, [])
      .option('--kubernetes-version <version>', "pull: this Kubernetes version instead of the environments'; import: the version of an /openapi/v2 dump (default: its info.version)")
      .option('--schema-dir <dir>', 'an explicit schema directory, consulted first (default: GITOPS_SCHEMA_DIR, then schemaDir in gitops.yaml)')
      .option('-o, --out <dir>', 'import: the schema directory to write (default: schemas/ in the repository)');
    command
      .allowExcessArguments()
      .addHelpText(
        'after',
        '\nActions:\n  list    the schema sources in the order they are consulted, and what each holds\n  pull    download the schemas of every kind the fleet renders (and its environments declare) that no source has\n  import  turn CRD manifests or a cluster\'s /openapi/v2 dump (files or directories) into strict JSON schemas\n',
      )
      .hook('preAction', (_program, action) => {
        action.setOptionValue('args', action.args);
      });
  },
  load: async () => (await import('./run.js')).runSchemas,
};
