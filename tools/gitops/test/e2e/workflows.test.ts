import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { goTool } from '../helpers/go-tools.js';
import { toolRoot } from '../helpers/run-cli.js';

const repoRoot = join(toolRoot, '..', '..');

it('every GitHub Actions workflow passes actionlint', (ctx) => {
  // npm ci installs the pinned actionlint with `go install` where Go is present.
  const bin = goTool('actionlint', ctx);
  const r = spawnSync(bin, ['-no-color'], { cwd: repoRoot, encoding: 'utf8' });
  expect(r.error).toBeUndefined();
  expect(r.stdout + r.stderr).toBe('');
  expect(r.status).toBe(0);
});
