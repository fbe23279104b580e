import { parseDocument } from 'yaml';
import type { Finding } from '../core/findings.js';
import { activeFreeze, formatDuration, soakRemaining } from '../core/release/gates.js';
import { releaseDelta, type ReleaseDelta } from '../core/release/release-delta.js';
import { releaseIn, type EnvRelease } from '../core/release/release.js';
import type { Environment, Service } from '../core/repo/model.js';
import type { RenderPlan } from '../core/render/plan.js';
import { locate } from '../core/yaml/parse-yaml.js';
import type { Git } from '../runners/git.js';

/** One service's promotion into an environment: what changes, and what stops it. */
export interface PromotionCandidate {
  service: string;
  env: string;
  source: string;
  delta: ReleaseDelta;
  /** Commits that changed the target's values files between its config pin and the promoted one. */
  configBehind?: number;
  /** When the source's release landed on the branch (the later of its pin and its config commit). */
  arrived?: Date;
  /** Gate refusals (error findings); none: ready. */
  blocked: Finding[];
}

export interface CandidateContext {
  git: Git;
  /** The commit promotions read history at (the checkout's HEAD). */
  head: string;
  target: Environment;
  source: Environment;
  now: Date;
  /** The render plans of the current fleet, to know which values files an Application reads. */
  plans: readonly RenderPlan[];
}

/** Compares the service's release in the target with its source's, resolving commits and times from Git, and applies the soak and freeze gates. */
export async function promotionCandidate(service: Service, ctx: CandidateContext): Promise<PromotionCandidate> {
  const { target, source, git } = ctx;
  const current = releaseIn(service, target.name);
  const sourceRelease = releaseIn(service, source.name);
  const paths = valuesPaths(service, target, ctx.plans);
  let sourceConfig: string | undefined;
  let configTime: Date | undefined;
  if (sourceRelease && sourceRelease.config.kind === 'branch') {
    // A source that follows the branch runs the last commit that changed what the target reads.
    sourceConfig = (await git.lastCommitTouching(ctx.head, paths)) ?? ctx.head;
    configTime = await git.commitTime(sourceConfig);
  }
  const pinned = current?.config.kind === 'commit' ? current.config.commit : undefined;
  const promotedConfig = sourceConfig ?? (sourceRelease?.config.kind === 'commit' ? sourceRelease.config.commit : undefined);
  // The same files at both commits are the same configuration: the pin stays where it is.
  if (pinned && promotedConfig && pinned !== promotedConfig && (await git.sameFiles(pinned, promotedConfig, paths).catch(() => false))) sourceConfig = pinned;
  const delta = releaseDelta({ service: service.name, env: target.name, source: source.name, current, sourceRelease, sourceConfig });
  const candidate: PromotionCandidate = { service: service.name, env: target.name, source: source.name, delta, blocked: [] };
  if (delta.status === 'absent-in-source') {
    candidate.blocked.push({
      code: 'PROMOTION_NOT_IN_SOURCE',
      severity: 'error',
      message: `${service.name} does not run in ${source.name}: there is no release to promote into ${target.name}`,
      hint: `Release it in ${source.name} first (releases.${source.name} in service.yaml).`,
      location: locate(service.doc, ['releases'], 'key'),
      service: service.name,
      env: target.name,
    });
    return candidate;
  }
  if (pinned && delta.promoted.config !== pinned && (await git.isAncestor(pinned, delta.promoted.config))) {
    candidate.configBehind = await git.countCommits(pinned, delta.promoted.config, paths);
  }
  if (delta.status === 'equal') return candidate;

  const arrivedPin = await pinArrival(git, ctx.head, service, source.name, sourceRelease!);
  candidate.arrived = arrivedPin && configTime && configTime > arrivedPin ? configTime : arrivedPin;
  const soak = target.promotion?.soak;
  if (soak) {
    const left = candidate.arrived ? soakRemaining({ soak, arrived: candidate.arrived, now: ctx.now }) : Infinity;
    if (left > 0) {
      candidate.blocked.push({
        code: 'PROMOTION_SOAKING',
        severity: 'error',
        message: candidate.arrived
          ? `${service.name}: the release has run in ${source.name} for ${formatDuration(ctx.now.getTime() - candidate.arrived.getTime())} of the ${soak} ${target.name} asks for (${formatDuration(left)} to go, since ${candidate.arrived.toISOString()})`
          : `${service.name}: the release of ${source.name} is not committed on ${ctx.head.slice(0, 12)}, so it has not started its ${soak} soak`,
        hint: candidate.arrived ? `Promote after ${new Date(ctx.now.getTime() + left).toISOString()}.` : `Commit and merge the ${source.name} pin first.`,
        location: locate(service.doc, ['releases', source.name], 'key'),
        service: service.name,
        env: target.name,
      });
    }
  }
  const freeze = activeFreeze(target.promotion?.freeze ?? [], ctx.now);
  if (freeze) {
    candidate.blocked.push({
      code: 'PROMOTION_FROZEN',
      severity: 'error',
      message: `${target.name} is frozen from ${freeze.window.from} until ${freeze.window.until}${freeze.window.reason ? `: ${freeze.window.reason}` : ''}`,
      hint: `Promote after ${freeze.window.until}, or end the window in ${target.doc.file} with the release manager's approval.`,
      location: locate(target.doc, ['promotion', 'freeze', freeze.index]),
      service: service.name,
      env: target.name,
    });
  }
  return candidate;
}

/**
 * The values files the target's Application reads (its plan's, at any tree), or, for a
 * service new to the environment, the files its ApplicationSet would name.
 */
function valuesPaths(service: Service, target: Environment, plans: readonly RenderPlan[]): string[] {
  const plan = plans.find((p) => p.env.name === target.name && p.service === service.name);
  if (plan && plan.valueFiles.length > 0) return [...new Set(plan.valueFiles.map((v) => v.path))].sort();
  return [`environments/${target.name}/values.yaml`, `${service.dir}/values.yaml`, `${service.dir}/values-${target.name}.yaml`];
}

/**
 * When the source's current pin landed: the oldest commit of the newest unbroken run of
 * commits whose service.yaml pins the same release in the source. Undefined when the pin
 * is not committed (a working tree edit has not landed anywhere).
 */
async function pinArrival(git: Git, head: string, service: Service, source: string, release: EnvRelease): Promise<Date | undefined> {
  const file = `${service.dir}/service.yaml`;
  const history = await git.historyOf(head, file);
  const texts = await git.readBlobs(history.map((h) => `${h.commit}:${file}`));
  let arrived: Date | undefined;
  for (const h of history) {
    const text = texts.get(`${h.commit}:${file}`);
    if (text === undefined || !samePin(text, source, release)) break;
    arrived = h.time;
  }
  return arrived;
}

function samePin(text: string, env: string, release: EnvRelease): boolean {
  let data: unknown;
  try {
    data = parseDocument(text).toJS();
  } catch {
    return false;
  }
  const pin = (data as { releases?: Record<string, { chart?: unknown; image?: unknown; config?: unknown }> } | null)?.releases?.[env];
  if (!pin) return false;
  const config = release.config.kind === 'commit' ? release.config.commit : undefined;
  return String(pin.chart) === release.chart && String(pin.image) === release.image && (pin.config === undefined ? undefined : String(pin.config)) === config;
}
