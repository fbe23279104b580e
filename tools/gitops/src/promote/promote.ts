import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, UsageError } from '../core/errors.js';
import type { Finding } from '../core/findings.js';
import { chainSource, promotionChain } from '../core/release/chain.js';
import { editReleasePin, PinEditError } from '../core/release/pin-edit.js';
import { locate } from '../core/yaml/parse-yaml.js';
import { diffFleet, type FleetDiff } from '../diff/diff-fleet.js';
import type { IgnorePath } from '../diff/ignore.js';
import { FleetRun } from '../render/fleet-run.js';
import type { EngineName } from '../validate/engine.js';
import type { Workspace } from '../workspace.js';
import { writeAtomicAll } from '../write-atomic.js';
import { promotionCandidate, type PromotionCandidate } from './candidates.js';
import { checkPromoted } from './checks.js';
import { editedWorkspace } from './overlay.js';

export interface PromoteRequest {
  services: string[];
  /** Every service that runs in the source. */
  all: boolean;
  to: string;
  from?: string;
  /** Report the edit and the diff, write nothing. */
  dryRun: boolean;
  /** Report what differs and what is ready, edit nothing, render no diff. */
  planOnly: boolean;
  now: Date;
  today: string;
  engine: EngineName;
  schemaDir?: string;
  ignore: IgnorePath[];
  concurrency?: number;
  env: NodeJS.ProcessEnv;
  onProgress?: (message: string) => void;
}

/** One file a promotion rewrites. */
export interface PinEdit {
  file: string;
  service: string;
  before: string;
  after: string;
}

export interface PromotionOutcome {
  target: string;
  source?: string;
  candidates: PromotionCandidate[];
  edits: PinEdit[];
  /** The rendered per-resource diff of the target (not for --plan, nor when a gate refused). */
  diff?: FleetDiff;
  /** Whether the files were written. */
  written: boolean;
  /** Refusals of gates that hold for the whole promotion (chain, --from). */
  refusals: Finding[];
}

/**
 * Copies each service's release from the target's promotion source into the target's pin:
 * the gates are checked for every service first (chain, --from, something to promote, soak,
 * freeze, then lint, validate and policy of the promoted Applications), and the files are
 * written only when every service passes, all at once.
 */
export async function promote(ws: Workspace, request: PromoteRequest): Promise<PromotionOutcome> {
  const { model } = ws;
  const target = model.environments.get(request.to);
  if (!target) throw new UsageError('ENV_UNKNOWN', `--to ${request.to}: no such environment`, { hint: `Known environments: ${[...model.environments.keys()].sort().join(', ')} (environments/<name>/environment.yaml).` });
  if (request.from !== undefined && !model.environments.has(request.from)) {
    throw new UsageError('ENV_UNKNOWN', `--from ${request.from}: no such environment`, { hint: `Known environments: ${[...model.environments.keys()].sort().join(', ')}.` });
  }
  for (const s of request.services) {
    if (!model.services.has(s)) throw new UsageError('SERVICE_UNKNOWN', `${s}: no such service`, { hint: `Known services: ${[...model.services.keys()].sort().join(', ')} (services/<name>/service.yaml).` });
  }
  if (request.services.length === 0 && !request.all) throw new UsageError('USAGE', 'promote: name the services to promote, or pass --all', { hint: 'gitops promote orders payments --to prod' });
  const outcome: PromotionOutcome = { target: target.name, candidates: [], edits: [], written: false, refusals: [] };

  const source = chainSource(promotionChain(model.environments), target);
  if (typeof source !== 'string') {
    outcome.refusals.push(source);
    return outcome;
  }
  outcome.source = source;
  if (request.from !== undefined && request.from !== source) {
    outcome.refusals.push({
      code: 'PROMOTION_FROM_MISMATCH',
      severity: 'error',
      message: `--from ${request.from}: ${target.name} is promoted from ${source}, never from ${request.from}`,
      hint: `Promote ${request.from} -> ${source} first, then ${source} -> ${target.name} (promotion.from in ${target.doc.file}).`,
      location: locate(target.doc, ['promotion', 'from']),
      env: target.name,
    });
    return outcome;
  }
  const sourceEnv = model.environments.get(source)!;
  const names = request.services.length > 0 ? [...new Set(request.services)] : [...model.services.values()].filter((s) => s.releases[source] !== undefined).map((s) => s.name).sort();
  const head = await ws.git.resolveCommit('HEAD');
  if (!head) throw new ConfigError('GIT_REF_UNKNOWN', 'the repository has no commit yet: promotion reads releases from Git history', { hint: 'Commit the fleet first.' });
  const fleet = await new FleetRun(ws).plan();
  for (const name of names) {
    outcome.candidates.push(await promotionCandidate(model.services.get(name)!, { git: ws.git, head, target, source: sourceEnv, now: request.now, plans: fleet.plans }));
  }

  const moving = outcome.candidates.filter((c) => c.delta.status === 'differs');
  if (moving.length === 0) return outcome;
  const texts = await ws.snapshot.readFiles(moving.map((c) => `${model.services.get(c.service)!.dir}/service.yaml`));
  for (const c of moving) {
    if (c.delta.status !== 'differs') continue;
    const file = `${model.services.get(c.service)!.dir}/service.yaml`;
    const before = texts.get(file)!;
    try {
      outcome.edits.push({ file, service: c.service, before, after: editReleasePin(before, target.name, c.delta.promoted) });
    } catch (err) {
      if (!(err instanceof PinEditError)) throw err;
      throw new ConfigError('PROMOTE_EDIT_FAILED', `${file}: ${err.message}`, { hint: `Write releases.${target.name} as a mapping of chart, image and config; the file is left as it was.`, cause: err });
    }
  }
  const edited = await editedWorkspace(ws, new Map(outcome.edits.map((e) => [e.file, e.after])), `promoted to ${target.name}`);
  request.onProgress?.(`checking the promoted Applications in ${target.name}`);
  const checks = await checkPromoted(edited, target.name, moving.map((c) => c.service), {
    env: request.env,
    engine: request.engine,
    schemaDir: request.schemaDir,
    today: request.today,
    concurrency: request.concurrency,
    onProgress: (done, total) => request.onProgress?.(`rendering ${done}/${total}`),
  });
  for (const c of moving) c.blocked.push(...(checks.get(c.service) ?? []));

  if (request.planOnly) return outcome;
  if (outcome.candidates.some((c) => c.blocked.length > 0)) return outcome;
  outcome.diff = await diffFleet(ws, edited, new Set(outcome.edits.map((e) => e.file)), { envs: [target.name], services: moving.map((c) => c.service), ignore: request.ignore, concurrency: request.concurrency, env: request.env });
  if (request.dryRun) return outcome;
  await writeEdits(ws.root, outcome.edits);
  outcome.written = true;
  return outcome;
}

/** Writes every edit or none: a file that changed on disk since it was read stops the run before anything is written. */
async function writeEdits(root: string, edits: readonly PinEdit[]): Promise<void> {
  for (const e of edits) {
    const now = await readFile(join(root, e.file), 'utf8').catch(() => undefined);
    if (now !== e.before) {
      throw new ConfigError('PROMOTE_FILE_CHANGED', `${e.file} changed on disk while the promotion was checked`, { hint: 'Nothing was written. Run gitops promote again on the file as it is now.' });
    }
  }
  await writeAtomicAll(new Map(edits.map((e) => [join(root, e.file), e.after])));
}
