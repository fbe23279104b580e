import type { ResourceResult } from '../cli/types.js';
import type { Finding } from '../core/findings.js';
import type { Manifest } from '../core/manifests/manifest.js';
import type { AppManifests } from '../render/fleet-manifests.js';
import type { Workspace } from '../workspace.js';
import type { EngineName } from './engine.js';
import { problemVerdicts } from './manifest-problems.js';
import { locateSchemaDir } from './schema-dir.js';
import { validateManifests } from './validate-manifests.js';

export interface ValidateStageOptions {
  engine: EngineName;
  skip?: readonly string[];
  ignoreMissingSchemas?: boolean;
  /** --schema-dir; else GITOPS_SCHEMA_DIR, then schemaDir in gitops.yaml. */
  schemaDir?: string;
  /** Overrides each environment's Kubernetes version. */
  kubernetesVersion?: string;
  env: NodeJS.ProcessEnv;
}

/** The rendered manifests of the given Applications, each against its environment's Kubernetes version. */
export async function validateRendered(ws: Workspace, apps: readonly AppManifests[], options: ValidateStageOptions): Promise<{ results: ResourceResult[]; findings: Finding[] }> {
  const findings: Finding[] = [];
  const results: ResourceResult[] = [];
  const versions = new Map<string, string>();
  for (const { app, problems, findings: parsed } of apps) {
    const { plan } = app;
    versions.set(plan.env.name, plan.env.kubernetesVersion);
    findings.push(...parsed);
    const verdicts = problemVerdicts(problems, { env: plan.env.name, service: plan.service, application: plan.app.name });
    results.push(...verdicts.results);
    findings.push(...verdicts.findings);
  }
  const schemaDir = locateSchemaDir({ flag: options.schemaDir, env: options.env, config: { schemaDir: ws.model.config.schemaDir, root: ws.root }, cwd: process.cwd() });
  const versionOf = (m: Manifest) => options.kubernetesVersion ?? (m.origin.kind === 'rendered' ? versions.get(m.origin.env) : undefined) ?? '';
  const validation = await validateManifests(
    apps.flatMap((a) => a.manifests),
    {
      schemaDir,
      kubernetesVersion: versionOf,
      engine: options.engine,
      skip: options.skip,
      ignoreMissingSchemas: options.ignoreMissingSchemas,
      cacheDir: ws.cacheDir,
      env: options.env,
    },
  );
  return { results: [...validation.results, ...results], findings: [...findings, ...validation.findings] };
}
