import type { Application } from '../core/appset/application.js';
import type { AppSetResult } from '../core/appset/expand.js';
import type { Finding } from '../core/findings.js';
import type { RenderPlan } from '../core/render/plan.js';
import type { Workspace } from '../workspace.js';
import { FleetRun, type FleetRunOptions, type FleetScope } from './fleet-run.js';
import type { RenderedApp } from './render-app.js';

export type RenderFleetOptions = FleetScope & FleetRunOptions;
export type { FleetPlan } from './fleet-run.js';

export interface FleetRender {
  /** Every Application the ApplicationSets generate. */
  applications: Application[];
  appSets: AppSetResult[];
  apps: RenderedApp[];
  /** Load, expansion and plan findings; render findings live on each app. */
  findings: Finding[];
}

/** The render plans of the selected environments and services, in a stable order; no helm yet. */
export async function planFleet(ws: Workspace, scope: FleetScope = {}, run = new FleetRun(ws)): Promise<{ applications: Application[]; appSets: AppSetResult[]; plans: RenderPlan[]; findings: Finding[] }> {
  const plans = await run.select(scope);
  const { applications, appSets, findings } = await run.plan();
  return { applications, appSets, plans, findings };
}

/** Every Application of the selected environments and services, rendered in parallel, in a stable order. */
export async function renderFleet(ws: Workspace, options: RenderFleetOptions = {}, run = new FleetRun(ws, options)): Promise<FleetRender> {
  const { applications, appSets, plans, findings } = await planFleet(ws, options, run);
  return { applications, appSets, apps: await run.render(plans), findings };
}

/** Renders the given plans of one workspace in parallel; results in plan order. */
export function renderPlans(ws: Workspace, plans: readonly RenderPlan[], options: FleetRunOptions = {}): Promise<RenderedApp[]> {
  return new FleetRun(ws, options).render(plans);
}
