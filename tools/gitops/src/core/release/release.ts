import type { Release, RepoModel, Service } from '../repo/model.js';

/** Which parts of a release a promotion carries, in the order they are reported. */
export const RELEASE_PARTS = ['chart', 'image', 'config'] as const;
export type ReleasePart = (typeof RELEASE_PARTS)[number];

/**
 * The configuration revision an environment reads its values at: a pinned commit, or the
 * default branch (an environment nobody promotes into, such as dev, follows every merge).
 */
export type ConfigRevision = { kind: 'commit'; commit: string } | { kind: 'branch' };

/** One service's release in one environment, as service.yaml pins it. */
export interface EnvRelease {
  service: string;
  env: string;
  chart: string;
  image: string;
  config: ConfigRevision;
}

/** The release a service pins in an environment, or undefined when it does not run there. */
export function releaseIn(service: Service, env: string): EnvRelease | undefined {
  const pin: Release | undefined = service.releases[env];
  if (!pin) return undefined;
  return { service: service.name, env, chart: pin.chart, image: pin.image, config: pin.config ? { kind: 'commit', commit: pin.config } : { kind: 'branch' } };
}

/** Every release of the fleet: service -> environment -> release, services and environments sorted. */
export function fleetReleases(model: Pick<RepoModel, 'services'>): Map<string, Map<string, EnvRelease>> {
  const out = new Map<string, Map<string, EnvRelease>>();
  for (const name of [...model.services.keys()].sort()) {
    const service = model.services.get(name)!;
    const byEnv = new Map<string, EnvRelease>();
    for (const env of Object.keys(service.releases).sort()) byEnv.set(env, releaseIn(service, env)!);
    out.set(name, byEnv);
  }
  return out;
}

/** The value a part of a release is written as in service.yaml (config: the commit, or undefined when it follows the branch). */
export function partValue(release: Pick<EnvRelease, ReleasePart>, part: ReleasePart): string | undefined {
  if (part !== 'config') return release[part];
  return release.config.kind === 'commit' ? release.config.commit : undefined;
}
