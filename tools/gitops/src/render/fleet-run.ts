import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import pLimit, { type LimitFunction } from 'p-limit';
import { parse as parseYaml } from 'yaml';
import type { Application } from '../core/appset/application.js';
import { expandAppSets, type AppSetResult } from '../core/appset/expand.js';
import { UsageError } from '../core/errors.js';
import { uniqueFindings, type Finding } from '../core/findings.js';
import { planApplication, type RenderPlan } from '../core/render/plan.js';
import { mergeSourceOverrides, sourceOverrideFiles } from '../core/render/source-overrides.js';
import { AppValuesCache } from '../lint/lint-values.js';
import { HelmRunner } from '../runners/helm.js';
import type { Workspace } from '../workspace.js';
import { appSetCache } from './appset-cache.js';
import { ChartStore } from './chart-store.js';
import { fleetManifests, type AppManifests } from './fleet-manifests.js';
import { ManifestCache } from './manifest-cache.js';
import { renderApp, renderWithValues, type RenderedApp } from './render-app.js';
import { ValuesCopies } from './values-copies.js';

/** Which environments and services a command reports on (all when empty). */
export interface FleetScope {
  envs?: string[];
  services?: string[];
}

export interface FleetRunOptions {
  concurrency?: number;
  /** Environment for locating helm (GITOPS_HELM_BIN, PATH). */
  env?: NodeJS.ProcessEnv;
  onProgress?: (done: number, total: number) => void;
  /** `check`: Applications whose values break only the chart's schema are still rendered for validate and policy (RenderedApp.pastValuesSchema). */
  renderPastValuesSchema?: boolean;
  /** Rewrites plans before anything renders: `chart impact` moves a chart's pins to another version. */
  transformPlan?: (plan: RenderPlan) => RenderPlan;
  /**
   * Parse each Application's manifests as soon as it renders, while helm renders the next
   * (default true). Off for commands that only print or compare the rendered text.
   */
  parseManifests?: boolean;
}

/** The whole fleet planned: every Application the ApplicationSets generate, and the plans of those that can render. */
export interface FleetPlan {
  applications: Application[];
  /** Each ApplicationSet's outcome: the Applications it generates, or why the controller generates none. */
  appSets: AppSetResult[];
  /** In a stable order: environment, service, Application. */
  plans: RenderPlan[];
  /** Load, expansion and plan findings. */
  findings: Finding[];
}

/**
 * One run of a command over one snapshot: each stage is computed once and handed on, however
 * many stages ask for it. The ApplicationSets are expanded and planned once for the whole
 * fleet, each Application is rendered and its manifests parsed at most once, and each
 * Application's values are read once (lint checks them, findings trace back through them).
 */
export class FleetRun {
  /** Each Application's merged values with their layers. */
  readonly values: AppValuesCache;
  readonly charts: ChartStore;
  private planned?: Promise<FleetPlan>;
  private helm?: Promise<HelmRunner>;
  private readonly renders = new Map<string, Promise<RenderedApp>>();
  private readonly parsed = new WeakMap<RenderedApp, AppManifests>();
  private readonly parseCache: ManifestCache;
  private readonly valuesCopies: ValuesCopies;
  /** helm invocations at once (--concurrency). */
  private readonly helmSlots: LimitFunction;
  /** Applications in preparation or rendering at once: enough that one is always ready when a helm slot frees. */
  private readonly inFlight: LimitFunction;
  private rendered = 0;

  constructor(
    readonly ws: Workspace,
    private readonly options: FleetRunOptions = {},
  ) {
    const concurrency = options.concurrency ?? availableParallelism();
    this.helmSlots = pLimit(concurrency);
    this.inFlight = pLimit(concurrency * 4);
    // helm is located only when something is packaged or rendered: lint needs Git alone.
    this.charts = new ChartStore(ws.git, () => this.helmRunner(), ws.snapshot, ws.cacheDir);
    this.values = new AppValuesCache(ws, this.charts);
    this.parseCache = new ManifestCache(ws.cacheDir);
    this.valuesCopies = new ValuesCopies(ws.cacheDir);
  }

  /** Every Application of the fleet, planned once per run. */
  plan(): Promise<FleetPlan> {
    this.planned ??= planAll(this.ws, this.charts, this.options.transformPlan);
    return this.planned;
  }

  /** The plans in scope; an unknown --env or --service is a usage error, before anything renders. */
  async select(scope: FleetScope = {}): Promise<RenderPlan[]> {
    checkScope(this.ws, scope);
    return (await this.plan()).plans.filter((p) => inScope(p, scope));
  }

  /** Renders the given plans (each Application once per run) in parallel; results in plan order. */
  render(plans: readonly RenderPlan[]): Promise<RenderedApp[]> {
    if (plans.length === 0) return Promise.resolve([]);
    const total = plans.filter((p) => !this.renders.has(p.app.name)).length + this.rendered;
    return Promise.all(
      plans.map((plan) => {
        let hit = this.renders.get(plan.app.name);
        if (!hit) {
          hit = this.inFlight(async () => {
            const app = await renderApp(plan, { ...(await this.renderDeps()), renderPastValuesSchema: this.options.renderPastValuesSchema });
            if (this.options.parseManifests !== false) this.manifests([app]);
            this.options.onProgress?.(++this.rendered, total);
            return app;
          });
          this.renders.set(plan.app.name, hit);
        }
        return hit;
      }),
    );
  }

  /** The parsed manifests of the rendered ones among `apps`, each parsed once per run. */
  manifests(apps: readonly RenderedApp[]): AppManifests[] {
    const missing = apps.filter((a) => a.manifests !== undefined && !this.parsed.has(a));
    for (const parsed of fleetManifests(missing, this.parseCache)) this.parsed.set(parsed.app, parsed);
    return apps.filter((a) => a.manifests !== undefined).map((a) => this.parsed.get(a)!);
  }

  /** A rendered Application rendered again with `values` in place of its own (see renderWithValues), within the run's concurrency. */
  renderWithValues(app: RenderedApp, values: string): Promise<string | undefined> {
    return this.inFlight(async () => renderWithValues(app, values, await this.renderDeps()));
  }

  private async renderDeps() {
    return { git: this.ws.git, helm: await this.helmRunner(), snapshot: this.ws.snapshot, charts: this.charts, cacheDir: this.ws.cacheDir, values: this.valuesCopies, helmSlot: this.helmSlots };
  }

  private helmRunner(): Promise<HelmRunner> {
    this.helm ??= HelmRunner.locate({ cacheDir: this.ws.cacheDir, env: this.options.env });
    return this.helm;
  }
}

async function planAll(ws: Workspace, charts: ChartStore, transform: (plan: RenderPlan) => RenderPlan = (p) => p): Promise<FleetPlan> {
  const { model } = ws;
  const findings: Finding[] = [...model.findings];
  const expanded = await expandAppSets(model, appSetCache(ws.cacheDir));
  findings.push(...expanded.findings);
  const plans: RenderPlan[] = [];
  for (const app of expanded.applications) {
    const first = planApplication(app, model);
    // .argocd-source*.yaml beside the chart change its helm settings: plan again with them merged.
    const overridden = first.plan ? await withSourceOverrides(first.plan, ws, charts) : undefined;
    const { plan, findings: planFindings } = overridden === undefined ? first : 'error' in overridden ? { plan: undefined, findings: [overridden.error] } : planApplication(overridden, model);
    findings.push(...planFindings);
    if (plan) plans.push(transform(plan));
  }
  plans.sort((a, b) => a.env.name.localeCompare(b.env.name) || a.service.localeCompare(b.service) || a.app.name.localeCompare(b.app.name));
  return { applications: expanded.applications, appSets: expanded.appSets, plans, findings: uniqueFindings(findings) };
}

/**
 * The Application with the repo-server's source overrides merged into its chart source, or
 * undefined when there are none: `.argocd-source.yaml` and `.argocd-source-<app>.yaml` in the
 * directory Argo CD renders (the source path, or the extracted chart package).
 */
async function withSourceOverrides(plan: RenderPlan, ws: Workspace, charts: ChartStore): Promise<Application | { error: Finding } | undefined> {
  const files = sourceOverrideFiles(plan.chart.path, plan.app.name);
  let texts: Map<string, string | undefined>;
  if (plan.chart.tree.kind === 'snapshot') texts = await ws.snapshot.readFiles(files);
  else {
    const resolved = await charts.resolveChart(plan.chart);
    if ('error' in resolved) return undefined;
    texts = await charts.readFilesAt(resolved.commit, files);
  }
  const patches: unknown[] = [];
  for (const file of files) {
    const text = texts.get(file);
    if (text === undefined) continue;
    try {
      patches.push(parseYaml(text) as unknown);
    } catch (err) {
      // The repo-server fails the Application on it too ("error while parsing source parameters").
      return { error: { code: 'SOURCE_UNSUPPORTED', severity: 'error', message: `${plan.app.name}: ${file} is not YAML: ${(err as Error).message}`, location: { file }, application: plan.app.name, service: plan.service } };
    }
  }
  if (patches.length === 0) return undefined;
  const { manifest } = plan.app;
  const sources = manifest.spec.sources ?? (manifest.spec.source ? [manifest.spec.source] : []);
  const index = sources.findIndex((s) => !s.ref || s.path || s.chart);
  const patched = sources.map((s, i) => (i === index ? mergeSourceOverrides(s, patches) : s));
  const spec = manifest.spec.sources ? { ...manifest.spec, sources: patched } : { ...manifest.spec, source: patched[0] };
  return { ...plan.app, manifest: { ...manifest, spec } };
}

export function inScope(plan: { env: { name: string }; service: string }, scope: FleetScope): boolean {
  return (!scope.envs?.length || scope.envs.includes(plan.env.name)) && (!scope.services?.length || scope.services.includes(plan.service));
}

function checkScope(ws: Workspace, scope: FleetScope): void {
  const envs = [...ws.model.environments.keys()].sort();
  for (const env of scope.envs ?? []) {
    if (!ws.model.environments.has(env)) {
      throw new UsageError('ENV_UNKNOWN', `--env ${env}: no such environment`, { hint: `Known environments: ${envs.join(', ')} (environments/<name>/environment.yaml).` });
    }
  }
  const services = [...ws.model.services.keys()].sort();
  for (const service of scope.services ?? []) {
    if (!ws.model.services.has(service)) {
      throw new UsageError('SERVICE_UNKNOWN', `--service ${service}: no such service`, { hint: `Known services: ${services.join(', ')} (services/<name>/service.yaml).` });
    }
  }
}
