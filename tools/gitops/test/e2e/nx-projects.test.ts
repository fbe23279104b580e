import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../fixtures/example-fleet.js';

/** `nx show projects --affected --files=…` on this repository: what a change would check. */
function affected(file: string, projects = 'service-*'): string[] {
  const r = spawnSync(join(repoRoot, 'node_modules', '.bin', 'nx'), ['show', 'projects', '--affected', `--files=${file}`, `--projects=${projects}`], {
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

  it('a chart change affects the chart projects, the charts built on a library, and no service until a pin moves', () => {
    expect(affected('platform-charts/worker/values.yaml')).toEqual([]);
    expect(affected('platform-charts/worker/values.yaml', 'chart-*')).toEqual(['chart-worker']);
    expect(affected('platform-charts/platform-lib/templates/_pod.tpl', 'chart-*')).toEqual(['chart-microservice', 'chart-platform-lib', 'chart-worker']);
    expect(affected('platform-charts/platform-lib/templates/_pod.tpl')).toEqual([]);
    // The pin moving is a service.yaml edit: that service only.
    expect(affected('services/notification-worker/service.yaml')).toEqual(['service-notification-worker']);
  });

  it('each chart project checks its chart with gitops chart check', () => {
    const r = spawnSync(join(repoRoot, 'node_modules', '.bin', 'nx'), ['show', 'project', 'chart-worker', '--json'], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' } });
    expect(r.status, r.stderr).toBe(0);
    const project = JSON.parse(r.stdout) as { targets: Record<string, { options: { command?: string }; cache?: boolean }> };
    expect(project.targets.check).toMatchObject({ options: { command: 'node tools/gitops/bin/gitops.js chart check --chart worker' }, cache: false });
  });
});
