import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import type { Application } from '../core/appset/application.js';
import { expandAppSets } from '../core/appset/expand.js';
import { UsageError } from '../core/errors.js';
import { uniqueFindings, type Finding } from '../core/findings.js';
import { planApplication, type RenderPlan } from '../core/render/plan.js';
import { HelmRunner } from '../runners/helm.js';
import type { Workspace } from '../workspace.js';
import { ChartStore } from './chart-store.js';
import { renderApp, type RenderedApp } from './render-app.js';

export interface RenderFleetOptions {
  /** Only these environments (all when empty). */
  envs?: string[];
  /** Only these services (all when empty). */
  services?: string[];
  concurrency?: number;
  /** Environment for locating helm (GITOPS_HELM_BIN, PATH). */
  env?: NodeJS.ProcessEnv;
  onProgress?: (done: number, total: number) => void;
}

export interface FleetRender {
  /** Every Application the ApplicationSets generate. */
  applications: Application[];
  apps: RenderedApp[];
  /** Load, expansion and plan findings; render findings live on each app. */
  findings: Finding[];
}

export interface FleetPlan {
  /** Every Application the ApplicationSets generate (all environments and services). */
  applications: Application[];
  plans: RenderPlan[];
  /** Load, expansion and plan findings. */
  findings: Finding[];
}

/** The render plans of the selected environments and services, in a stable order; no Git or helm yet. */
export async function planFleet(ws: Workspace, options: Pick<RenderFleetOptions, 'envs' | 'services'> = {}): Promise<FleetPlan> {
  const { model } = ws;
  checkFilters(ws, options);
  const findings: Finding[] = [...model.findings];
  const expanded = await expandAppSets(model);
  findings.push(...expanded.findings);

  const plans: RenderPlan[] = [];
  for (const app of expanded.applications) {
    const { plan, findings: planFindings } = planApplication(app, model);
    findings.push(...planFindings);
    if (!plan) continue;
    if (options.envs?.length && !options.envs.includes(plan.env.name)) continue;
    if (options.services?.length && !options.services.includes(plan.service)) continue;
    plans.push(plan);
  }
  plans.sort((a, b) => a.env.name.localeCompare(b.env.name) || a.service.localeCompare(b.service) || a.app.name.localeCompare(b.app.name));
  return { applications: expanded.applications, plans, findings: uniqueFindings(findings) };
}

/** Every Application of the selected environments and services, rendered in parallel, in a stable order. */
export async function renderFleet(ws: Workspace, options: RenderFleetOptions = {}): Promise<FleetRender> {
  const { applications, plans, findings } = await planFleet(ws, options);
  return { applications, apps: await renderPlans(ws, plans, options), findings };
}

/** Renders the given plans of one workspace in parallel; results in plan order. */
export async function renderPlans(ws: Workspace, plans: readonly RenderPlan[], options: Pick<RenderFleetOptions, 'concurrency' | 'env' | 'onProgress'> = {}): Promise<RenderedApp[]> {
  if (plans.length === 0) return [];
  const helm = await HelmRunner.locate({ helmHome: join(ws.cacheDir, 'helm-home'), env: options.env });
  const charts = new ChartStore(ws.git, helm, ws.snapshot, ws.cacheDir);
  const limit = pLimit(options.concurrency ?? availableParallelism());
  let done = 0;
  return Promise.all(
    plans.map((plan) =>
      limit(async () => {
        const rendered = await renderApp(plan, { git: ws.git, helm, snapshot: ws.snapshot, charts, cacheDir: ws.cacheDir });
        options.onProgress?.(++done, plans.length);
        return rendered;
      }),
    ),
  );
}

function checkFilters(ws: Workspace, options: RenderFleetOptions): void {
  const envs = [...ws.model.environments.keys()].sort();
  for (const env of options.envs ?? []) {
    if (!ws.model.environments.has(env)) {
      throw new UsageError('ENV_UNKNOWN', `--env ${env}: no such environment`, { hint: `Known environments: ${envs.join(', ')} (environments/<name>/environment.yaml).` });
    }
  }
  const services = [...ws.model.services.keys()].sort();
  for (const service of options.services ?? []) {
    if (!ws.model.services.has(service)) {
      throw new UsageError('SERVICE_UNKNOWN', `--service ${service}: no such service`, { hint: `Known services: ${services.join(', ')} (services/<name>/service.yaml).` });
    }
  }
}
