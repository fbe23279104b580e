import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { toolRoot } from '../paths.js';
import { UsageError } from '../core/errors.js';
import { parseFormats, type FormatRequest } from '../reporters/formats.js';
import { collect } from './options.js';
import { commands } from './registry.js';
import type { CommandContext, CommandResult } from './types.js';

export interface ProgramIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** True when stderr is a terminal: progress is shown. */
  interactive: boolean;
}

/** Parses argv and runs the chosen command. Returns undefined when commander printed help or a version. */
export interface ProgramRun {
  result?: CommandResult;
  /** The command that ran, and the reports it was asked for (commands with `reports` only). */
  command?: string;
  formats?: FormatRequest[];
  /** --fail-on: the lowest severity that fails the run (exit 1). */
  failOn?: 'error' | 'warning';
  verbose: boolean;
}

export async function runProgram(argv: string[], io: ProgramIo): Promise<ProgramRun> {
  let result: CommandResult | undefined;
  let ran: { command: string; formats?: FormatRequest[]; failOn?: 'error' | 'warning' } | undefined;
  const program = new Command()
    .name('gitops')
    .description('Check, lint, render, validate, apply policy to and diff the platform GitOps repository.')
    .option('--repo <dir>', 'a directory inside the platform repository', '.')
    .option('--verbose', 'print stack traces and debugging detail', false)
    .version(toolVersion(), '-V, --version', 'print the version of gitops')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  for (const def of commands) {
    const command = program
      .command(def.name)
      .summary(def.summary)
      .description(def.summary)
      .addHelpText('after', `\nExamples:\n${def.examples.map((e) => `  $ ${e}`).join('\n')}\n`);
    def.configure(command);
    if (def.reports) {
      command.option('-f, --format <format[=file]>', 'text, json, junit, sarif, github or markdown; =FILE writes it to a file (repeatable)', collect, []);
      command.addOption(new Option('--fail-on <severity>', 'exit 1 on findings of this severity or worse').choices(['error', 'warning']).default('error'));
    }
    command.action(async (options: Record<string, unknown>) => {
      // Parsed before the command runs, so a typo fails fast.
      ran = { command: def.name, formats: def.reports ? parseFormats((options.format as string[] | undefined) ?? []) : undefined, failOn: options.failOn as 'error' | 'warning' | undefined };
      const globals = program.opts<{ repo: string; verbose: boolean }>();
      const ctx: CommandContext = {
        repo: globals.repo,
        env: io.env,
        verbose: globals.verbose,
        progress: io.interactive ? (message) => io.stderr(`\r\x1b[2K${message}`) : () => {},
      };
      const handler = await def.load();
      result = await handler(ctx, options);
      if (io.interactive) io.stderr('\r\x1b[2K');
    });
  }

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return { verbose: false };
      // commander already printed its message.
      throw new UsageError('USAGE', err.message.replace(/^error: /, ''), { cause: err });
    }
    throw err;
  }
  if (!result && argv.length === 0) {
    io.stdout(program.helpInformation());
  }
  return { result, command: ran?.command, formats: ran?.formats, failOn: ran?.failOn, verbose: program.opts<{ verbose: boolean }>().verbose };
}

/** The version of the gitops package this CLI was built from. */
function toolVersion(): string {
  return (JSON.parse(readFileSync(join(toolRoot, 'package.json'), 'utf8')) as { version: string }).version;
}
