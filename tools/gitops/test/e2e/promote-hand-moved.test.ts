import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { exampleFleetRepo, schemaDir } from '../fixtures/example-fleet.js';
import { runCli } from '../helpers/run-cli.js';

const env = { GITOPS_SCHEMA_DIR: schemaDir, GITOPS_TODAY: '2026-11-24' };
const FILE = 'services/orders/service.yaml';

it('check flags a pin moved by hand to a release its promotion source never ran, on the branch that moved it', () => {
  const repo = exampleFleetRepo();
  const text = readFileSync(join(repo.dir, FILE), 'utf8');
  const prodLine = text.split('\n').findIndex((l) => l.startsWith('  prod: {')) + 1;
  const staging = /^ {2}staging: \{ chart: ([^,]+), image: "([^"]+)"/m.exec(text)!;
  const prodPin = /^( {2}prod: \{ chart: )[^,]+, image: "[^"]+"/m;
  repo.git('checkout', '--quiet', '-b', 'hand-edit');
  const check = () => runCli(['check', '--env', 'prod', '--service', 'orders'], { cwd: repo.dir, env });

  repo.commit('orders 9.9.9 straight to prod', { [FILE]: text.replace(prodPin, '$11.0.0, image: "9.9.9"') });
  const skipped = check();
  expect(skipped.exitCode).toBe(1);
  expect(skipped.stdout).toContain(
    `${FILE}:${prodLine}:9 error PROMOTION_PIN_UNPROMOTED orders: releases.prod moved to chart 1.0.0, image 9.9.9, which staging (the promotion source of prod) never ran`,
  );

  // What staging runs is what a promotion would have written: nothing to flag.
  repo.commit('orders as staging runs it', { [FILE]: text.replace(prodPin, `$1${staging[1]}, image: "${staging[2]}"`) });
  const promoted = check();
  expect(promoted.stdout + promoted.stderr).not.toContain('PROMOTION_PIN_UNPROMOTED');
  expect(promoted.exitCode, promoted.stdout).toBe(0);
});
