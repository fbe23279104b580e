import { RELEASE_PARTS, partValue, type EnvRelease, type ReleasePart } from './release.js';

/** One part of a release that a promotion changes. */
export interface PartChange {
  part: ReleasePart;
  /** The target's value now (undefined: not pinned, e.g. a new environment or a config that follows the branch). */
  from?: string;
  to: string;
}

/** What differs between an environment's release of a service and its promotion source's. */
export type ReleaseDelta =
  /** The service does not run in the source: nothing can be promoted (a gap for this service). */
  | { status: 'absent-in-source'; service: string; env: string; source: string; current?: EnvRelease }
  /** The target already runs what the source runs. */
  | { status: 'equal'; service: string; env: string; source: string; current: EnvRelease; promoted: PromotedRelease }
  /** A promotion would change these parts (all of them when the target does not run the service yet). */
  | { status: 'differs'; service: string; env: string; source: string; current?: EnvRelease; promoted: PromotedRelease; changes: PartChange[] };

/** The pin a promotion writes: the source's chart and image, and the config commit it ran. */
export interface PromotedRelease {
  chart: string;
  image: string;
  config: string;
}

/**
 * Compares a target's release with its source's. `sourceConfig` is the commit the source's
 * configuration is at: its pin, or, for a source that follows the branch, the commit the
 * caller resolved (the last one that changed the files the target reads).
 */
export function releaseDelta(args: { service: string; env: string; source: string; current?: EnvRelease; sourceRelease?: EnvRelease; sourceConfig?: string }): ReleaseDelta {
  const { service, env, source, current, sourceRelease } = args;
  if (!sourceRelease) return { status: 'absent-in-source', service, env, source, current };
  const config = args.sourceConfig ?? partValue(sourceRelease, 'config');
  if (config === undefined) throw new TypeError(`releaseDelta: the config commit of ${service} in ${source} was not resolved`);
  const promoted: PromotedRelease = { chart: sourceRelease.chart, image: sourceRelease.image, config };
  const changes: PartChange[] = [];
  for (const part of RELEASE_PARTS) {
    const from = current ? partValue(current, part) : undefined;
    if (from !== promoted[part]) changes.push({ part, from, to: promoted[part] });
  }
  if (current && changes.length === 0) return { status: 'equal', service, env, source, current, promoted };
  return { status: 'differs', service, env, source, current, promoted, changes };
}
