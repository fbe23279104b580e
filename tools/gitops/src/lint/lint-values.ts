import type { Finding } from '../core/findings.js';
import { buildEnv, envsubst } from '../core/render/helm-args.js';
import { originFor, type RenderPlan, type TreeRef } from '../core/render/plan.js';
import type { ValidateFunction } from 'ajv';
import { checkValues, valuesSchema } from '../core/values/check-values.js';
import { fileLayer, isMap, mergeLayers, type ValueLayer } from '../core/values/layers.js';
import { schemaTypesAt } from '../core/values/schema-types.js';
import { setValue } from '../core/values/set-values.js';
import { parseValuesFile, parseYamlDocs, type YamlDoc } from '../core/yaml/parse-yaml.js';
import { ChartStore } from '../render/chart-store.js';
import { compileCached } from '../validate/compiled-validators.js';
import type { Workspace } from '../workspace.js';
import { yaml11Findings } from './yaml11.js';


/** The values helm merges for one Application, each layer able to say where a path is written. */
export interface AppValues {
  layers: ValueLayer[];
  merged: Record<string, unknown>;
  /** The chart's values.schema.json and its path, when the chart has one. */
  schema?: { file: string; text: string };
  /** Where a key the service must add goes when no file holds its parent map. */
  defaultFile: string;
}

/**
 * Reads the chart defaults, the value files, the parameters and the inline values of one
 * Application (the same chain as the render) as helm reads them, YAML 1.1. Undefined when
 * the chart cannot be resolved or a file does not parse: those are other findings.
 */
async function loadAppValues(plan: RenderPlan, ws: Workspace, charts: ChartStore): Promise<AppValues | undefined> {
  let chartCommit: string | undefined;
  if (plan.chart.tree.kind !== 'snapshot') {
    const resolved = await charts.resolveChart(plan.chart);
    if ('error' in resolved) return undefined;
    chartCommit = resolved.commit;
    // The chart files read below, in one git process for every Application of this version.
    await charts.readFilesAt(chartCommit, ['values.yaml', 'Chart.yaml', 'values.schema.json'].map((f) => `${plan.chart.path}/${f}`));
  }
  const read = async (tree: TreeRef, path: string): Promise<string | undefined> => {
    // A file the guard refuses is lint-files' finding; here it is as good as missing.
    if (tree.kind === 'snapshot') {
      const got = (await ws.snapshot.readFilesChecked([path])).get(path);
      return got?.kind === 'text' ? got.text : undefined;
    }
    let commit = tree.kind === 'release' || tree.revision === plan.chart.revision ? chartCommit : undefined;
    // A $values source pinned to a commit (releases.<env>.config): its files as of that commit.
    if (!commit && tree.kind === 'revision') {
      const resolved = await charts.resolve(tree.revision, '');
      if (!('error' in resolved)) commit = resolved.commit;
    }
    if (!commit) return undefined;
    return (await charts.readFilesAt(commit, [path])).get(path);
  };

  const layers: ValueLayer[] = [];
  const chartValuesFile = `${plan.chart.path}/values.yaml`;
  const chartValues = await read(plan.chart.tree, chartValuesFile);
  if (chartValues !== undefined) layers.push(fileLayer('chart', parseValuesFile(chartValuesFile, chartValues).doc, chartValuesFile));
  for (const ref of plan.valueFiles) {
    const text = await read(ref.tree, ref.path);
    if (text === undefined) continue;
    const parsed = parseValuesFile(ref.path, text);
    if (parsed.findings.length > 0) return undefined;
    layers.push(fileLayer('file', parsed.doc, ref.path));
  }
  layers.push(...parameterLayers(plan));
  if (plan.extraValues !== undefined) {
    const data: unknown = parseYamlDocs('<inline values>', plan.extraValues, '1.1').docs[0]?.data;
    const field = `${plan.app.manifest.spec.sources ? 'spec.sources' : 'spec.source'}`;
    if (isMap(data)) layers.push({ kind: 'inline', data, locate: () => originFor(plan.app, field) });
  }

  // helm adds `global` and one key per dependency before validating.
  const chartYaml = await read(plan.chart.tree, `${plan.chart.path}/Chart.yaml`);
  const implicit: Record<string, unknown> = { global: {} };
  const deps = (chartYaml ? (parseYamlDocs(`${plan.chart.path}/Chart.yaml`, chartYaml).docs[0]?.data as { dependencies?: unknown } | null) : null)?.dependencies;
  for (const dep of Array.isArray(deps) ? (deps as ({ name?: unknown; alias?: unknown } | null)[]) : []) {
    const key = dep?.alias ?? dep?.name;
    if (typeof key === 'string' && key) implicit[key] = {};
  }
  const merged = mergeLayers([{ kind: 'chart', data: implicit, locate: () => ({ file: chartValuesFile }) }, ...layers]);

  const schemaFile = `${plan.chart.path}/values.schema.json`;
  const schemaText = await read(plan.chart.tree, schemaFile);
  const ownValues = plan.valueFiles.filter((v) => v.path.startsWith(`services/${plan.service}/`));
  return { layers, merged, schema: schemaText === undefined ? undefined : { file: schemaFile, text: schemaText }, defaultFile: ownValues[0]?.path ?? `services/${plan.service}/values.yaml` };
}

/**
 * Each Application's values, read once per run however many stages ask (lint checks them,
 * findings about rendered fields trace back through them).
 */
export class AppValuesCache {
  private readonly values = new Map<string, Promise<AppValues | undefined>>();
  private readonly validators = new Map<string, ValidateFunction | { error: string }>();
  // A chart's schema and a values file are shared by many Applications (a service's values.yaml by each environment).
  private readonly schemas = new Map<string, { schema: unknown } | undefined>();
  private readonly numbers = new WeakMap<YamlDoc, Map<string, Finding[]>>();

  constructor(
    private readonly ws: Workspace,
    // Versions resolve from Git alone: no helm needed.
    private readonly charts = new ChartStore(ws.git, undefined, ws.snapshot, ws.cacheDir),
  ) {}

  /** A chart's values.schema.json compiled once per content and run, its code kept between runs. */
  validator(schemaText: string): ValidateFunction | { error: string } {
    let hit = this.validators.get(schemaText);
    if (!hit) {
      const schema = valuesSchema(schemaText);
      try {
        hit = 'error' in schema ? schema : compileCached(schema.ajv, schema.schema, schema.flavour, this.ws.cacheDir);
      } catch (err) {
        hit = { error: (err as Error).message };
      }
      this.validators.set(schemaText, hit);
    }
    return hit;
  }

  /** The leading-zero numbers of one values file under a chart's schema, judged once per file, schema and run. */
  leadingZeroNumbers(doc: YamlDoc, schemaText: string): Finding[] {
    if (!this.schemas.has(schemaText)) {
      try {
        this.schemas.set(schemaText, { schema: JSON.parse(schemaText) as unknown });
      } catch {
        this.schemas.set(schemaText, undefined);
      }
    }
    const parsed = this.schemas.get(schemaText);
    if (!parsed) return [];
    let bySchema = this.numbers.get(doc);
    if (!bySchema) this.numbers.set(doc, (bySchema = new Map()));
    let found = bySchema.get(schemaText);
    if (!found) {
      found = yaml11Findings(doc, (path) => schemaTypesAt(parsed.schema, path)).filter((f) => f.code === 'VALUES_YAML11_NUMBER');
      bySchema.set(schemaText, found);
    }
    return found;
  }

  get(plan: RenderPlan): Promise<AppValues | undefined> {
    let hit = this.values.get(plan.app.name);
    if (!hit) {
      hit = loadAppValues(plan, this.ws, this.charts);
      this.values.set(plan.app.name, hit);
    }
    return hit;
  }
}

/** The merged values of one Application against its chart's values.schema.json, each error at the line that set it. */
export async function lintValues(plan: RenderPlan, values: AppValuesCache): Promise<Finding[]> {
  const appValues = await values.get(plan);
  if (!appValues?.schema) return [];
  return [
    ...leadingZeroNumbers(appValues, values),
    ...checkValues(appValues.layers, appValues.merged, values.validator(appValues.schema.text), {
      application: plan.app.name,
      env: plan.env.name,
      service: plan.service,
      schemaFile: appValues.schema.file,
      defaultFile: appValues.defaultFile,
    }),
  ];
}

/**
 * The leading-zero numbers of the value files this Application reads, each with the fix the
 * chart's schema asks for at its path (lint-files reports them too, without a schema: the
 * finding with the schema's hint comes first and wins the deduplication).
 */
function leadingZeroNumbers(appValues: AppValues, values: AppValuesCache): Finding[] {
  return appValues.layers.filter((l) => l.kind === 'file' && l.doc).flatMap((l) => values.leadingZeroNumbers(l.doc!, appValues.schema!.text));
}

/** One layer per helm parameter, located at the Application field (and so the service.yaml line) it came from. */
function parameterLayers(plan: RenderPlan): ValueLayer[] {
  const spec = plan.app.manifest.spec;
  const sources = spec.sources ?? (spec.source ? [spec.source] : []);
  // A Git source's commit is not known here; a registry source's revision is its version.
  const vars = buildEnv(plan, plan.chart.tree.kind === 'release' ? plan.chart.tree.version : '');
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
