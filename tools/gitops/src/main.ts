import { runProgram, type ProgramIo } from './cli/program.js';
import { ExternalToolError, InternalError, ToolError, UsageError } from './core/errors.js';
import { formatLocation, hasErrors, type Finding } from './core/findings.js';

/**
 * argv -> command -> exit code: 0 clean, 1 findings, 2 could not run. The only module that
 * decides exit codes; it never calls process.exit, so streams flush.
 */
export async function main(argv: string[], io: ProgramIo = defaultIo()): Promise<number> {
  const verbose = argv.includes('--verbose');
  try {
    const { result } = await runProgram(argv, io);
    if (!result) return 0;
    if (result.stdout) io.stdout(result.stdout);
    for (const finding of result.findings) io.stderr(formatFinding(finding));
    if (result.summary) io.stderr(`${result.summary}\n`);
    return hasErrors(result.findings) ? 1 : 0;
  } catch (err) {
    io.stderr(formatError(err, verbose));
    return 2;
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

/** Compiler style: file:line:col severity CODE message, then the hint. */
export function formatFinding(f: Finding): string {
  const where = formatLocation(f.location);
  let text = `${where ? `${where} ` : ''}${f.severity} ${f.code} ${f.message}\n`;
  if (f.hint) text += `  hint: ${f.hint}\n`;
  return text;
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
