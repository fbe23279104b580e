import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { toolRoot } from '../helpers/run-cli.js';

const repoRoot = join(toolRoot, '..', '..');

it('every GitHub Actions workflow passes actionlint', () => {
  // .ci/run installs the pinned actionlint with `go install`.
  const bin = process.env.GITOPS_ACTIONLINT_BIN ?? 'actionlint';
  const r = spawnSync(bin, ['-no-color'], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, PATH: `${process.env.PATH}:${join(process.env.HOME ?? '', 'go', 'bin')}` } });
  expect(r.error, `actionlint not found: run .ci/run or go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.7`).toBeUndefined();
  expect(r.stdout + r.stderr).toBe('');
  expect(r.status).toBe(0);
});
