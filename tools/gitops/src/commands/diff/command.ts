import { Option, type Command } from 'commander';
import type { CommandDefinition } from '../../cli/types.js';
import { collect, concurrencyOption, positiveInt } from '../../cli/options.js';

export interface DiffOptions {
  base: string;
  head?: string;
  env: string[];
  service: string[];
  ignore: string[];
  /** The team of the pull request's author (`commerce` or `@acme/commerce`): files it does not own are flagged. */
  authorTeam?: string;
  /** The JSON report of `gitops check`, shown per environment beside the diff in the Markdown and the comment. */
  checkReport?: string;
  context: number;
  comment: boolean;
  /** The pull request --comment posts to, instead of the workflow event's. */
  pr?: number;
  /** False (--no-merge-base): compare with the base itself. */
  mergeBase: boolean;
  concurrency?: number;
}

export const diffCommand: CommandDefinition<DiffOptions> = {
  name: 'diff',
  summary: 'Show what a change does to each Application, resource by resource',
  reports: true,
  examples: [
    'gitops diff --base origin/main                          # working tree against where it branched from main',
    'gitops diff --base origin/main...pr-branch              # a branch against its merge base with main',
    'gitops diff --base main --head my-branch --env prod     # two refs, one environment',
    'gitops diff --base origin/main --format markdown --ignore metadata.labels.helm.sh/chart',
    'gitops diff --base origin/main --format text --format json=diff.json   # text on stdout, JSON to a file',
    'gitops diff --base origin/main --author-team commerce   # flag files of other teams and of the platform',
    'gitops diff --base "$BASE_SHA" --head "$HEAD_SHA" --comment   # in GitHub Actions: the sticky PR comment',
    'gitops diff --base "$BASE_SHA" --head "$HEAD_SHA" --pr 42 --comment   # from a workflow_run: the PR named explicitly',
    'gitops diff --base "$BASE_SHA" --head "$HEAD_SHA" --check-report check.json --comment   # check results per environment in the comment',
  ],
  configure(command: Command) {
    command
      .requiredOption('-b, --base <ref>', 'the Git ref to compare against, at its merge base with the head; A...B sets the head too')
      .option('--head <ref>', 'the Git ref with the change (default: the working tree)')
      .option('--no-merge-base', 'compare with the base itself, not with where the head branched from it')
      .option('-e, --env <name>', 'only this environment (repeatable)', collect, [])
      .option('-s, --service <name>', 'only this service (repeatable)', collect, [])
      .option('--ignore <path>', 'hide a field everywhere, e.g. metadata.labels.helm.sh/chart; * matches one key (repeatable)', collect, [])
      .option('--check-report <file>', 'the JSON report of gitops check (--format json=FILE): its results per environment go beside the diff in the Markdown report and the comment')
      .option('--author-team <team>', "the pull request author's team (or GITOPS_AUTHOR_TEAM): changed files CODEOWNERS gives to others are flagged")
      .addOption(new Option('--context <lines>', 'lines of context in each diff').argParser((v) => Number.parseInt(v, 10)).default(3))
      .option('--comment', 'post the Markdown report as the sticky comment of the pull request (GitHub Actions)', false)
      .addOption(new Option('--pr <number>', "the pull request --comment posts to (default: the workflow event's)").argParser(positiveInt))
      .addOption(concurrencyOption());
  },
  load: async () => (await import('./run.js')).runDiff,
};
