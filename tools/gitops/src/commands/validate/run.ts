import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import semver from 'semver';
import type { CommandContext, CommandHandler, ResourceResult } from '../../cli/types.js';
import { UsageError } from '../../core/errors.js';
import { sortFindings, type Finding } from '../../core/findings.js';
import { FleetRun } from '../../render/fleet-run.js';
import { renderFleet } from '../../render/render-fleet.js';
import { countResources, countSummary, plural } from '../../reporters/summary.js';
import { Git } from '../../runners/git.js';
import { problemVerdicts } from '../../validate/manifest-problems.js';
import { readManifestFiles } from '../../validate/manifest-files.js';
import { fetchSchemas } from '../../validate/schema-fetch.js';
import { manifestRefs, prepareSchemas } from '../../validate/schema-preflight.js';
import { validateManifests } from '../../validate/validate-manifests.js';
import { validateRendered } from '../../validate/validate-stage.js';
import { attachValuesOrigins } from '../../lint/attach-origins.js';
import { openWorkspace, type Workspace } from '../../workspace.js';
import type { ValidateOptions } from './command.js';

/** Verdicts and findings of one run, and what it covered ("29 applications", "3 files"). */
interface Outcome {
  resources: ResourceResult[];
  findings: Finding[];
  scope: string;
}

export const runValidate: CommandHandler<ValidateOptions> = async (ctx, options) => {
  const started = Date.now();
  const { resources, findings, scope } = options.paths.length > 0 ? await fromFiles(ctx, options, process.cwd()) : await fromRender(ctx, options);
  const c = countResources(resources);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  // The words of the JSON summary: `unchecked` objects, so that "errors" only ever counts findings.
  const summary =
    `validated ${plural(c.resources, 'resource')} of ${scope} with ${options.engine}: ` +
    `${c.valid} valid, ${c.invalid} invalid, ${c.unchecked} unchecked, ${c.skipped} skipped; ${countSummary(findings)} in ${seconds}s`;
  return { findings: sortFindings(findings), resources, summary };
};

/** Every Application selected by --env/--service, rendered; each object checked for its environment's Kubernetes version. */
async function fromRender(ctx: CommandContext, options: ValidateOptions): Promise<Outcome> {
  const ws = await openWorkspace({ repo: ctx.repo, env: ctx.env });
  // Before rendering: a run that could not validate stops at once, saying what is missing.
  const schemas = await prepareSchemas(ws, { flag: options.schemaDir, env: ctx.env, envs: options.env, kubernetesVersion: options.kubernetesVersion, cwd: process.cwd() });
  const run = new FleetRun(ws, { env: ctx.env, onProgress: (done, total) => ctx.progress(`rendering ${done}/${total}`) });
  const fleet = await renderFleet(ws, { envs: options.env, services: options.service }, run);
  const apps = run.manifests(fleet.apps);
  ctx.progress(`validating ${apps.reduce((n, a) => n + a.manifests.length, 0)} resources`);
  const validation = await validateRendered(ws, apps, { ...options, schemas, env: ctx.env });
  return {
    resources: validation.results,
    findings: [...fleet.findings, ...fleet.apps.flatMap((a) => a.findings), ...(await attachValuesOrigins(validation.findings, apps, run))],
    scope: `${fleet.apps.length} application${fleet.apps.length === 1 ? '' : 's'}`,
  };
}

/**
 * Manifest files and directories. The repository is read only when it is needed: for the
 * Kubernetes version (--env, or the newest environment) or for `schemaDir` in gitops.yaml.
 */
async function fromFiles(ctx: CommandContext, options: ValidateOptions, cwd: string): Promise<Outcome> {
  if (options.service.length > 0) {
    throw new UsageError('USAGE', '--service selects rendered Applications: it cannot be combined with paths', { hint: 'Drop --service, or drop the paths to validate that service as rendered.' });
  }
  if (options.env.length > 1) {
    throw new UsageError('USAGE', 'with paths, --env names the one environment whose Kubernetes version applies', { hint: 'Pass a single --env, or --kubernetes-version.' });
  }
  const needsRepo = !options.kubernetesVersion || options.env.length > 0;
  const gitRoot = await new Git(resolve(ctx.repo)).root().catch(() => undefined);
  // Inside the platform repository its schema settings apply even when nothing else is needed from it.
  // Its settings and environments only: files on the command line are not the fleet.
  const ws = needsRepo || (gitRoot && existsSync(join(gitRoot, 'gitops.yaml'))) ? await openWorkspace({ repo: ctx.repo, env: ctx.env, settingsOnly: true }) : undefined;
  const root = ws?.root ?? gitRoot;

  let kubernetesVersion = options.kubernetesVersion;
  if (!kubernetesVersion) kubernetesVersion = options.env[0] ? environmentVersion(ws!, options.env[0]) : newestVersion(ws!);
  else if (options.env[0]) environmentVersion(ws!, options.env[0]); // still a known environment

  const prepared = await prepareSchemas(ws, { flag: options.schemaDir, env: ctx.env, envs: options.env, kubernetesVersion, cwd, root });
  const read = await readManifestFiles(options.paths, { cwd, root });
  const verdicts = problemVerdicts(read.problems);
  const { sources: schemas } = await fetchSchemas(prepared, manifestRefs(read.manifests, () => kubernetesVersion));
  const validation = await validateManifests(read.manifests, {
    schemas,
    kubernetesVersion,
    engine: options.engine,
    skip: options.skip,
    ignoreMissingSchemas: options.ignoreMissingSchemas,
    cacheDir: ws?.cacheDir ?? (ctx.env.GITOPS_CACHE_DIR ? resolve(ctx.env.GITOPS_CACHE_DIR) : join(tmpdir(), 'gitops-cache')),
    env: ctx.env,
  });
  return {
    resources: [...validation.results, ...verdicts.results],
    findings: [...read.findings, ...verdicts.findings, ...validation.findings],
    scope: `${read.files} file${read.files === 1 ? '' : 's'}`,
  };
}

function environmentVersion(ws: Workspace, name: string): string {
  const env = ws.model.environments.get(name);
  if (!env) {
    const known = [...ws.model.environments.keys()].sort().join(', ');
    throw new UsageError('ENV_UNKNOWN', `--env ${name}: no such environment`, { hint: `Known environments: ${known} (environments/<name>/environment.yaml).` });
  }
  return env.kubernetesVersion;
}

/** Manifest files target the cluster that is furthest ahead, so removed APIs show up before an upgrade. */
function newestVersion(ws: Workspace): string {
  const versions = [...ws.model.environments.values()].map((e) => e.kubernetesVersion);
  const newest = versions.sort((a, b) => semver.compare(semver.coerce(a) ?? '0.0.0', semver.coerce(b) ?? '0.0.0')).at(-1);
  if (!newest) {
    throw new UsageError('USAGE', 'no environment to take a Kubernetes version from', { hint: 'Pass --kubernetes-version, e.g. --kubernetes-version 1.34.0.' });
  }
  return newest;
}
