import type { CommandHandler } from '../../cli/types.js';
import type { Finding } from '../../core/findings.js';
import { renderFleet } from '../../render/render-fleet.js';
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
    onProgress: (done, total) => ctx.progress(`rendering ${done}/${total}`),
  });
  const findings: Finding[] = [...fleet.findings, ...fleet.apps.flatMap((a) => a.findings)];
  const ok = fleet.apps.filter((a) => a.manifests !== undefined);
  const cached = ok.filter((a) => a.cached).length;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const summary = `rendered ${ok.length}/${fleet.apps.length} applications (${cached} from cache) in ${seconds}s`;

  if (options.out) {
    // All or nothing: a failed render leaves the previous output untouched.
    if (findings.some((f) => f.severity === 'error')) return { findings, summary: `${summary}; ${options.out} left unchanged` };
    await writeRenderTree(options.out, ok.map((a) => ({ path: `${a.plan.env.name}/${a.plan.service}.yaml`, text: a.manifests! })));
    const stdout = options.showCommand ? ok.map((a) => `${a.plan.env.name}/${a.plan.service}: ${a.command.join(' ')}\n`).join('') : undefined;
    return { findings, stdout, summary: `${summary}; wrote ${options.out}` };
  }
  return { findings, stdout: ok.map((a) => appHeader(a, options.showCommand) + a.manifests!).join(''), summary };
};

/** A YAML comment before each Application's manifests, so stdout stays one valid YAML stream. */
function appHeader(app: RenderedApp, showCommand: boolean): string {
  const { plan, chart } = app;
  const via = chart ? ` (${chart.via} ${chart.commit.slice(0, 12)})` : '';
  let header = `# ${plan.env.name}/${plan.service}: Application ${plan.app.name}, chart ${plan.chart.path} at ${plan.chart.revision}${via}\n`;
  if (showCommand) header += `# ${app.command.join(' ')}\n`;
  return header;
}
