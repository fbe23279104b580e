import { createHash } from 'node:crypto';
import type { Finding } from '../core/findings.js';
import { ValueStore } from '../value-store.js';
import type { AppProjectInfo, PolicyApp } from './model.js';
import type { Rule } from './rule.js';
import { appKey } from './waivers.js';

/** The rule findings of one environment's selected Applications, before waivers. */
export interface EnvironmentFindings {
  findings: Finding[];
  /** The Applications ("<env>/<service>") whose rules ran. */
  evaluated: string[];
}

/**
 * Rule findings remembered between runs, one entry per environment: the rules are pure and
 * read only the Applications of their own environment (cross-Application rules included) and
 * the AppProjects, so an environment whose Applications, renders and projects did not change
 * is not judged again. Waivers are applied afterwards, every run (they expire by date).
 */
export class PolicyMemo {
  private readonly store: ValueStore<EnvironmentFindings>;

  constructor(cacheDir: string) {
    this.store = new ValueStore(cacheDir, 'policy');
  }

  /** The key of an environment's findings; undefined when an Application's renders are not known by digest. */
  key(apps: readonly PolicyApp[], selected: ReadonlySet<string>, projects: ReadonlyMap<string, AppProjectInfo>, rules: readonly Rule[]): string | undefined {
    if (apps.some((a) => a.digest === undefined)) return undefined;
    const hash = createHash('sha256').update(`${rules.map((r) => r.code).join(',')}\0`);
    hash.update(JSON.stringify([...projects].sort(([a], [b]) => a.localeCompare(b))));
    for (const app of apps) {
      // Everything of a PolicyApp but what is derived from its manifests, which the digest stands
      // for (its workloads are not enumerable: reading them would read every object).
      const { manifests: _m, env, ...rest } = app;
      const { doc, ...settings } = env;
      hash.update(`\0${JSON.stringify([rest, settings, doc.file, selected.has(appKey(env.name, app.service))])}`);
    }
    return hash.digest('base64url');
  }

  get(key: string): EnvironmentFindings | undefined {
    const hit = this.store.get(key);
    return hit && Array.isArray(hit.findings) && Array.isArray(hit.evaluated) ? hit : undefined;
  }

  set(key: string, value: EnvironmentFindings): void {
    this.store.set(key, value);
  }
}
