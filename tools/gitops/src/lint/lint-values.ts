import { parse as parseYaml } from 'yaml';
import type { Finding } from '../core/findings.js';
import { envsubst } from '../core/render/helm-args.js';
import { originFor, type RenderPlan, type TreeRef } from '../core/render/plan.js';
import { checkValues } from '../core/values/check-values.js';
import { fileLayer, isMap, mergeLayers, type ValueLayer } from '../core/values/layers.js';
import { setValue } from '../core/values/set-values.js';
import { parseYamlDocs } from '../core/yaml/parse-yaml.js';
import type { ChartStore } from '../render/chart-store.js';
import type { Workspace } from '../workspace.js';

/** Chart files at a commit, shared by the Applications that pin the same version. */
export type BlobCache = Map<string, Promise<string | undefined>>;

/**
 * Checks the merged values of one Application against its chart's values.schema.json, the
 * same value-file chain and parameters as the render, each error at the line that set it.
 */
export async function lintValues(plan: RenderPlan, ws: Workspace, charts: ChartStore, blobs: BlobCache): Promise<Finding[]> {
  const base = { application: plan.app.name, env: plan.env.name, service: plan.service };
  let chartTree: TreeRef = plan.chart.tree;
  let chartCommit: string | undefined;
  if (chartTree.kind === 'revision') {
    const resolved = await charts.resolve(plan.chart.revision, plan.chart.path);
    // An unresolvable pin is the render's finding; nothing to check here.
    if ('error' in resolved) return [];
    chartCommit = resolved.commit;
  }
  const read = async (tree: TreeRef, path: string): Promise<string | undefined> => {
    if (tree.kind === 'snapshot') return (await ws.snapshot.readFiles([path])).get(path);
    const commit = tree.revision === plan.chart.revision ? chartCommit : undefined;
    if (!commit) return undefined;
    const spec = `${commit}:${path}`;
    let hit = blobs.get(spec);
    if (!hit) {
      hit = ws.git.readBlobs([spec]).then((m) => m.get(spec));
      blobs.set(spec, hit);
    }
    return hit;
  };

  const schemaFile = `${plan.chart.path}/values.schema.json`;
  const schemaText = await read(chartTree, schemaFile);
  if (schemaText === undefined) return [];

  const layers: ValueLayer[] = [];
  const chartValuesFile = `${plan.chart.path}/values.yaml`;
  const chartValues = await read(chartTree, chartValuesFile);
  // Syntax problems are lintFiles' findings; a file that does not parse adds nothing here.
  if (chartValues !== undefined) layers.push(fileLayer('chart', parseYamlDocs(chartValuesFile, chartValues, '1.1').docs[0], chartValuesFile));
  for (const ref of plan.valueFiles) {
    const text = await read(ref.tree, ref.path);
    if (text === undefined) continue;
    const parsed = parseYamlDocs(ref.path, text, '1.1');
    if (parsed.findings.length > 0) return [];
    layers.push(fileLayer('file', parsed.docs[0], ref.path));
  }
  layers.push(...parameterLayers(plan));
  if (plan.extraValues !== undefined) {
    const data: unknown = parseYaml(plan.extraValues, { version: '1.1' });
    const field = `${plan.app.manifest.spec.sources ? 'spec.sources' : 'spec.source'}`;
    if (isMap(data)) layers.push({ kind: 'inline', data, locate: () => originFor(plan.app, field) });
  }

  // helm adds `global` and one key per dependency before validating.
  const chartYaml = await read(chartTree, `${plan.chart.path}/Chart.yaml`);
  const implicit: Record<string, unknown> = { global: {} };
  const deps = (chartYaml ? (parseYaml(chartYaml) as { dependencies?: { name?: string; alias?: string }[] } | null) : null)?.dependencies ?? [];
  for (const dep of deps) if (dep.alias ?? dep.name) implicit[(dep.alias ?? dep.name)!] = {};
  const merged = mergeLayers([{ kind: 'chart', data: implicit, locate: () => ({ file: chartValuesFile }) }, ...layers]);

  const ownValues = plan.valueFiles.filter((v) => v.path.startsWith(`services/${plan.service}/`));
  return checkValues(layers, merged, schemaText, {
    ...base,
    schemaFile,
    defaultFile: ownValues[0]?.path ?? `services/${plan.service}/values.yaml`,
  });
}

/** One layer per helm parameter, located at the Application field (and so the service.yaml line) it came from. */
function parameterLayers(plan: RenderPlan): ValueLayer[] {
  const spec = plan.app.manifest.spec;
  const sources = spec.sources ?? (spec.source ? [spec.source] : []);
  const vars = { ...plan.envVars, ARGOCD_APP_REVISION: '', ARGOCD_APP_REVISION_SHORT: '' };
  const fieldOf = (name: string): string => {
    for (const [i, source] of sources.entries()) {
      const index = source.helm?.parameters?.findIndex((p) => p.name === name) ?? -1;
      if (index >= 0) return `${spec.sources ? `spec.sources.${i}` : 'spec.source'}.helm.parameters.${index}.value`;
    }
    return 'spec';
  };
  const layers: ValueLayer[] = [];
  for (const [entries, asString] of [[plan.set, false], [plan.setString, true]] as const) {
    for (const [name, value] of entries) {
      const data: Record<string, unknown> = {};
      setValue(data, name, envsubst(value, vars), asString);
      const origin = originFor(plan.app, fieldOf(name));
      layers.push({ kind: 'parameter', data, locate: () => origin });
    }
  }
  return layers;
}
