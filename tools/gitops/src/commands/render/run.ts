import type { CommandHandler } from '../../cli/types.js';
import type { Finding } from '../../core/findings.js';
import { renderFleet, type FleetRender } from '../../render/render-fleet.js';
import type { RenderedApp } from '../../render/render-app.js';
import { writeRenderTree } from '../../render/write-out.js';
import { openWorkspace } from '../../workspace.js';
import type { RenderOptions } from './command.js';

export const runRender: CommandHandler<RenderOptions> = async (ctx, options) => {
  const started = Date.now();
  const ws = await openWorkspace({ repo: ctx.repo, env: ctx.env });
  const fleet = await renderFleet(ws, {
    envs: options.env,
    services: options.service,
    concurrency: options.concurrency,
    env: ctx.env,
    parseManifests: false,
    onProgress: (done, total) => ctx.progress(`rendering ${done}/${total}`),
  });
  const findings: Finding[] = [...fleet.findings, ...fleet.apps.flatMap((a) => a.findings)];
  const ok = fleet.apps.filter((a) => a.manifests !== undefined);
  const cached = ok.filter((a) => a.cached).length;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const summary = `rendered ${ok.length}/${fleet.apps.length} applications (${cached} from cache) in ${seconds}s`;
  const data = renderData(fleet, options.env.length > 0 || options.service.length > 0);

  if (options.out) {
    // All or nothing: a failed render leaves the previous output untouched.
    if (findings.some((f) => f.severity === 'error')) return { findings, data, summary: `${summary}; ${options.out} left unchanged` };
    await writeRenderTree(options.out, ok.map((a) => ({ path: `${a.plan.env.name}/${a.plan.service}.yaml`, text: a.manifests! })));
    const stdout = options.showCommand ? ok.map((a) => `${a.plan.env.name}/${a.plan.service}: ${a.command.join(' ')}\n`).join('') : '';
    return { findings, stdout, data, summary: `${summary}; wrote ${options.out}` };
  }
  return { findings, stdout: ok.map((a) => appHeader(a, options.showCommand) + a.manifests!).join(''), data, summary };
};

/**
 * The JSON report's own fields: each ApplicationSet with the Applications it generates, and
 * each rendered Application with its Application object, helm command line and manifests.
 */
function renderData(fleet: FleetRender, scoped: boolean): Record<string, unknown> {
  const rendered = new Map(fleet.apps.map((a) => [a.plan.app.name, a]));
  const appSets = fleet.appSets.map(({ name, file, applications, error }) => ({ name, file, applications, ...(error ? { error } : {}) }));
  // An Application refused before it could render (e.g. two revisions of one repository) is
  // listed with its error; with --env or --service only the rendered ones in scope are.
  const refused = (name: string) => fleet.findings.filter((f) => f.application === name && f.severity === 'error');
  const applications = fleet.applications
    .filter((app) => rendered.has(app.name) || (!scoped && refused(app.name).length > 0))
    .map((app) => {
      const r = rendered.get(app.name);
      if (!r) return { name: app.name, applicationSet: app.appSet.name, manifest: app.manifest, command: [], manifests: null, error: refused(app.name).map((f) => f.message).join('\n') };
      const { plan } = r;
      return {
        name: app.name,
        applicationSet: app.appSet.name,
        environment: plan.env.name,
        service: plan.service,
        manifest: app.manifest,
        chart: { name: plan.chart.name, version: plan.chart.revision, ...(plan.chart.registry ? { registry: plan.chart.registry } : {}), ...(r.chart ? { commit: r.chart.commit } : {}) },
        command: r.command,
        ...(plan.extraValues !== undefined ? { inlineValues: plan.extraValues } : {}),
        manifests: r.manifests ?? null,
        ...(r.manifests === undefined ? { error: r.findings.map((f) => f.message).join('\n') } : {}),
      };
    });
  return {
    summary: { applications: applications.length, rendered: applications.filter((a) => a.manifests !== null).length, failed: applications.filter((a) => a.manifests === null).length },
    applicationSets: appSets,
    applications,
  };
}

/** A YAML comment before each Application's manifests, so stdout stays one valid YAML stream. */
function appHeader(app: RenderedApp, showCommand: boolean): string {
  const { plan, chart } = app;
  const from = plan.chart.registry
    ? `chart ${plan.chart.name} ${plan.chart.revision} from ${plan.chart.registry}${chart ? ` (rebuilt from ${chart.commit.slice(0, 12)})` : ''}`
    : `chart ${plan.chart.path} at ${plan.chart.revision}${chart ? ` (${chart.via} ${chart.commit.slice(0, 12)})` : ''}`;
  let header = `# ${plan.env.name}/${plan.service}: Application ${plan.app.name}, ${from}\n`;
  if (showCommand) header += `# ${app.command.join(' ')}\n`;
  return header;
}
