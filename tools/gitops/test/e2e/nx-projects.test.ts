import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../fixtures/example-fleet.js';

/** `nx show projects --affected --files=…` on this repository: what a change would check. */
function affected(file: string): string[] {
  const r = spawnSync(join(repoRoot, 'node_modules', '.bin', 'nx'), ['show', 'projects', '--affected', `--files=${file}`, '--projects=service-*'], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\n').filter(Boolean).sort();
}

describe('Nx projects of the fleet', () => {
  it('a service values change affects that service only', () => {
    expect(affected('services/orders/values-prod.yaml')).toEqual(['service-orders']);
  });

  it('an environment change affects the services released there', () => {
    expect(affected('environments/sandbox/values.yaml')).toEqual(['service-api-gateway', 'service-auth', 'service-products']);
  });

  it("a chart change affects the services on that chart, the library's every service", () => {
    expect(affected('platform-charts/worker/values.yaml')).toEqual(['service-notification-worker', 'service-pdf-renderer']);
    expect(affected('platform-charts/platform-lib/templates/_pod.tpl')).toHaveLength(9);
  });
});
