import { toolVersion } from '../reporters/report.js';
import type { FleetView } from './fleet-view.js';

/**
 * `gitops fleet --format json`. `schemaVersion` changes only when a field is removed or
 * changes meaning; new fields may appear at any time. Dates are ISO 8601, commits in full.
 */
export function fleetJson(view: FleetView): string {
  const { summary, today, asOf, environments, services, charts, waivers, teams } = view;
  return `${JSON.stringify(
    {
      schemaVersion: 1,
      tool: { name: 'gitops', version: toolVersion },
      command: 'fleet',
      today,
      asOf,
      summary,
      environments,
      services: services.map((s) => ({
        ...s,
        cells: s.cells.map(({ env, release, ...cell }) => ({ env, release: release ? { chart: release.chart, image: release.image, config: release.config.kind === 'commit' ? release.config.commit : null } : null, ...cell })),
      })),
      charts,
      waivers,
      findings: teams.flatMap((t) => t.findings.map((f) => ({ team: t.team, ...f }))),
    },
    null,
    2,
  )}\n`;
}
