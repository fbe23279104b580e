import { runProgram, type ProgramIo } from './cli/program.js';
import type { CommandResult } from './cli/types.js';
import { ExternalToolError, InternalError, ToolError, UsageError } from './core/errors.js';
import { fails } from './core/findings.js';
import { renderFormat, type FormatRequest } from './reporters/formats.js';
import { formatFinding } from './reporters/text.js';
import { storeWritesSettled } from './value-store.js';
import { writeAtomic } from './write-atomic.js';

/**
 * argv -> command -> exit code: 0 clean, 1 findings, 2 could not run. The only module that
 * decides exit codes; it never calls process.exit, so streams flush.
 */
export async function main(argv: string[], io: ProgramIo = defaultIo()): Promise<number> {
  const verbose = argv.includes('--verbose');
  try {
    const { result, command, formats, failOn } = await runProgram(argv, io);
    if (!result) return 0;
    if (formats) await writeReports(command!, result, formats, io);
    else {
      if (result.stdout) io.stdout(result.stdout);
      for (const finding of result.findings) io.stderr(formatFinding(finding));
    }
    if (result.summary) io.stderr(`${result.summary}\n`);
    return fails(result.findings, failOn) ? 1 : 0;
  } catch (err) {
    io.stderr(formatError(err, verbose));
    return 2;
  } finally {
    await storeWritesSettled();
  }
}

function defaultIo(): ProgramIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    interactive: Boolean(process.stderr.isTTY) && !process.env.CI,
  };
}

/** A reporting command's output: text on stdout unless other formats were asked for, files written atomically. */
async function writeReports(command: string, result: CommandResult, formats: FormatRequest[], io: ProgramIo): Promise<void> {
  const requests = formats.length > 0 ? formats : [{ name: 'text' as const }];
  const report = { command, findings: result.findings, resources: result.resources, data: result.data, markdown: result.markdown };
  // A command with output of its own (render's manifests) prints it as its text report; its findings go to stderr.
  const ownText = result.stdout !== undefined;
  if (ownText) for (const finding of result.findings) io.stderr(formatFinding(finding));
  for (const request of requests) {
    const text = request.name === 'text' ? (ownText ? result.stdout! : result.findings.map(formatFinding).join('')) : renderFormat(request.name, report);
    if (!request.file) io.stdout(text);
    else {
      try {
        await writeAtomic(request.file, text);
      } catch (err) {
        throw new ToolError('OUTPUT_WRITE_FAILED', `could not write ${request.file}: ${(err as Error).message}`, { hint: 'Check that the directory exists and is writable.' });
      }
    }
  }
}

function formatError(err: unknown, verbose: boolean): string {
  const error = err instanceof ToolError ? err : new InternalError('INTERNAL', `unexpected error: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  if (error instanceof UsageError && error.code === 'USAGE' && error.cause) return '';
  let text = `gitops: error ${error.code}: ${error.message}\n`;
  if (error instanceof ExternalToolError) {
    if (error.details.cmd) text += `  command: ${error.details.cmd}\n`;
    if (error.details.stderr) text += error.details.stderr.split('\n').map((l) => `  | ${l}\n`).join('');
  }
  if (error.hint) text += `  hint: ${error.hint}\n`;
  if (error instanceof InternalError) {
    text += '  This is a bug in gitops, not in your repository: please report it to the platform team with the command you ran and the --verbose output.\n';
  }
  if (verbose) {
    const stack = error instanceof InternalError && error.cause instanceof Error ? error.cause.stack : error.stack;
    text += `${stack ?? ''}\n`;
  } else if (error instanceof InternalError) {
    text += '  Pass --verbose to see the stack trace.\n';
  }
  return text;
}
