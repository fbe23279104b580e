import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import semver from 'semver';
import type { CommandContext, CommandHandler, CommandResult } from '../../cli/types.js';
import { ConfigError, UsageError } from '../../core/errors.js';
import type { Finding } from '../../core/findings.js';
import { parseYamlDocs } from '../../core/yaml/parse-yaml.js';
import { fleetManifests } from '../../render/fleet-manifests.js';
import { renderFleet } from '../../render/render-fleet.js';
import { Git } from '../../runners/git.js';
import { availableVersions, isDirectory, locateSchemaSources, normalizeVersion, REPOSITORY_SCHEMA_DIR, type SchemaSources } from '../../validate/schema-dir.js';
import { fetchSchemas } from '../../validate/schema-fetch.js';
import { crdSchemas, isOpenApiV2, openApiSchemas, type ImportedSchema } from '../../validate/schema-import.js';
import { manifestRefs, schemaConfig } from '../../validate/schema-preflight.js';
import type { SchemaRef } from '../../validate/schema-locations.js';
import { openWorkspace, type Workspace } from '../../workspace.js';
import { writeAtomic } from '../../write-atomic.js';
import type { SchemasAction, SchemasOptions } from './command.js';

const ACTIONS: readonly SchemasAction[] = ['pull', 'import', 'list'];

export const runSchemas: CommandHandler<SchemasOptions> = async (ctx, options) => {
  const [action, ...rest] = options.args;
  if (!action || !(ACTIONS as readonly string[]).includes(action)) {
    throw new UsageError('USAGE', action ? `unknown action "${action}" for gitops schemas` : 'gitops schemas needs an action', { hint: 'Run gitops schemas list, gitops schemas pull or gitops schemas import FILE|DIR.' });
  }
  if (action !== 'import' && rest.length > 0) throw new UsageError('USAGE', `gitops schemas ${action} takes no arguments (got ${rest.join(' ')})`, { hint: 'Only gitops schemas import takes files or directories.' });
  if (action === 'list') return list(ctx, options);
  if (action === 'pull') return pull(ctx, options);
  return importSchemas(ctx, options, rest);
};

/** The repository, when the working directory is inside one with a gitops.yaml. */
async function maybeWorkspace(ctx: CommandContext): Promise<Workspace | undefined> {
  const root = await new Git(resolve(ctx.repo)).root().catch(() => undefined);
  return root && existsSync(join(root, 'gitops.yaml')) ? openWorkspace({ repo: ctx.repo, env: ctx.env }) : undefined;
}

function sourcesOf(ws: Workspace | undefined, ctx: CommandContext, options: SchemasOptions): SchemaSources {
  return locateSchemaSources({ flag: options.schemaDir, env: ctx.env, repo: ws && { root: ws.root, config: schemaConfig(ws) }, cwd: process.cwd() });
}

/** The sources in resolution order, each with the Kubernetes versions and CRD kinds it holds. */
async function list(ctx: CommandContext, options: SchemasOptions): Promise<CommandResult> {
  const ws = await maybeWorkspace(ctx);
  const sources = sourcesOf(ws, ctx, options);
  const lines: string[] = [];
  sources.sources.forEach((source, i) => {
    const one = { ...sources, sources: [source] };
    const versions = availableVersions(one);
    const crds = countCrds(join(source.dir, 'crds'));
    lines.push(`${i + 1}. ${source.dir} (${source.origin})`);
    lines.push(`   kubernetes: ${versions.length ? versions.join(', ') : 'none'}; crds: ${crds} schema${crds === 1 ? '' : 's'}`);
  });
  if (sources.sources.length === 0) lines.push('no schema directory on this machine');
  lines.push(sources.locations.length ? `downloads into ${sources.cacheDir} from:` : 'downloads: off');
  for (const location of sources.locations) lines.push(`   ${location.template}`);
  const missing = sources.considered.filter((c) => c.includes('absent on this machine'));
  if (missing.length) lines.push(`not on this machine: ${missing.map((m) => m.replace(/ \(.*$/, '')).join(', ')}`);
  return { findings: [], stdout: `${lines.join('\n')}\n` };
}

/**
 * Downloads the schema of every kind the fleet renders, and every CRD kind its environments
 * declare, that no source has yet: afterwards validation needs no network.
 */
async function pull(ctx: CommandContext, options: SchemasOptions): Promise<CommandResult> {
  const ws = await openWorkspace({ repo: ctx.repo, env: ctx.env });
  const sources = sourcesOf(ws, ctx, options);
  if (sources.locations.length === 0) {
    throw new ConfigError('SCHEMA_DOWNLOAD_OFF', 'downloads are off (schemas.download: false in gitops.yaml, or GITOPS_SCHEMA_LOCATIONS=none)', {
      hint: 'Turn them on, or provide the schemas another way: gitops schemas import FILE|DIR, a mirror under schemas.mirrors, or --schema-dir.',
    });
  }
  const fleet = await renderFleet(ws, { envs: options.env, env: ctx.env, onProgress: (done, total) => ctx.progress(`rendering ${done}/${total}`) });
  const apps = fleetManifests(fleet.apps);
  const versions = new Map(apps.map((a) => [a.app.plan.env.name, a.app.plan.env.kubernetesVersion]));
  const versionOf = (env: string) => normalizeVersion(options.kubernetesVersion ?? versions.get(env) ?? '');
  const refs: SchemaRef[] = manifestRefs(
    apps.flatMap((a) => a.manifests),
    (m) => versionOf(m.origin.kind === 'rendered' ? m.origin.env : ''),
  );
  for (const env of ws.model.environments.values()) {
    if (options.env.length && !options.env.includes(env.name)) continue;
    for (const entry of env.apiVersions) {
      const match = /^([^/]+\/[^/]+)\/([A-Za-z][A-Za-z0-9]*)$/.exec(entry);
      if (match) refs.push({ kubernetesVersion: normalizeVersion(options.kubernetesVersion ?? env.kubernetesVersion), apiVersion: match[1]!, kind: match[2]! });
    }
  }
  ctx.progress(`fetching ${refs.length} schemas`);
  const outcome = await fetchSchemas(sources, refs);
  if (outcome.downloaded.length === 0 && outcome.failures.length > 0) {
    throw new ConfigError('SCHEMA_DOWNLOAD_FAILED', `could not download schemas: ${[...new Set(outcome.failures)].slice(0, 3).join('; ')}`, {
      hint: 'Check the network (a proxy is read from HTTPS_PROXY only by tools that support it), or provide the schemas offline: gitops schemas import FILE|DIR, a mirror under schemas.mirrors, or --schema-dir.',
    });
  }
  const findings: Finding[] = outcome.missing
    .filter((r) => r.kind !== 'ObjectMeta' || outcome.missing.length === 1)
    .map((r) => ({
      code: 'SCHEMA_NOT_PUBLISHED' as const,
      severity: 'warning' as const,
      message: `no download location has a schema for ${r.apiVersion} ${r.kind} (Kubernetes ${r.kubernetesVersion})`,
      hint: `Import its CRD: gitops schemas import <crd.yaml> (writes ${REPOSITORY_SCHEMA_DIR}/crds/), or validate with --skip ${r.kind}.`,
    }));
  const failed = outcome.failures.length ? `; ${outcome.failures.length} failed (${[...new Set(outcome.failures)][0]})` : '';
  return {
    findings,
    summary: `pulled ${outcome.downloaded.length} schemas into ${outcome.sources.cacheDir}; ${outcome.present.length} already present, ${outcome.missing.length} found nowhere${failed}`,
  };
}

/** CRD manifests and /openapi/v2 dumps turned into strict schemas, written into a schema directory. */
async function importSchemas(ctx: CommandContext, options: SchemasOptions, paths: readonly string[]): Promise<CommandResult> {
  if (paths.length === 0) throw new UsageError('USAGE', 'gitops schemas import needs files or directories', { hint: 'Pass CRD manifests (YAML or JSON) or a cluster\'s /openapi/v2 dump: gitops schemas import crds/ openapi.json' });
  let out: string;
  if (options.out) out = resolve(process.cwd(), options.out);
  else {
    const root = await new Git(resolve(ctx.repo)).root().catch(() => undefined);
    if (!root) throw new UsageError('USAGE', 'not inside a Git repository: nowhere to import into', { hint: 'Pass --out DIR, or run inside the platform repository (schemas are written to its schemas/).' });
    out = join(root, REPOSITORY_SCHEMA_DIR);
  }
  const schemas: ImportedSchema[] = [];
  let documents = 0;
  for (const file of expandPaths(paths)) {
    const text = await readFile(file, 'utf8');
    const name = relative(process.cwd(), file) || file;
    for (const data of await documentsOf(name, text)) {
      documents++;
      if (isOpenApiV2(data)) schemas.push(...openApiSchemas(data, openApiVersion(name, data, options.kubernetesVersion)));
      else for (const crd of customResourceDefinitions(data)) schemas.push(...crdSchemas(crd));
    }
  }
  if (schemas.length === 0) {
    throw new UsageError('USAGE', `no CustomResourceDefinition with a schema and no /openapi/v2 dump in ${paths.join(', ')} (${documents} documents read)`, {
      hint: 'Pass CRD manifests (kubectl get crd NAME -o yaml) or a cluster\'s /openapi/v2 (kubectl get --raw /openapi/v2).',
    });
  }
  for (const schema of schemas) await writeAtomic(join(out, schema.path), `${JSON.stringify(schema.schema, null, 2)}\n`);
  const crds = schemas.filter((s) => s.path.startsWith('crds/'));
  const shown = relative(process.cwd(), out) || '.';
  return {
    findings: [],
    stdout: crds.map((s) => `${join(shown, s.path)}  ${s.id}\n`).join(''),
    summary: `imported ${schemas.length} schemas into ${shown}: ${crds.length} CRD versions, ${schemas.length - crds.length} /openapi/v2 definitions`,
  };
}

function expandPaths(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    const absolute = resolve(process.cwd(), path);
    if (!existsSync(absolute)) throw new UsageError('PATH_NOT_FOUND', `${path}: no such file or directory`, { hint: 'Pass CRD manifests or an /openapi/v2 dump, as files or directories.' });
    if (statSync(absolute).isDirectory()) files.push(...filesIn(absolute));
    else files.push(absolute);
  }
  return files;
}

function filesIn(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => (e.isDirectory() ? filesIn(join(dir, e.name)) : /\.(ya?ml|json)$/i.test(e.name) ? [join(dir, e.name)] : []));
}

/** JSON files are read as JSON (an /openapi/v2 dump is tens of megabytes), others as multi-document YAML. */
async function documentsOf(name: string, text: string): Promise<unknown[]> {
  if (/\.json$/i.test(name)) {
    try {
      return [JSON.parse(text)];
    } catch (cause) {
      throw new UsageError('USAGE', `${name} is not JSON: ${(cause as Error).message}`, { hint: 'Pass the JSON exactly as the API server returned it, or a YAML file.', cause });
    }
  }
  const { docs, findings } = parseYamlDocs(name, text);
  const error = findings.find((f) => f.severity === 'error');
  if (error) throw new UsageError('USAGE', `${name}:${error.location?.line ?? 1}: ${error.message}`, { hint: 'Fix the YAML, or import the file as the cluster returns it.' });
  return docs.map((d) => d.data);
}

/** The CRDs of a document: itself, or the items of a List (kubectl get crd -o yaml). */
function customResourceDefinitions(data: unknown): unknown[] {
  const doc = data as { kind?: unknown; items?: unknown } | undefined;
  if (doc?.kind === 'CustomResourceDefinition') return [doc];
  if (Array.isArray(doc?.items)) return doc.items.filter((i) => (i as { kind?: unknown } | undefined)?.kind === 'CustomResourceDefinition');
  return [];
}

function openApiVersion(name: string, dump: { info?: { version?: unknown } }, flag: string | undefined): string {
  if (flag) return normalizeVersion(flag);
  const version = typeof dump.info?.version === 'string' ? semver.coerce(dump.info.version)?.version : undefined;
  if (!version) throw new UsageError('USAGE', `${name}: the /openapi/v2 dump does not say its Kubernetes version (info.version)`, { hint: 'Pass --kubernetes-version, e.g. --kubernetes-version 1.34.0.' });
  return version;
}

function countCrds(dir: string): number {
  if (!isDirectory(dir)) return 0;
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .reduce((n, e) => n + readdirSync(join(dir, e.name)).filter((f) => f.endsWith('.json')).length, 0);
}
