import type { ChartUsage } from '../charts/usage.js';
import type { Finding } from '../core/findings.js';
import type { PromotionChain } from '../core/release/chain.js';
import { activeFreeze, formatDuration, parseSoak, soakRemaining } from '../core/release/gates.js';
import { releaseDelta, type PartChange } from '../core/release/release-delta.js';
import { RELEASE_PARTS, releaseIn, type EnvRelease, type ReleasePart } from '../core/release/release.js';
import type { Environment, RepoModel } from '../core/repo/model.js';
import { covers, expired, type Waiver } from '../policy/waivers.js';
import type { PinEvent, PinHistory } from './fleet-history.js';

/** One service in one environment: what runs there and how it stands. */
export interface FleetCell {
  env: string;
  /** Undefined: the service does not run in this environment. */
  release?: EnvRelease;
  /** When the current pin landed (its commit's committer date); undefined when no commit of HEAD set it (an uncommitted edit). */
  since?: string;
  /** Behind its promotion source: the parts a promotion would change. */
  behind?: { source: string; changes: PartChange[] };
  /** Behind, and a promotion would be refused now: why. */
  blocked?: string[];
  /** Error and warning findings of `gitops check` about this Application. */
  errors: number;
  warnings: number;
  /** Waivers that apply here (unexpired, matching a finding). */
  waivers: number;
}

export interface FleetService {
  name: string;
  team: string;
  chart: string;
  description?: string;
  /** One per environment of the view, in promotion order. */
  cells: FleetCell[];
  /** The parts whose values differ between the environments the service runs in. */
  differences: { part: ReleasePart; values: { env: string; value: string }[] }[];
  /** Pin moves, newest first. */
  history: PinEvent[];
}

export interface FleetEnvironment {
  name: string;
  source?: string;
  policyProfile: string;
  kubernetesVersion: string;
  soak?: string;
  /** A freeze window open now, with its reason. */
  frozen?: string;
  /** The promotion chain is broken at this environment: the finding's message. */
  broken?: string;
}

/** A waiver as the page lists it: its entry, where it is, and how it stands today. */
export interface FleetWaiver extends Pick<Waiver, 'rule' | 'service' | 'environment' | 'resource' | 'reason' | 'owner' | 'expires' | 'file'> {
  line?: number;
  status: 'active' | 'expired' | 'unused';
  /** Days from today to the expiry (negative: expired). */
  daysLeft: number;
}

export interface FleetSummary {
  services: number;
  environments: number;
  applications: number;
  behind: number;
  blocked: number;
  failing: number;
  waived: number;
  errors: number;
  warnings: number;
}

/** The fleet at a glance: the matrix, its details, chart usage, waivers and findings by team. */
export interface FleetView {
  /** YYYY-MM-DD: the day waiver expiries are judged against. */
  today: string;
  /** ISO 8601: the moment freezes and soak times are judged at. */
  asOf: string;
  environments: FleetEnvironment[];
  services: FleetService[];
  /** Whether any release pins a config commit (the config column is shown only then). */
  configPins: boolean;
  summary: FleetSummary;
  charts: ChartUsage['charts'];
  waivers: FleetWaiver[];
  /** Findings per team (services' teams, then "platform" for what belongs to no service), teams sorted. */
  teams: { team: string; findings: Finding[] }[];
}

export interface FleetViewInput {
  model: Pick<RepoModel, 'environments' | 'services'>;
  chain: PromotionChain;
  findings: readonly Finding[];
  waivers: readonly Waiver[];
  history: PinHistory;
  /** "<env>/<service>" -> the config commit a promotion would pin there (resolveSourceConfigs), for environments that pin one. */
  sourceConfigs: ReadonlyMap<string, string>;
  charts: ChartUsage['charts'];
  today: string;
  /** The moment freezes and soak times are judged at. */
  now: Date;
  /** Filters (all when empty). */
  envs: readonly string[];
  teams: readonly string[];
  services: readonly string[];
}

export const PLATFORM_TEAM = 'platform';

/** Builds the view: pure over the model, the check findings and the history. */
export function buildFleetView(input: FleetViewInput): FleetView {
  const { model, chain } = input;
  // Promotion order; environments off a broken link come last, as they stand outside the chain.
  const order = [...chain.order, ...[...model.environments.keys()].filter((e) => !chain.order.includes(e)).sort()];
  const envNames = order.filter((e) => input.envs.length === 0 || input.envs.includes(e));
  const cellFindings = findingsByCell(input.findings, model);
  const unused = new Set(input.findings.filter((f) => f.code === 'WAIVER_UNUSED').map((f) => `${f.location?.file}:${f.location?.line}`));
  const activeWaivers = input.waivers.filter((w) => !expired(w, input.today) && !unused.has(`${w.location.file}:${w.location.line}`));

  const allCells = new Map<string, FleetCell>();
  const cellOf = (service: string, env: string) => allCells.get(`${env}/${service}`);
  const services = [...model.services.values()].sort((a, b) => a.name.localeCompare(b.name));
  for (const service of services) {
    for (const env of order) {
      const release = releaseIn(service, env);
      const counts = cellFindings.get(`${env}/${service.name}`) ?? { errors: 0, warnings: 0 };
      const since = release ? arrival(input.history.events, service.name, env, release) : undefined;
      allCells.set(`${env}/${service.name}`, { env, ...(release ? { release } : {}), ...(since ? { since } : {}), ...counts, waivers: release ? activeWaivers.filter((w) => covers(w, env, service.name)).length : 0 });
    }
  }
  // Behind and blocked need the source's cell, so they come once every cell exists.
  for (const service of services) {
    for (const env of order) {
      const cell = cellOf(service.name, env)!;
      const environment = model.environments.get(env)!;
      const source = chain.sources.get(env);
      const broken = brokenLink(chain, environment);
      if (source === undefined || !chain.order.includes(env)) {
        if (broken && cell.release) cell.blocked = [broken];
        continue;
      }
      const sourceCell = cellOf(service.name, source)!;
      if (!sourceCell.release) continue;
      const resolved = input.sourceConfigs.get(`${env}/${service.name}`);
      const sourceConfig = resolved ?? (sourceCell.release.config.kind === 'commit' ? undefined : '');
      const delta = releaseDelta({ service: service.name, env, source, current: cell.release, sourceRelease: sourceCell.release, sourceConfig });
      if (delta.status !== 'differs') continue;
      // An environment that follows the branch already reads the newest configuration.
      const changes = delta.changes.filter((c) => c.part !== 'config' || (cell.release?.config.kind === 'commit' && resolved !== undefined));
      if (changes.length === 0 || !cell.release) continue;
      cell.behind = { source, changes };
      const reasons = gateReasons(environment, sourceCell, input.now);
      if (reasons.length > 0) cell.blocked = reasons;
    }
  }

  const rows: FleetService[] = services
    .filter((s) => (input.teams.length === 0 || input.teams.includes(s.team)) && (input.services.length === 0 || input.services.includes(s.name)))
    .map((s) => {
      const cells = envNames.map((env) => cellOf(s.name, env)!);
      const description = (s.doc.data as { description?: unknown }).description;
      return { name: s.name, team: s.team, chart: s.chart, ...(typeof description === 'string' ? { description } : {}), cells, differences: differences(cells), history: input.history.events.filter((e) => e.service === s.name && (input.envs.length === 0 || input.envs.includes(e.env))) };
    });
  const shown = rows.flatMap((r) => r.cells.filter((c) => c.release));
  const shownServices = new Set(rows.map((r) => r.name));
  const teamOf = new Map(services.map((s) => [s.name, s.team]));
  const findings = input.findings.filter((f) => {
    const service = serviceOf(f, model);
    if (service !== undefined) return shownServices.has(service) && (input.envs.length === 0 || !f.env || input.envs.includes(f.env));
    return input.teams.length === 0 && input.services.length === 0;
  });
  const byTeam = new Map<string, Finding[]>();
  for (const f of findings) {
    const service = serviceOf(f, model);
    const team = (service !== undefined && teamOf.get(service)) || PLATFORM_TEAM;
    byTeam.set(team, [...(byTeam.get(team) ?? []), f]);
  }
  return {
    today: input.today,
    asOf: input.now.toISOString(),
    environments: envNames.map((name) => environmentView(model.environments.get(name)!, chain, input.now)),
    services: rows,
    configPins: services.some((s) => Object.values(s.releases).some((r) => r.config !== undefined)),
    summary: {
      services: rows.length,
      environments: envNames.length,
      applications: shown.length,
      behind: shown.filter((c) => c.behind).length,
      blocked: shown.filter((c) => c.blocked).length,
      failing: shown.filter((c) => c.errors > 0).length,
      waived: shown.filter((c) => c.waivers > 0).length,
      errors: findings.filter((f) => f.severity === 'error').length,
      warnings: findings.filter((f) => f.severity === 'warning').length,
    },
    charts: input.charts
      .map((c) => ({ ...c, versions: c.versions.map((v) => ({ ...v, pins: v.pins.filter((p) => shownServices.has(p.service) && envNames.includes(p.env)) })) }))
      .filter((c) => rows.some((r) => r.chart === c.chart)),
    waivers: input.waivers
      .filter((w) => (w.service === '*' ? input.teams.length === 0 && input.services.length === 0 : shownServices.has(w.service)) && (!w.environment || envNames.includes(w.environment)))
      .map((w) => waiverView(w, input.today, unused))
      .sort((a, b) => a.expires.localeCompare(b.expires) || a.service.localeCompare(b.service) || a.rule.localeCompare(b.rule)),
    teams: [...byTeam].sort(([a], [b]) => a.localeCompare(b)).map(([team, list]) => ({ team, findings: list })),
  };
}

/** The service a finding is about: its own field, else the services/<name>/ file it points at. */
function serviceOf(f: Finding, model: Pick<RepoModel, 'services'>): string | undefined {
  if (f.service) return f.service;
  const m = /^services\/([^/]+)\//.exec(f.location?.file ?? '');
  return m && model.services.has(m[1]!) ? m[1] : undefined;
}

/**
 * Error and warning counts per "<env>/<service>". A finding about a service with no
 * environment (its common values.yaml, its service.yaml) counts in every environment it runs in.
 */
function findingsByCell(findings: readonly Finding[], model: Pick<RepoModel, 'services'>): Map<string, { errors: number; warnings: number }> {
  const out = new Map<string, { errors: number; warnings: number }>();
  for (const f of findings) {
    const service = serviceOf(f, model);
    if (service === undefined) continue;
    const overlay = /\/values-([^/]+)\.yaml$/.exec(f.location?.file ?? '')?.[1];
    const env = f.env ?? overlay;
    const envs = env ? [env] : Object.keys(model.services.get(service)?.releases ?? {});
    for (const e of envs) {
      const key = `${e}/${service}`;
      const counts = out.get(key) ?? { errors: 0, warnings: 0 };
      if (f.severity === 'error') counts.errors++;
      else counts.warnings++;
      out.set(key, counts);
    }
  }
  return out;
}

/** When the current pin arrived: the newest commit that set it, if the pin is still what that commit wrote. */
function arrival(events: readonly PinEvent[], service: string, env: string, release: EnvRelease): string | undefined {
  const last = events.find((e) => e.service === service && e.env === env);
  if (!last?.release) return undefined;
  const same = last.release.chart === release.chart && last.release.image === release.image && (last.release.config ?? undefined) === (release.config.kind === 'commit' ? release.config.commit : undefined);
  return same ? last.date : undefined;
}

/** Why a promotion into `environment` would be refused now: a freeze, soak time left, a failing source. */
function gateReasons(environment: Environment, source: FleetCell, now: Date): string[] {
  const reasons: string[] = [];
  const freeze = activeFreeze(environment.promotion?.freeze ?? [], now)?.window;
  if (freeze) reasons.push(`${environment.name} is frozen until ${freeze.until}${freeze.reason ? ` (${freeze.reason})` : ''}`);
  const soak = environment.promotion?.soak;
  // A soak the schema refuses is lint's finding, not a gate.
  if (soak !== undefined && parseSoak(soak) !== undefined) {
    if (!source.since) reasons.push(`soak ${soak}: the release in ${source.env} is not committed yet`);
    else {
      const left = soakRemaining({ soak, arrived: new Date(source.since), now });
      if (left > 0) reasons.push(`soak ${soak}: ${formatDuration(left)} left in ${source.env}`);
    }
  }
  if (source.errors > 0) reasons.push(`${source.env} fails checks (${source.errors} error${source.errors === 1 ? '' : 's'})`);
  return reasons;
}

function brokenLink(chain: PromotionChain, env: Environment): string | undefined {
  if (env.promotionFrom === undefined || chain.order.includes(env.name)) return undefined;
  const own = chain.findings.find((f) => f.env === env.name);
  return own ? `promotion chain broken: ${own.message}` : `promotion chain broken on the way to ${env.name} (promotion.from: ${env.promotionFrom})`;
}

function environmentView(env: Environment, chain: PromotionChain, now: Date): FleetEnvironment {
  const freeze = activeFreeze(env.promotion?.freeze ?? [], now)?.window;
  const broken = brokenLink(chain, env);
  const source = chain.sources.get(env.name);
  return {
    name: env.name,
    ...(source ? { source } : {}),
    policyProfile: env.policyProfile,
    kubernetesVersion: env.kubernetesVersion,
    ...(env.promotion?.soak ? { soak: env.promotion.soak } : {}),
    ...(freeze ? { frozen: `until ${freeze.until}${freeze.reason ? `: ${freeze.reason}` : ''}` } : {}),
    ...(broken ? { broken } : {}),
  };
}

function differences(cells: readonly FleetCell[]): FleetService['differences'] {
  const running = cells.filter((c) => c.release);
  return RELEASE_PARTS.map((part) => ({
    part,
    values: running.map((c) => ({ env: c.env, value: part === 'config' ? (c.release!.config.kind === 'commit' ? c.release!.config.commit : 'default branch') : c.release![part] })),
  })).filter((d) => new Set(d.values.map((v) => v.value)).size > 1);
}

function waiverView(w: Waiver, today: string, unused: ReadonlySet<string>): FleetWaiver {
  const days = Math.round((Date.parse(`${w.expires}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
  const status = expired(w, today) ? 'expired' : unused.has(`${w.location.file}:${w.location.line}`) ? 'unused' : 'active';
  return {
    rule: w.rule,
    service: w.service,
    ...(w.environment ? { environment: w.environment } : {}),
    ...(w.resource ? { resource: w.resource } : {}),
    reason: w.reason,
    owner: w.owner,
    expires: w.expires,
    file: w.file,
    ...(w.location.line ? { line: w.location.line } : {}),
    status,
    daysLeft: days,
  };
}
