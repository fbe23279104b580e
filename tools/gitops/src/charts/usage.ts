import semver from 'semver';
import type { Workspace } from '../workspace.js';
import type { ChartStore } from '../render/chart-store.js';
import { releasedVersions } from './release.js';

/** Who pins which version of which chart where, the versions no one pins, and who is behind. */
export interface ChartUsage {
  charts: {
    chart: string;
    /** Released versions, newest first. */
    versions: { version: string; commit: string; pins: { service: string; env: string }[] }[];
    newest?: string;
    /** Released versions that no environment pins. */
    unused: string[];
    /** Pins below the newest release. */
    behind: { service: string; env: string; pinned: string }[];
  }[];
}

export async function chartUsage(ws: Workspace, charts: ChartStore, only: readonly string[]): Promise<ChartUsage> {
  const released = await releasedVersions(ws, charts, only);
  const dir = ws.model.config.charts?.dir ?? 'platform-charts';
  const chartFiles = await ws.snapshot.readFiles([...new Set(released.map((r) => `${dir}/${r.chart}/Chart.yaml`))]);
  // Library charts are vendored into the charts built on them: no service pins one.
  const isLibrary = (chart: string) => /^type:\s*library\s*$/m.test(chartFiles.get(`${dir}/${chart}/Chart.yaml`) ?? '');
  const names = [...new Set(released.map((r) => r.chart))].filter((c) => !isLibrary(c));
  return {
    charts: names.map((chart) => {
      const versions = released
        .filter((r) => r.chart === chart)
        .sort((a, b) => compare(b.version, a.version))
        .map((r) => ({ version: r.version, commit: r.commit, pins: [] as { service: string; env: string }[] }));
      const behind: { service: string; env: string; pinned: string }[] = [];
      const newest = versions[0]?.version;
      for (const service of [...ws.model.services.values()].sort((a, b) => a.name.localeCompare(b.name))) {
        if (service.chart !== chart) continue;
        for (const [env, release] of Object.entries(service.releases)) {
          const pinned = String(release.chart);
          versions.find((v) => v.version === pinned)?.pins.push({ service: service.name, env });
          if (newest && compare(pinned, newest) < 0) behind.push({ service: service.name, env, pinned });
        }
      }
      return { chart, versions, newest, unused: versions.filter((v) => v.pins.length === 0).map((v) => v.version), behind };
    }),
  };
}

function compare(a: string, b: string): number {
  const [x, y] = [semver.valid(a), semver.valid(b)];
  return x && y ? semver.compare(x, y) : a.localeCompare(b);
}

/** The matrix as text: per chart, per version, the environments and the services pinning it. */
export function formatUsage(usage: ChartUsage, envOrder: readonly string[]): string {
  let out = '';
  for (const c of usage.charts) {
    out += `${c.chart} (newest ${c.newest ?? 'none'})\n`;
    for (const v of c.versions) {
      const byEnv = envOrder.map((env) => [env, v.pins.filter((p) => p.env === env).map((p) => p.service)] as const).filter(([, s]) => s.length > 0);
      const where = byEnv.length > 0 ? byEnv.map(([env, s]) => `${env}: ${s.join(', ')}`).join('; ') : 'pinned nowhere';
      out += `  ${v.version.padEnd(10)} ${v.commit.slice(0, 12)}  ${where}\n`;
    }
    if (c.behind.length > 0) out += `  behind ${c.newest}: ${c.behind.map((b) => `${b.service}/${b.env} (${b.pinned})`).join(', ')}\n`;
  }
  return out;
}
