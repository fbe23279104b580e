import type { Command } from 'commander';
import type { Finding, SourceLocation } from '../core/findings.js';

/** What every command handler receives. */
export interface CommandContext {
  /** --repo: a directory inside the platform repository. */
  repo: string;
  env: NodeJS.ProcessEnv;
  verbose: boolean;
  /** Progress for long runs; a no-op unless stderr is a terminal. */
  progress: (message: string) => void;
}

/** What every command returns; main.ts prints it and turns it into an exit code. */
export interface CommandResult {
  findings: Finding[];
  /** The report, written to stdout as is. */
  stdout?: string;
  /** One line for stderr after the findings (counts, timing). */
  summary?: string;
  /** Per-resource verdicts, for commands that check Kubernetes objects (validate, check). */
  resources?: ResourceResult[];
  /** Command-specific fields of the JSON report (e.g. render's applications), in key order. */
  data?: Record<string, unknown>;
  /** The Markdown report (`--format markdown`), for commands that write one for PR comments. */
  markdown?: string;
}

/** The verdict on one Kubernetes object; the `results` of the JSON report. */
export interface ResourceResult {
  file: string;
  env?: string;
  service?: string;
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  /** invalid: breaks its schema; error: could not be checked (no schema, not an object); skipped: --skip. */
  status: 'valid' | 'invalid' | 'error' | 'skipped';
  errors: { path: string; message: string; source?: SourceLocation }[];
}

export type CommandHandler<O> = (ctx: CommandContext, options: O) => Promise<CommandResult>;

/** A command's declaration, kept apart from its handler (loaded only when the command runs). */
export interface CommandDefinition<O = Record<string, unknown>> {
  name: string;
  summary: string;
  /** Shown under "Examples:" in --help. */
  examples: string[];
  /** The command's findings are its report: it takes --format (text, json, junit, sarif) and prints text on stdout. */
  reports?: boolean;
  configure(command: Command): void;
  load(): Promise<CommandHandler<O>>;
}
