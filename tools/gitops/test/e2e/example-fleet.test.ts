import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli, toolRoot } from '../helpers/run-cli.js';

const repoRoot = join(toolRoot, '..', '..');

/** Which environments each example service is pinned in, from its service.yaml. */
function pinnedApps(): string[] {
  const apps: string[] = [];
  for (const name of readdirSync(join(repoRoot, 'services'))) {
    const service = parse(readFileSync(join(repoRoot, 'services', name, 'service.yaml'), 'utf8')) as { releases: Record<string, unknown> };
    for (const env of Object.keys(service.releases)) apps.push(`${env}/${name}.yaml`);
  }
  return apps.sort();
}

it('renders every service of the example fleet in every environment it is pinned in', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'gitops-fleet-')), 'out');
  onTestFinished(() => rmSync(join(out, '..'), { recursive: true, force: true }));
  const r = runCli(['render', '--out', out], { cwd: repoRoot });
  expect(r.exitCode, r.stderr).toBe(0);

  const written = readdirSync(out, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.yaml'))
    .map((e) => `${e.parentPath.slice(out.length + 1)}/${e.name}`)
    .sort();
  expect(written).toEqual(pinnedApps());

  const kinds = new Set(written.flatMap((f) => [...readFileSync(join(out, f), 'utf8').matchAll(/^kind: (\w+)$/gm)].map((m) => m[1])));
  for (const kind of ['Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'VirtualService', 'DestinationRule', 'AuthorizationPolicy', 'PeerAuthentication', 'Gateway', 'Ingress', 'Rollout', 'AnalysisTemplate', 'ServiceMonitor']) {
    expect(kinds, kind).toContain(kind);
  }
  // sandbox has no mesh: an Ingress and no Istio resources there.
  const sandbox = readFileSync(join(out, 'sandbox/api-gateway.yaml'), 'utf8');
  expect(sandbox).toContain('kind: Ingress');
  expect(sandbox).not.toContain('networking.istio.io');
});
