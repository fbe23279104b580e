import { parseYamlMapping } from '../core/yaml/parse-yaml.js';
import { RELEASE_PARTS, type ReleasePart } from '../core/release/release.js';
import type { Release } from '../core/repo/model.js';
import type { LogEntry } from '../runners/git.js';
import type { Workspace } from '../workspace.js';

/** One part of a pin that a commit changed. */
export interface PinChange {
  part: ReleasePart;
  /** Undefined: not pinned before (the service arrived in the environment, or config followed the branch). */
  from?: string;
  /** Undefined: no longer pinned (the service left the environment, or config follows the branch again). */
  to?: string;
}

/** A commit that moved one service's pin in one environment: a promotion, a deploy to dev, or a hand edit. */
export interface PinEvent {
  service: string;
  env: string;
  commit: string;
  /** When the commit landed (committer date), ISO 8601. */
  date: string;
  author: string;
  subject: string;
  changes: PinChange[];
  /** The pin after the commit; undefined when the service left the environment. */
  release?: Release;
}

/** The pin moves of the fleet, and the commits that changed its values files. */
export interface PinHistory {
  /** Newest first. */
  events: PinEvent[];
  /** Commits of HEAD that touched a service.yaml or a values file, newest first. */
  commits: Pick<LogEntry, 'commit' | 'files'>[];
  /** HEAD's commit; undefined when HEAD is unborn. */
  head?: string;
}

/** The commits a history holds at most, so a long-lived repository keeps a page of bounded size. */
export const HISTORY_LIMIT = 500;

/**
 * Every pin move of the given services, newest first, from the history of HEAD: one `git log`
 * over their service.yaml files and one batch read of those files at each commit, however
 * many services there are. An unborn HEAD has no history.
 */
export async function readPinHistory(ws: Workspace, services: ReadonlyMap<string, { dir: string }>): Promise<PinHistory> {
  const head = await ws.git.resolveCommit('HEAD');
  if (!head) return { events: [], commits: [] };
  const byFile = new Map([...services].map(([name, s]) => [`${s.dir}/service.yaml`, name]));
  const values = [...services.values()].map((s) => `${s.dir}/values*.yaml`);
  const log = await ws.git.log('HEAD', [...byFile.keys(), ...values, 'environments/*/values.yaml'], HISTORY_LIMIT);
  // Each file at each commit that touched it, and at the commit before, for what it changed from.
  const specs = log.flatMap((entry) => entry.files.filter((f) => byFile.has(f)).flatMap((f) => [`${entry.commit}:${f}`, `${entry.commit}^:${f}`]));
  const blobs = await ws.git.readBlobs([...new Set(specs)]);
  const events: PinEvent[] = [];
  for (const entry of log) {
    for (const file of entry.files) {
      const service = byFile.get(file);
      if (service === undefined) continue;
      events.push(...pinEvents(service, entry, readPins(file, blobs.get(`${entry.commit}^:${file}`)), readPins(file, blobs.get(`${entry.commit}:${file}`))));
    }
  }
  return { events, commits: log.map(({ commit, files }) => ({ commit, files })), head };
}

/** One environment's config pin and the configuration its promotion source runs. */
export interface ConfigPair {
  /** "<env>/<service>" */
  key: string;
  /** The target's pinned config commit. */
  pinned: string;
  /** The source's pinned commit; undefined: the source follows the branch. */
  source?: string;
  /** The values files the target's Application reads (its render plan's). */
  paths: string[];
}

/**
 * The config commit a promotion would pin, per "<env>/<service>", as `gitops promote` resolves
 * it: a source that follows the branch runs the last commit that changed the files the target
 * reads (HEAD when the history does not reach it), and a commit holding the same files as the
 * current pin is the same configuration, so the pin stays. One batch read for the fleet.
 */
export async function resolveSourceConfigs(ws: Workspace, history: PinHistory, pairs: readonly ConfigPair[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!history.head) return out;
  const promoted = pairs.map((p) => ({ ...p, promoted: p.source ?? history.commits.find((c) => c.files.some((f) => p.paths.includes(f)))?.commit ?? history.head! }));
  const differing = promoted.filter((p) => p.promoted !== p.pinned);
  const specs = differing.flatMap((p) => p.paths.flatMap((f) => [`${p.pinned}:${f}`, `${p.promoted}:${f}`]));
  const blobs = await ws.git.readBlobs([...new Set(specs)]);
  for (const p of promoted) {
    const same = p.promoted === p.pinned || p.paths.every((f) => blobs.get(`${p.pinned}:${f}`) === blobs.get(`${p.promoted}:${f}`));
    out.set(p.key, same ? p.pinned : p.promoted);
  }
  return out;
}

/** The pins of service.yaml as written at some commit; a file that does not parse (then) holds none. */
function readPins(file: string, text: string | undefined): Record<string, Release> {
  if (text === undefined) return {};
  const releases = (parseYamlMapping(file, text).doc?.data as { releases?: unknown } | undefined)?.releases;
  if (!releases || typeof releases !== 'object' || Array.isArray(releases)) return {};
  const pins: Record<string, Release> = {};
  for (const [env, raw] of Object.entries(releases as Record<string, unknown>)) {
    if (!raw || typeof raw !== 'object') continue;
    const { chart, image, config } = raw as Record<string, unknown>;
    pins[env] = { chart: String(chart ?? ''), image: String(image ?? ''), ...(config === undefined || config === null ? {} : { config: String(config) }) };
  }
  return pins;
}

/** What one commit changed in one service's pins, per environment (environments sorted). */
export function pinEvents(service: string, entry: Pick<LogEntry, 'commit' | 'date' | 'author' | 'subject'>, before: Record<string, Release>, after: Record<string, Release>): PinEvent[] {
  const envs = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const events: PinEvent[] = [];
  for (const env of envs) {
    const changes: PinChange[] = [];
    for (const part of RELEASE_PARTS) {
      const from = before[env]?.[part];
      const to = after[env]?.[part];
      if (from !== to) changes.push({ part, ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) });
    }
    if (changes.length > 0) events.push({ service, env, commit: entry.commit, date: entry.date, author: entry.author, subject: entry.subject, changes, ...(after[env] ? { release: after[env] } : {}) });
  }
  return events;
}
