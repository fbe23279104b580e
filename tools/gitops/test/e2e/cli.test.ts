import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runCli, toolRoot } from '../helpers/run-cli.js';

it('--version prints the package version and exits 0', () => {
  const { version } = JSON.parse(readFileSync(join(toolRoot, 'package.json'), 'utf8')) as { version: string };
  const r = runCli(['--version'], { cwd: toolRoot });
  expect(r.exitCode).toBe(0);
  expect(r.stdout).toBe(`${version}\n`);
});

it('suggests the flag or command that was probably meant, and exits 2', () => {
  const flag = runCli(['check', '--formt', 'json'], { cwd: toolRoot });
  expect(flag.exitCode).toBe(2);
  expect(flag.stderr).toContain("error: unknown option '--formt'\n(Did you mean --format?)");
  const command = runCli(['shemas', 'list'], { cwd: toolRoot });
  expect(command.exitCode).toBe(2);
  expect(command.stderr).toContain('(Did you mean schemas?)');
});
