import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import semver from 'semver';
import type { CommandContext, CommandHandler, ResourceResult } from '../../cli/types.js';
import { UsageError } from '../../core/errors.js';
import type { Finding } from '../../core/findings.js';
import type { Manifest } from '../../core/manifests/manifest.js';
import { fleetManifests } from '../../render/fleet-manifests.js';
import { renderFleet } from '../../render/render-fleet.js';
import { countSummary } from '../../reporters/summary.js';
import { Git } from '../../runners/git.js';
import { problemVerdicts } from '../../validate/manifest-problems.js';
import { readManifestFiles } from '../../validate/manifest-files.js';
import { locateSchemaDir } from '../../validate/schema-dir.js';
import { validateManifests } from '../../validate/validate-manifests.js';
import { openWorkspace, type Workspace } from '../../workspace.js';
import type { ValidateOptions } from './command.js';

/** What to validate, gathered from a render or from files, with the findings of getting it. */
interface Input {
  manifests: Manifest[];
  kubernetesVersion: string | ((manifest: Manifest) => string);
  /** Verdicts on documents that are not objects. */
  results: ResourceResult[];
  findings: Finding[];
  ws?: Workspace;
  /** "29 applications", "3 files" */
  scope: string;
}

export const runValidate: CommandHandler<ValidateOptions> = async (ctx, options) => {
  const started = Date.now();
  const cwd = process.cwd();
  const input = options.paths.length > 0 ? await fromFiles(ctx, options, cwd) : await fromRender(ctx, options);

  const schemaDir = locateSchemaDir({
    flag: options.schemaDir,
    env: ctx.env,
    config: input.ws && { schemaDir: input.ws.model.config.schemaDir, root: input.ws.root },
    cwd,
  });
  ctx.progress(`validating ${input.manifests.length} resources`);
  const validation = await validateManifests(input.manifests, {
    schemaDir,
    kubernetesVersion: input.kubernetesVersion,
    engine: options.engine,
    skip: options.skip,
    ignoreMissingSchemas: options.ignoreMissingSchemas,
    cacheDir: input.ws?.cacheDir ?? (ctx.env.GITOPS_CACHE_DIR ? resolve(ctx.env.GITOPS_CACHE_DIR) : join(tmpdir(), 'gitops-cache')),
    env: ctx.env,
  });

  const resources = [...validation.results, ...input.results];
  const findings = [...input.findings, ...validation.findings];
  const count = (status: ResourceResult['status']) => resources.filter((r) => r.status === status).length;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const summary =
    `validated ${resources.length} resources of ${input.scope} with ${options.engine}: ` +
    `${count('valid')} valid, ${count('invalid')} invalid, ${count('error')} errors, ${count('skipped')} skipped; ${countSummary(findings)} in ${seconds}s`;
  return { findings, resources, summary };
};

/** Every Application selected by --env/--service, rendered; each object checked for its environment's Kubernetes version. */
async function fromRender(ctx: CommandContext, options: ValidateOptions): Promise<Input> {
  const ws = await openWorkspace({ repo: ctx.repo, env: ctx.env });
  const fleet = await renderFleet(ws, {
    envs: options.env,
    services: options.service,
    env: ctx.env,
    onProgress: (done, total) => ctx.progress(`rendering ${done}/${total}`),
  });
  const apps = fleetManifests(fleet.apps);
  const findings: Finding[] = [...fleet.findings, ...fleet.apps.flatMap((a) => a.findings)];
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
  const versionOf = (m: Manifest) => (m.origin.kind === 'rendered' ? versions.get(m.origin.env) : undefined) ?? newestVersion(ws);
  return {
    manifests: apps.flatMap((a) => a.manifests),
    kubernetesVersion: options.kubernetesVersion ?? versionOf,
    results,
    findings,
    ws,
    scope: `${fleet.apps.length} application${fleet.apps.length === 1 ? '' : 's'}`,
  };
}

/**
 * Manifest files and directories. The repository is read only when it is needed: for the
 * Kubernetes version (--env, or the newest environment) or for `schemaDir` in gitops.yaml.
 */
async function fromFiles(ctx: CommandContext, options: ValidateOptions, cwd: string): Promise<Input> {
  if (options.service.length > 0) {
    throw new UsageError('USAGE', '--service selects rendered Applications: it cannot be combined with paths', { hint: 'Drop --service, or drop the paths to validate that service as rendered.' });
  }
  if (options.env.length > 1) {
    throw new UsageError('USAGE', 'with paths, --env names the one environment whose Kubernetes version applies', { hint: 'Pass a single --env, or --kubernetes-version.' });
  }
  const needsRepo = !options.kubernetesVersion || options.env.length > 0 || !(options.schemaDir || ctx.env.GITOPS_SCHEMA_DIR);
  const ws = needsRepo ? await openWorkspace({ repo: ctx.repo, env: ctx.env }) : undefined;
  const root = ws?.root ?? (await new Git(resolve(ctx.repo)).root().catch(() => undefined));

  let kubernetesVersion = options.kubernetesVersion;
  if (!kubernetesVersion) kubernetesVersion = options.env[0] ? environmentVersion(ws!, options.env[0]) : newestVersion(ws!);
  else if (options.env[0]) environmentVersion(ws!, options.env[0]); // still a known environment

  const read = await readManifestFiles(options.paths, { cwd, root });
  const verdicts = problemVerdicts(read.problems);
  return {
    manifests: read.manifests,
    kubernetesVersion,
    results: verdicts.results,
    findings: [...read.findings, ...verdicts.findings],
    ws,
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
