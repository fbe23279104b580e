import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { commands } from './registry.js';

it('lists every command folder, each with a summary and examples', () => {
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'commands');
  const folders = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  expect(commands.map((c) => c.name).sort()).toEqual(folders);
  for (const command of commands) {
    expect(command.summary, command.name).not.toBe('');
    expect(command.examples.length, command.name).toBeGreaterThan(0);
  }
});
