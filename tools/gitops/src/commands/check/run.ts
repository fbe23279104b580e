import type { CommandHandler } from '../../cli/types.js';
import { sortFindings, uniqueFindings } from '../../core/findings.js';
import { attachValuesOrigins } from '../../lint/attach-origins.js';
import { lintRepo } from '../../lint/lint-repo.js';
import { AppValuesCache } from '../../lint/lint-values.js';
import { policyStage, policyToday } from '../../policy/policy-stage.js';
import { fleetManifests } from '../../render/fleet-manifests.js';
import { renderFleet } from '../../render/render-fleet.js';
import { countSummary } from '../../reporters/summary.js';
import { validateRendered } from '../../validate/validate-stage.js';
import { openWorkspace } from '../../workspace.js';
import type { CheckOptions } from './command.js';

/** lint → render → validate → policy over one snapshot of the repository, each Application rendered once. */
export const runCheck: CommandHandler<CheckOptions> = async (ctx, options) => {
  const started = Date.now();
  const today = policyToday(ctx.env);
  const ws = await openWorkspace({ repo: ctx.repo, env: ctx.env });
  const scope = { envs: options.env, services: options.service };
  // Read once: lint checks each Application's values, findings about rendered fields trace back through them.
  const values = new AppValuesCache(ws);

  const [lint, fleet] = await Promise.all([
    lintRepo(ws, scope, values),
    renderFleet(ws, { ...scope, concurrency: options.concurrency, env: ctx.env, onProgress: (done, total) => ctx.progress(`rendering ${done}/${total}`) }),
  ]);
  const apps = fleetManifests(fleet.apps);
  ctx.progress('validating');
  const validation = await validateRendered(ws, apps, { engine: options.engine, schemaDir: options.schemaDir, env: ctx.env });
  ctx.progress('policy');
  // Policy renders the rest of each selected environment itself: cross-Application rules see them all.
  const policy = await policyStage(ws, { ...scope, today, rendered: fleet.apps, parsed: apps, concurrency: options.concurrency, env: ctx.env });
  const located = await attachValuesOrigins([...validation.findings, ...policy.findings], apps, values);

  const findings = sortFindings(uniqueFindings([...lint.findings, ...fleet.findings, ...fleet.apps.flatMap((a) => a.findings), ...located]));
  const resources = validation.results;
  const valid = resources.filter((r) => r.status === 'valid').length;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const rendered = fleet.apps.filter((a) => a.manifests !== undefined).length;
  return {
    findings,
    resources,
    summary: `checked ${fleet.apps.length} applications (${rendered} rendered, ${valid}/${resources.length} resources valid${policy.waived ? `, ${policy.waived} policy findings waived` : ''}): ${countSummary(findings)} in ${seconds}s`,
  };
};
