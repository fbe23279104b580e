import { uniqueFindings, type Finding } from '../core/findings.js';
import { parseManifests } from '../core/manifests/manifest.js';
import type { IgnorePath } from '../diff/ignore.js';
import { markdownReport as diffMarkdown } from '../diff/report.js';
import { ChartStore } from '../render/chart-store.js';
import { HelmRunner } from '../runners/helm.js';
import type { EngineName } from '../validate/engine.js';
import type { SchemaSources } from '../validate/schema-dir.js';
import { fetchSchemas } from '../validate/schema-fetch.js';
import { manifestRefs, prepareSchemas } from '../validate/schema-preflight.js';
import { validateManifests } from '../validate/validate-manifests.js';
import type { Workspace } from '../workspace.js';
import { changedCharts, chartDirResolver, loadCharts, type ChartSide } from './check-charts.js';
import { ciPolicyFindings } from './check-ci-policy.js';
import { consumerFindings, renderHead, type CheckRender } from './check-render.js';
import { schemaFindings } from './check-schemas.js';
import { dependencyFindings, packageDiff, releaseFindings, versionFindings } from './check-versions.js';
import { chartImpact } from './impact.js';

/** The verdict on one chart the change touches. */
export interface CheckedChart {
  chart: string;
  /** The version at the base; none for a chart the change adds. */
  baseVersion?: string;
  version?: string;
  /** Why it counts as changed: its files, or a dependency that changed. */
  changed: string[];
  ciFiles: string[];
  /** helm template runs with CI values (files × environments). */
  ciRenders: number;
  /** chart impact's summary over the consumers, with the pins moved to the head. */
  consumers?: { applications: number; changed: number; failing: string[] };
  /** chart impact's Markdown (the per-resource diff of the consumers), for the PR comment. */
  impactMarkdown?: string;
  findings: Finding[];
}

export interface ChartCheck {
  base: { ref: string; commit: string };
  charts: CheckedChart[];
  findings: Finding[];
}

export interface ChartCheckOptions {
  base: { ref: string; commit: string };
  /** Only these charts (all when empty). */
  only?: readonly string[];
  engine: EngineName;
  today: string;
  ignore: IgnorePath[];
  concurrency?: number;
  env?: NodeJS.ProcessEnv;
  onProgress?: (message: string) => void;
}

/**
 * The platform team's pull-request check of every chart the change touches (its files, or a
 * chart it vendors): version raised, released versions unchanged, Chart.lock and file://
 * dependencies in order, breaking values-schema changes only with a major version, and the
 * chart at the head linted and rendered with its CI values and with every consumer's values
 * (chart impact), then validated and put through policy.
 */
export async function chartCheck(ws: Workspace, options: ChartCheckOptions): Promise<ChartCheck> {
  const { git, snapshot } = ws;
  const dir = ws.model.config.charts?.dir ?? 'platform-charts';
  const baseCommit = options.base.commit;
  let helm: Promise<HelmRunner> | undefined;
  const helmRunner = () => (helm ??= HelmRunner.locate({ cacheDir: ws.cacheDir, env: options.env }));
  const store = new ChartStore(git, helmRunner, snapshot, ws.cacheDir);
  const [head, base, changedFiles] = await Promise.all([
    loadCharts(dir, ws.model.files, (paths) => snapshot.readFiles(paths)),
    store.listFilesAt(baseCommit).then((files) => loadCharts(dir, [...files], (paths) => store.readFilesAt(baseCommit, paths))),
    git.changedFiles(baseCommit, snapshot.commit),
  ]);
  const candidates = new Map([...changedCharts(head, changedFiles)].filter(([name]) => !options.only?.length || options.only.includes(name)));
  if (candidates.size === 0) return { base: options.base, charts: [], findings: [] };

  // What changed is what a consumer would get: the package, not the sources (a file .helmignore
  // leaves out, such as ci/, changes nothing). A chart whose package cannot be built stays in.
  const changed = new Map<string, string[]>();
  for (const [name, reasons] of candidates) {
    const diff = base.has(name) ? await packageDiff(store, head.get(name)!.dir, baseCommit) : undefined;
    if (diff === undefined) changed.set(name, reasons);
    else if (diff.length > 0) changed.set(name, diff);
  }
  const chartDirOf = chartDirResolver(head);
  let schemas: Promise<SchemaSources> | undefined;
  const env = options.env ?? process.env;
  const checkCi: CheckRender = async (text, ciFile, kubernetesVersion) => {
    schemas ??= prepareSchemas(ws, { env, kubernetesVersion, cwd: process.cwd() });
    const chartName = ciFile.split('/').at(-3) ?? '';
    const origin = { kind: 'rendered' as const, env: 'ci', service: chartName, application: `${chartName} with ${ciFile.split('/').pop()}` };
    const parsed = parseManifests(ciFile, text, origin, (name) => chartDirOf([name]));
    const { sources } = await fetchSchemas(await schemas, manifestRefs(parsed.manifests, () => kubernetesVersion));
    const validation = await validateManifests(parsed.manifests, { schemas: sources, kubernetesVersion, engine: options.engine, cacheDir: ws.cacheDir, env });
    const policy = ciPolicyFindings(chartName, ciFile, parsed.manifests, [...ws.model.environments.values()], options.today);
    return [...parsed.findings, ...validation.findings, ...policy];
  };
  const baseLabel = `${options.base.ref} (${baseCommit.slice(0, 12)})`;

  const charts: CheckedChart[] = [];
  for (const [name, reasons] of [...changed].sort(([a], [b]) => a.localeCompare(b))) {
    const chart = head.get(name)!;
    const before = base.get(name);
    options.onProgress?.(`checking ${name}`);
    const version = versionFindings(chart, before, reasons, baseLabel);
    const findings: Finding[] = [
      ...version,
      ...schemaFindings(chart, before),
      ...dependencyFindings(chart, head),
      // A version not raised is changed released content already: one finding says it.
      ...(version.length === 0 ? await releaseFindings(chart, store, snapshot.commit) : []),
    ];
    const rendered = await renderHead(ws, chart, store, await helmRunner(), chartDirOf, checkCi);
    findings.push(...rendered.findings);
    const impact = chart.type === 'library' ? undefined : await checkConsumers(ws, chart, options, chartDirOf, findings);
    charts.push({ chart: name, baseVersion: before?.version, version: chart.version, changed: reasons, ciFiles: rendered.ciFiles, ciRenders: rendered.renders, consumers: impact?.consumers, impactMarkdown: impact?.markdown, findings: uniqueFindings(findings) });
  }
  return { base: options.base, charts, findings: uniqueFindings(charts.flatMap((c) => c.findings)) };
}

/** Every consumer rendered with its pin moved to the head (chart impact): what the change breaks. */
async function checkConsumers(ws: Workspace, chart: ChartSide, options: ChartCheckOptions, chartDirOf: ReturnType<typeof chartDirResolver>, findings: Finding[]): Promise<{ consumers: NonNullable<CheckedChart['consumers']>; markdown: string }> {
  const impact = await chartImpact(ws, {
    chart: chart.name,
    engine: options.engine,
    today: options.today,
    ignore: options.ignore,
    chartDirOf,
    concurrency: options.concurrency,
    env: options.env,
    onProgress: (done, total) => options.onProgress?.(`${chart.name}: rendering consumers ${done}/${total}`),
  });
  const apps = impact.applications;
  findings.push(...consumerFindings(chart, apps.flatMap((a) => a.findings)));
  return {
    consumers: { applications: apps.length, changed: apps.filter((a) => a.status !== 'unchanged').length, failing: apps.filter((a) => a.status === 'fails').map((a) => `${a.service}/${a.env}`).sort() },
    markdown: diffMarkdown(impact.diff),
  };
}

async function blobs(ws: Workspace, commit: string, paths: readonly string[]): Promise<Map<string, string | undefined>> {
  const read = await ws.git.readBlobs(paths.map((p) => `${commit}:${p}`));
  return new Map(paths.map((p) => [p, read.get(`${commit}:${p}`)]));
}
