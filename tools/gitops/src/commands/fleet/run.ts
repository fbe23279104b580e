import { chartUsage } from '../../charts/usage.js';
import type { CommandHandler } from '../../cli/types.js';
import { ToolError, UsageError } from '../../core/errors.js';
import { promotionChain, type PromotionChain } from '../../core/release/chain.js';
import type { RenderPlan } from '../../core/render/plan.js';
import type { RepoModel } from '../../core/repo/model.js';
import { runFleetChecks } from '../../fleet/fleet-checks.js';
import { readPinHistory, resolveSourceConfigs, type ConfigPair } from '../../fleet/fleet-history.js';
import { fleetHtml } from '../../fleet/fleet-html.js';
import { fleetJson } from '../../fleet/fleet-json.js';
import { summaryLine } from '../../fleet/fleet-marks.js';
import { fleetMarkdown } from '../../fleet/fleet-markdown.js';
import { fleetText } from '../../fleet/fleet-text.js';
import { buildFleetView, type FleetView } from '../../fleet/fleet-view.js';
import { policyToday } from '../../policy/policy-stage.js';
import { openWorkspace } from '../../workspace.js';
import { writeAtomic } from '../../write-atomic.js';
import type { FleetOptions } from './command.js';

const FORMATS = ['text', 'json', 'markdown', 'html'] as const;
type FleetFormat = (typeof FORMATS)[number];

/** The fleet read once, checked as `gitops check` checks it, and shown in each format asked for. */
export const runFleet: CommandHandler<FleetOptions> = async (ctx, options) => {
  const formats = parseFleetFormats(options.format);
  const today = policyToday(ctx.env);
  const ws = await openWorkspace({ repo: ctx.repo, env: ctx.env });
  checkFilters(ws.model, options);
  const checks = await runFleetChecks(ws, { today, schemaDir: options.schemaDir, concurrency: options.concurrency, env: ctx.env, cwd: process.cwd(), onProgress: ctx.progress });
  ctx.progress('reading the history');
  const [history, usage] = await Promise.all([readPinHistory(ws, ws.model.services), chartUsage(ws, checks.run.charts, [])]);
  const chain = promotionChain(ws.model.environments);
  const sourceConfigs = await resolveSourceConfigs(ws, history, configPairs(ws.model, chain, (await checks.run.plan()).plans));
  const view = buildFleetView({
    model: ws.model,
    chain,
    // The chain's own gaps and cycles are findings of the platform team.
    findings: [...checks.findings, ...chain.findings],
    waivers: checks.waivers,
    history,
    sourceConfigs,
    charts: usage.charts,
    today,
    // GITOPS_TODAY judges freezes and soak times at that day's midnight, as it does waiver expiry.
    now: ctx.env.GITOPS_TODAY ? new Date(`${today}T00:00:00Z`) : new Date(),
    envs: options.env,
    teams: options.team,
    services: options.service,
  });

  let stdout = '';
  for (const { name, file } of formats) {
    const text = render(name, view, { color: !file && useColor(ctx.env) });
    if (!file) stdout += text;
    else {
      try {
        await writeAtomic(file, text);
      } catch (err) {
        throw new ToolError('OUTPUT_WRITE_FAILED', `could not write ${file}: ${(err as Error).message}`, { hint: 'Check that the directory is writable.' });
      }
    }
  }
  const textOnStdout = formats.some((f) => f.name === 'text' && !f.file);
  // The summary line closes the text report; with other reports it goes to stderr.
  return { findings: [], stdout, ...(textOnStdout ? {} : { summary: summaryLine(view) }) };
};

/** Every environment that pins a config commit and has a source running the service: what its config is compared with. */
function configPairs(model: RepoModel, chain: PromotionChain, plans: readonly RenderPlan[]): ConfigPair[] {
  const pairs: ConfigPair[] = [];
  for (const service of model.services.values()) {
    for (const [env, pin] of Object.entries(service.releases)) {
      const sourceEnv = chain.sources.get(env);
      const source = sourceEnv === undefined ? undefined : service.releases[sourceEnv];
      if (pin.config === undefined || !source) continue;
      const plan = plans.find((p) => p.env.name === env && p.service === service.name);
      // The files the Application reads, as promote reads them; the conventional three without a plan.
      const paths = plan && plan.valueFiles.length > 0 ? [...new Set(plan.valueFiles.map((v) => v.path))].sort() : [`environments/${env}/values.yaml`, `${service.dir}/values.yaml`, `${service.dir}/values-${env}.yaml`];
      pairs.push({ key: `${env}/${service.name}`, pinned: pin.config, ...(source.config ? { source: source.config } : {}), paths });
    }
  }
  return pairs;
}

function render(name: FleetFormat, view: FleetView, options: { color: boolean }): string {
  if (name === 'json') return fleetJson(view);
  if (name === 'markdown') return fleetMarkdown(view);
  if (name === 'html') return fleetHtml(view);
  return fleetText(view, options);
}

/** `--format name[=file]`; text on stdout when nothing else is asked for there. */
export function parseFleetFormats(values: readonly string[]): { name: FleetFormat; file?: string }[] {
  const requests = values.map((value) => {
    const [name, file] = value.split(/=(.*)/s, 2) as [string, string | undefined];
    if (!(FORMATS as readonly string[]).includes(name)) throw new UsageError('USAGE', `--format ${value}: unknown format "${name}"`, { hint: `Use ${FORMATS.join(', ')}, optionally with =FILE.` });
    if (file === '') throw new UsageError('USAGE', `--format ${value}: missing file name after "="`, { hint: `Write --format ${name}=FILE, or --format ${name} for stdout.` });
    return { name: name as FleetFormat, ...(file ? { file } : {}) };
  });
  const toStdout = requests.filter((r) => !r.file);
  if (toStdout.length > 1) throw new UsageError('USAGE', `--format: only one report can go to stdout (${toStdout.map((r) => r.name).join(', ')})`, { hint: 'Send the others to files: --format html=fleet.html.' });
  return requests.length > 0 ? requests : [{ name: 'text' }];
}

/** Colour on a terminal only; NO_COLOR turns it off, FORCE_COLOR (not 0) on. */
function useColor(env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '') return env.FORCE_COLOR !== '0';
  return Boolean(process.stdout.isTTY);
}

function checkFilters(model: { environments: Map<string, unknown>; services: Map<string, { team: string }> }, options: FleetOptions): void {
  const envs = [...model.environments.keys()].sort();
  for (const env of options.env) {
    if (!model.environments.has(env)) throw new UsageError('ENV_UNKNOWN', `--env ${env}: no such environment`, { hint: `Known environments: ${envs.join(', ')} (environments/<name>/environment.yaml).` });
  }
  const services = [...model.services.keys()].sort();
  for (const service of options.service) {
    if (!model.services.has(service)) throw new UsageError('SERVICE_UNKNOWN', `--service ${service}: no such service`, { hint: `Known services: ${services.join(', ')} (services/<name>/service.yaml).` });
  }
  const teams = [...new Set([...model.services.values()].map((s) => s.team))].sort();
  for (const team of options.team) {
    if (!teams.includes(team)) throw new UsageError('USAGE', `--team ${team}: no service belongs to this team`, { hint: `Teams: ${teams.join(', ')} (team: in services/<name>/service.yaml).` });
  }
}
