import type { CommandHandler } from '../../cli/types.js';
import { sortFindings, uniqueFindings } from '../../core/findings.js';
import { runCheckStages } from '../../check/check-stages.js';
import { checkOwners } from '../../governance/check-owners.js';
import { readCodeowners } from '../../governance/read-codeowners.js';
import { valuesWithoutEffect } from '../../lint/no-effect.js';
import { oneRound } from '../../lint/one-round.js';
import { policyToday } from '../../policy/policy-stage.js';
import { FleetRun } from '../../render/fleet-run.js';
import { countResources, countSummary, plural } from '../../reporters/summary.js';
import { prepareSchemas } from '../../validate/schema-preflight.js';
import { openWorkspace } from '../../workspace.js';
import { unpromotedPins } from '../../promote/unpromoted-pins.js';
import { defaultBase } from '../default-base.js';
import type { CheckOptions } from './command.js';

/** lint → render → validate → policy over one snapshot of the repository, each Application rendered once. */
export const runCheck: CommandHandler<CheckOptions> = async (ctx, options) => {
  const started = Date.now();
  const today = policyToday(ctx.env);
  const ws = await openWorkspace({ repo: ctx.repo, env: ctx.env });
  const scope = { envs: options.env, services: options.service };
  // Before rendering: a run that could not validate stops at once, saying what is missing.
  const schemas = await prepareSchemas(ws, { flag: options.schemaDir, env: ctx.env, envs: options.env, cwd: process.cwd() });
  // Values that break only the chart's schema are still rendered: validate and policy findings come in the same round.
  const run = new FleetRun(ws, { concurrency: options.concurrency, env: ctx.env, renderPastValuesSchema: true, onProgress: (done, total) => ctx.progress(`rendering ${done}/${total}`) });

  const [{ fleet, validation, policy, findings: checked }, owners, unpromoted] = await Promise.all([
    runCheckStages(run, { scope, engine: options.engine, schemas, env: ctx.env, today, onProgress: (m) => ctx.progress(m) }),
    readCodeowners(ws.snapshot),
    // Pins this change moved by hand past the promotion order (against where it branched from the default branch).
    defaultBase(ws).then((base) => (base ? unpromotedPins(ws, base.commit, scope) : [])),
  ]);
  const apps = run.manifests(fleet.apps);
  const governance = owners.codeowners ? checkOwners(ws.model, owners.codeowners, { services: options.service }) : owners.findings;
  const idle = await valuesWithoutEffect(apps, run.values);

  // Every Application of the environments in scope (rendered once; the policy stage asked for them): one that did not render leaves other Applications' cross-Application verdicts open.
  const envs = new Set(fleet.apps.map((a) => a.plan.env.name));
  const envApps = await run.render((await run.plan()).plans.filter((p) => envs.has(p.env.name)));
  const findings = oneRound(sortFindings(uniqueFindings([...checked, ...governance, ...idle, ...unpromoted])), envApps);
  const resources = validation.results;
  const { valid } = countResources(resources);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const rendered = fleet.apps.filter((a) => a.manifests !== undefined && !a.pastValuesSchema).length;
  return {
    findings,
    resources,
    // The JSON summary carries the same counts under the same words.
    data: { summary: { applications: fleet.apps.length, rendered, waived: policy.waived } },
    summary: `checked ${plural(fleet.apps.length, 'application')} (${rendered} rendered, ${valid}/${plural(resources.length, 'resource')} valid): ${countSummary(findings, policy.waived)} in ${seconds}s`,
  };
};
