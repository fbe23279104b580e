import type { ResourceResult } from '../cli/types.js';
import type { Finding } from '../core/findings.js';
import type { Manifest } from '../core/manifests/manifest.js';
import type { AppManifests } from '../render/fleet-manifests.js';
import type { Workspace } from '../workspace.js';
import type { EngineName } from './engine.js';
import { problemVerdicts } from './manifest-problems.js';
import type { SchemaSources } from './schema-dir.js';
import { fetchSchemas } from './schema-fetch.js';
import { manifestRefs } from './schema-preflight.js';
import { validateManifests } from './validate-manifests.js';

export interface ValidateStageOptions {
  engine: EngineName;
  skip?: readonly string[];
  ignoreMissingSchemas?: boolean;
  /** The schema sources found before rendering (prepareSchemas). */
  schemas: SchemaSources;
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
  const versionOf = (m: Manifest) => options.kubernetesVersion ?? (m.origin.kind === 'rendered' ? versions.get(m.origin.env) : undefined) ?? '';
  const manifests = apps.flatMap((a) => a.manifests);
  // Kinds no source has are downloaded into the user cache first, where downloads are on.
  const { sources } = await fetchSchemas(options.schemas, manifestRefs(manifests, versionOf));
  const validation = await validateManifests(
    manifests,
    {
      schemas: sources,
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
