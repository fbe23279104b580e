import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { TestContext } from 'vitest';
import { toolRoot } from './run-cli.js';

interface GoToolPin {
  module: string;
  version: string;
  versionArgs: string[];
  /** The variable that names the binary instead. */
  env: string;
}

const pins = JSON.parse(readFileSync(join(toolRoot, 'go-tools-pin.json'), 'utf8')) as Record<'kubeconform' | 'actionlint', GoToolPin>;

/** The install command of a pinned Go tool, for messages. */
export function installCommand(name: keyof typeof pins): string {
  return `go install ${pins[name].module}@${pins[name].version}`;
}

/**
 * The pinned binary (its variable, else PATH, else `$(go env GOPATH)/bin`, where `npm ci`
 * installs it). Missing: the test is skipped with the command that installs it, except in
 * CI, where a missing tool must fail rather than pass unseen.
 */
export function goTool(name: keyof typeof pins, ctx: TestContext): string {
  const pin = pins[name];
  const gopath = spawnSync('go', ['env', 'GOPATH'], { encoding: 'utf8' });
  const candidates = [
    process.env[pin.env],
    ...(process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, name)),
    gopath.status === 0 ? join(gopath.stdout.trim().split(delimiter)[0]!, 'bin', name) : undefined,
  ].filter((c): c is string => Boolean(c));
  for (const candidate of candidates) {
    const r = spawnSync(candidate, pin.versionArgs, { encoding: 'utf8' });
    if (r.status === 0) return candidate;
  }
  const message = `${name} ${pin.version} is not installed: ${installCommand(name)} (npm ci does it where Go is present)`;
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(`${message}; in CI every test must run`);
  return ctx.skip(message);
}
