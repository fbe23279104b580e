import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding, SourceLocation } from '../core/findings.js';
import { originFor, type RenderPlan, type TreeRef } from '../core/render/plan.js';
import { buildHelmArgs } from '../core/render/helm-args.js';
import { valuesFileFindings } from '../core/yaml/parse-yaml.js';
import { refusalFinding, type FileRefusal, type Snapshot } from '../core/repo/snapshot.js';
import type { Git } from '../runners/git.js';
import type { HelmRunner } from '../runners/helm.js';
import { MAX_FILE_BYTES } from '../runners/snapshots.js';
import { writeAtomic } from '../write-atomic.js';
import type { ValuesCopies } from './values-copies.js';
import type { ChartStore, ResolvedRevision } from './chart-store.js';

/** The manifests of one Application, or why there are none. */
export interface RenderedApp {
  plan: RenderPlan;
  /** helm's stdout, byte for byte, when the render succeeded. */
  manifests?: string;
  /** The helm command line with repository paths, as a person would run it in the chart directory. */
  command: string[];
  /** The chart's resolved revision. */
  chart?: ResolvedRevision;
  findings: Finding[];
  /** True when the manifests came from the render cache. */
  cached: boolean;
  /**
   * helm refused the values (values.schema.json) and `manifests` are what it renders without
   * that check (only with `renderPastValuesSchema`): the render still failed, but validate
   * and policy can judge the objects in the same run.
   */
  pastValuesSchema?: boolean;
}

export interface RenderDeps {
  git: Git;
  helm: HelmRunner;
  snapshot: Snapshot;
  charts: ChartStore;
  cacheDir: string;
  /** The run's content-addressed copies of value files, which helm reads. */
  values: ValuesCopies;
  /** `check`: when helm refuses the values only for the chart's schema, render again without it (see RenderedApp.pastValuesSchema). */
  renderPastValuesSchema?: boolean;
  /**
   * Runs one helm invocation within the run's helm concurrency. Only helm holds a slot: the
   * reads, hashes and cache writes around it do not, so the renderers never wait on them.
   */
  helmSlot: <T>(call: () => Promise<T>) => Promise<T>;
}

/** helm's error when the merged values break the chart's values.schema.json. */
const VALUES_SCHEMA_REFUSED = /values don't meet the specifications of the schema/;

/** Renders one Application exactly as Argo CD's repo-server would, through a content-addressed cache. */
export async function renderApp(plan: RenderPlan, deps: RenderDeps): Promise<RenderedApp> {
  const result: RenderedApp = { plan, command: [], findings: [], cached: false };
  const fail = (code: Finding['code'], message: string, location: SourceLocation, hint?: string): RenderedApp => {
    result.findings.push({ code, severity: 'error', message: `${plan.app.name}: ${message}`, hint, location, application: plan.app.name, env: plan.env.name, service: plan.service });
    return result;
  };

  const resolved = await deps.charts.resolveChart(plan.chart);
  if ('error' in resolved) {
    const origin = resolved.code === 'CHART_UNKNOWN' ? plan.chart.nameOrigin : plan.chart.origin[0]!;
    return fail(resolved.code, resolved.error, origin, resolved.hint);
  }
  const revision: ResolvedRevision = resolved;
  result.chart = revision;

  const chart = await chartFor(plan, revision, deps);
  if ('error' in chart) return fail('CHART_DEPENDENCY', chart.error, plan.chart.origin[0]!);
  // The repo-server's ARGOCD_APP_REVISION: the chart version for a Helm repository source, the commit for Git.
  const appRevision = plan.chart.tree.kind === 'release' ? plan.chart.tree.version : revision.commit;

  // Value files are read from their tree and handed to helm as content-addressed copies, so a
  // render of any ref works the same and its cache key is the content, not the path.
  const valueFiles: { display: string; file: string; hash: string }[] = [];
  for (const ref of plan.valueFiles) {
    const text = await readTreeFile(ref.tree, ref.path, deps, plan, revision);
    const field = `${plan.app.manifest.spec.sources ? 'spec.sources' : 'spec.source'}`;
    if (typeof text === 'object') {
      result.findings.push({ ...refusalFinding(text), application: plan.app.name, env: plan.env.name, service: plan.service });
      return result;
    }
    if (text === undefined) {
      if (ref.optional) continue;
      return fail('VALUES_FILE_MISSING', `value file ${ref.raw} (${ref.path}) does not exist`, originFor(plan.app, field), 'Create it, fix the path, or set helm.ignoreMissingValueFiles: true.');
    }
    if (Buffer.byteLength(text) > MAX_FILE_BYTES) {
      return fail('VALUES_FILE_MISSING', `value file ${ref.path} is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB`, { file: ref.path });
    }
    // Helm would fail on these too, but with no file and line; duplicate keys it may even
    // accept, and of several documents it reads the first and drops the rest.
    const syntax = valuesFileFindings(ref.path, text);
    if (syntax.length > 0) {
      result.findings.push(...syntax.map((f) => ({ ...f, application: plan.app.name, env: plan.env.name, service: plan.service })));
      return result;
    }
    valueFiles.push({ display: ref.path, ...(await deps.values.store(text)) });
  }
  const extra = plan.extraValues === undefined ? undefined : await deps.values.store(plan.extraValues);

  const args = buildHelmArgs(plan, { valueFiles: valueFiles.map((v) => v.file), extraValues: extra?.file, revision: appRevision });
  result.command = ['helm', ...buildHelmArgs(plan, { valueFiles: valueFiles.map((v) => v.display), extraValues: extra ? '<inline values>' : undefined, revision: appRevision })];

  const key = createHash('sha256')
    .update(JSON.stringify([deps.helm.version, chart.key, buildHelmArgs(plan, { valueFiles: valueFiles.map((v) => v.hash), extraValues: extra?.hash, revision: appRevision })]))
    .digest('hex');
  const cacheFile = join(deps.cacheDir, 'renders', `${key}.yaml`);
  const hit = readCached(cacheFile);
  if (hit !== undefined) {
    result.manifests = hit;
    result.cached = true;
    return result;
  }

  const { helm, helmSlot: slot } = deps;
  let out = await slot(() => helm.template(chart.dir, args));
  if (!out.ok && out.missingDependency) {
    const error = await slot(() => helm.dependencyBuild(chart.dir));
    if (error) return fail('CHART_DEPENDENCY', `helm dependency build: ${error}`, plan.chart.origin[0]!);
    out = await slot(() => helm.template(chart.dir, args));
  }
  if (!out.ok) {
    // helm names no file: point at the service's most specific value file that exists.
    const ownValues = valueFiles.filter((v) => v.display.startsWith(`services/${plan.service}/`)).map((v) => v.display);
    const where = { file: ownValues[ownValues.length - 1] ?? plan.chart.origin[0]!.file };
    if (deps.renderPastValuesSchema && VALUES_SCHEMA_REFUSED.test(out.error)) {
      // Not cached: these are not the bytes Argo CD would get (it gets none).
      const past = await slot(() => helm.template(chart.dir, [...args, '--skip-schema-validation']));
      if (past.ok) {
        result.manifests = past.stdout;
        result.pastValuesSchema = true;
        return fail('HELM_TEMPLATE_FAILED', `helm refuses the values: ${out.error}`, where, 'Fix the values errors above; the objects were checked as helm renders them without the schema check.');
      }
    }
    const hint = deps.renderPastValuesSchema ? '`gitops render --show-command` prints the helm command line to reproduce it.' : 'Run `gitops lint` to map values errors to their line, or --show-command to reproduce.';
    return fail('HELM_TEMPLATE_FAILED', `helm template failed: ${out.error}`, where, hint);
  }
  result.manifests = out.stdout;
  await writeAtomic(cacheFile, out.stdout);
  return result;
}

/** A registry chart is the released package, extracted where Argo CD extracts a pulled chart; a Git source is the chart directory at its revision. */
function chartFor(plan: RenderPlan, revision: ResolvedRevision, deps: Pick<RenderDeps, 'snapshot' | 'charts'>) {
  const commit = plan.chart.tree.kind === 'snapshot' ? deps.snapshot.commit : revision.commit;
  return plan.chart.registry ? deps.charts.packageAt(commit, plan.chart.path) : deps.charts.materialize(commit, plan.chart.path);
}

/**
 * The Application rendered with `values` in place of all its values (exact provenance reads
 * markers back out of it): same chart, release and flags, helm parameters and value files
 * left out, the chart's schema not checked. Cached by content; undefined when helm fails.
 */
export async function renderWithValues(app: RenderedApp, values: string, deps: Pick<RenderDeps, 'helm' | 'snapshot' | 'charts' | 'cacheDir' | 'values' | 'helmSlot'>): Promise<string | undefined> {
  if (!app.chart || app.manifests === undefined) return undefined;
  const chart = await chartFor(app.plan, app.chart, deps);
  if ('error' in chart) return undefined;
  const plan: RenderPlan = { ...app.plan, set: [], setString: [], extraValues: undefined, skipSchemaValidation: true };
  const stored = await deps.values.store(values);
  const args = buildHelmArgs(plan, { valueFiles: [stored.file], revision: '' });
  const key = createHash('sha256').update(JSON.stringify(['marked', deps.helm.version, chart.key, buildHelmArgs(plan, { valueFiles: [stored.hash], revision: '' })])).digest('hex');
  const cacheFile = join(deps.cacheDir, 'renders', `${key}.yaml`);
  const hit = readCached(cacheFile);
  if (hit !== undefined) return hit;
  const out = await deps.helmSlot(() => deps.helm.template(chart.dir, args));
  if (!out.ok) return undefined;
  await writeAtomic(cacheFile, out.stdout);
  return out.stdout;
}

async function readTreeFile(tree: TreeRef, path: string, deps: RenderDeps, plan: RenderPlan, chartRevision: ResolvedRevision): Promise<string | FileRefusal | undefined> {
  if (tree.kind === 'snapshot') {
    const read = (await deps.snapshot.readFilesChecked([path])).get(path);
    return read?.kind === 'text' ? read.text : read?.kind === 'refused' ? read.refusal : undefined;
  }
  // Value files without $ref live beside the chart, at the chart's revision.
  const resolved = tree.kind === 'release' || tree.revision === plan.chart.revision ? chartRevision : await deps.charts.resolve(tree.revision, '');
  if ('error' in resolved) return undefined;
  return (await deps.git.readBlobs([`${resolved.commit}:${path}`])).get(`${resolved.commit}:${path}`);
}

/**
 * A render from the cache, undefined when there is none. Read in one synchronous call: a warm
 * run reads a thousand of them, and the thread pool's round trips for each cost more than the read.
 */
function readCached(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
