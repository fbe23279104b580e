import type { Command } from 'commander';
import { collect, concurrencyOption } from '../../cli/options.js';
import type { CommandDefinition } from '../../cli/types.js';

export interface FleetOptions {
  env: string[];
  team: string[];
  service: string[];
  /** text, json, markdown or html, each optionally =FILE. */
  format: string[];
  schemaDir?: string;
  concurrency?: number;
}

export const fleetCommand: CommandDefinition<FleetOptions> = {
  name: 'fleet',
  summary: 'What runs where: every service × environment with its chart, image and config, what is behind, blocked, failing or waived',
  examples: [
    'gitops fleet                                        # the matrix in the terminal',
    'gitops fleet --team commerce --env staging --env prod',
    'gitops fleet --format html=fleet/index.html         # one self-contained page: matrix, details, history, charts, waivers, findings',
    'gitops fleet --format markdown >> "$GITHUB_STEP_SUMMARY"',
    'gitops fleet --format json=fleet.json --format text',
  ],
  configure(command: Command) {
    command
      .option('-e, --env <name>', 'only these environments (repeatable)', collect, [])
      .option('-t, --team <name>', 'only the services of this team (repeatable)', collect, [])
      .option('-s, --service <name>', 'only this service (repeatable)', collect, [])
      .option('-f, --format <format[=file]>', 'text (default), json, markdown or html; =FILE writes it to a file (repeatable)', collect, [])
      .option('--schema-dir <dir>', 'the Kubernetes and CRD schemas for the checks (default: GITOPS_SCHEMA_DIR, then schemaDir in gitops.yaml)')
      .addOption(concurrencyOption())
      .addHelpText(
        'after',
        [
          '',
          'Each cell is the pinned chart version, image tag and (when config commits are pinned) the config',
          'revision, marked ↓ behind its promotion source, ⊘ blocked (a freeze, soak time left, or a failing',
          'source), ✗ failing gitops check, ≈ waived. Environments are in promotion order. The checks are',
          "those of gitops check, over the whole fleet; fleet is a report: it exits 0 whatever it shows (gate",
          'merges with gitops check), and 2 when it cannot run. Colour only when stdout is a terminal (NO_COLOR',
          'and FORCE_COLOR are honoured).',
          '',
        ].join('\n'),
      );
  },
  load: async () => (await import('./run.js')).runFleet,
};
