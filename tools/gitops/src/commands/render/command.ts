import type { Command } from 'commander';
import { collect, concurrencyOption } from '../../cli/options.js';
import type { CommandDefinition } from '../../cli/types.js';

export interface RenderOptions {
  env: string[];
  service: string[];
  out?: string;
  showCommand: boolean;
  concurrency?: number;
}

export const renderCommand: CommandDefinition<RenderOptions> = {
  name: 'render',
  summary: "Render every Application with Argo CD's exact helm template command line",
  reports: true,
  examples: [
    'gitops render --out /tmp/r                 # DIR/<env>/<service>.yaml for the whole fleet',
    'gitops render --env prod --service orders  # one Application to stdout',
    'gitops render --env dev --show-command     # with the helm command line of each Application',
    'gitops render --format json=render.json    # Applications, helm argv and manifests as JSON',
  ],
  configure(command: Command) {
    command
      .option('-e, --env <name>', 'only this environment (repeatable)', collect, [])
      .option('-s, --service <name>', 'only this service (repeatable)', collect, [])
      .option('-o, --out <dir>', 'write <dir>/<env>/<service>.yaml instead of printing; replaced as a whole, atomically')
      .option('--show-command', 'print the helm command line used for each Application', false)
      .addOption(concurrencyOption());
  },
  load: async () => (await import('./run.js')).runRender,
};
