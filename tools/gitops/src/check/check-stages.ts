import { sortFindings, uniqueFindings, type Finding } from '../core/findings.js';
import { attachValuesOrigins } from '../lint/attach-origins.js';
import { lintRepo, type LintResult } from '../lint/lint-repo.js';
import { policyStage, type PolicyStageResult } from '../policy/policy-stage.js';
import type { FleetRun, FleetScope } from '../render/fleet-run.js';
import { renderFleet, type FleetRender } from '../render/render-fleet.js';
import type { ResourceResult } from '../cli/types.js';
import type { EngineName } from '../validate/engine.js';
import type { SchemaSources } from '../validate/schema-dir.js';
import { validateRendered } from '../validate/validate-stage.js';

export interface CheckStagesOptions {
  scope?: FleetScope;
  engine: EngineName;
  /** Found before anything renders (prepareSchemas), so that a run that could not validate stops at once. */
  schemas: SchemaSources;
  env: NodeJS.ProcessEnv;
  /** The date waivers expire by. */
  today: string;
  onProgress?: (message: string) => void;
}

export interface CheckStages {
  lint: LintResult;
  fleet: FleetRender;
  validation: { results: ResourceResult[]; findings: Finding[] };
  policy: PolicyStageResult;
  /** Lint, load, render, validate and policy findings, each at the line to edit, sorted, each once. */
  findings: Finding[];
}

/**
 * The stages of `gitops check` in their order (lint with render, validate, policy, values
 * origins) over one run: `check`, `fleet` and `promote`'s gate compose the same sequence, so
 * what one reports failing the others do too.
 */
export async function runCheckStages(run: FleetRun, options: CheckStagesOptions): Promise<CheckStages> {
  const scope = options.scope ?? {};
  const [lint, fleet] = await Promise.all([lintRepo(run, scope), renderFleet(run.ws, scope, run)]);
  options.onProgress?.('validating');
  const validation = await validateRendered(run.ws, run.manifests(fleet.apps), { engine: options.engine, schemas: options.schemas, env: options.env });
  options.onProgress?.('policy');
  // Policy also needs the rest of each selected environment: cross-Application rules see them all.
  const policy = await policyStage(run, { ...scope, today: options.today });
  const located = await attachValuesOrigins([...validation.findings, ...policy.findings], policy.apps, run);
  const findings = sortFindings(uniqueFindings([...lint.findings, ...fleet.findings, ...fleet.apps.flatMap((a) => a.findings), ...located]));
  return { lint, fleet, validation, policy, findings };
}
