import { hash } from 'node:crypto';
import type { Finding, SourceLocation } from '../core/findings.js';
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
import { MemoTable } from '../memo-table.js';
import type { Workspace } from '../workspace.js';
import { ownReplicaCounts, shadowedByParameters } from './no-effect.js';
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

/** The texts one Application's values are read from (undefined: the file is not there). */
export interface AppValueInputs {
  chartValues?: string;
  files: { path: string; text?: string }[];
  chartYaml?: string;
  schema?: string;
}

/**
 * Reads the chart defaults, the value files, Chart.yaml and values.schema.json of one
 * Application from the trees the render reads them from. Undefined when the chart cannot be
 * resolved: that is another finding.
 */
async function readAppValueInputs(plan: RenderPlan, ws: Workspace, charts: ChartStore): Promise<AppValueInputs | undefined> {
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
  const files = await Promise.all(plan.valueFiles.map(async (ref) => ({ path: ref.path, text: await read(ref.tree, ref.path) })));
  return {
    chartValues: await read(plan.chart.tree, `${plan.chart.path}/values.yaml`),
    files,
    chartYaml: await read(plan.chart.tree, `${plan.chart.path}/Chart.yaml`),
    schema: await read(plan.chart.tree, `${plan.chart.path}/values.schema.json`),
  };
}

/**
 * The values helm merges for one Application, as helm reads them (YAML 1.1), from its inputs:
 * the chart defaults, the value files, the parameters and the inline values, in that order.
 * Undefined when a value file does not parse: that is lint-files' finding.
 */
function buildAppValues(plan: RenderPlan, inputs: AppValueInputs): AppValues | undefined {
  const layers: ValueLayer[] = [];
  const chartValuesFile = `${plan.chart.path}/values.yaml`;
  if (inputs.chartValues !== undefined) layers.push(fileLayer('chart', parseValuesFile(chartValuesFile, inputs.chartValues).doc, chartValuesFile));
  for (const { path, text } of inputs.files) {
    if (text === undefined) continue;
    const parsed = parseValuesFile(path, text);
    if (parsed.findings.length > 0) return undefined;
    layers.push(fileLayer('file', parsed.doc, path));
  }
  layers.push(...parameterLayers(plan));
  const inline = inlineLayer(plan);
  if (inline) layers.push(inline);

  // helm adds `global` and one key per dependency before validating.
  const implicit: Record<string, unknown> = { global: {} };
  const deps = (inputs.chartYaml ? (parseYamlDocs(`${plan.chart.path}/Chart.yaml`, inputs.chartYaml).docs[0]?.data as { dependencies?: unknown } | null) : null)?.dependencies;
  for (const dep of Array.isArray(deps) ? (deps as ({ name?: unknown; alias?: unknown } | null)[]) : []) {
    const key = dep?.alias ?? dep?.name;
    if (typeof key === 'string' && key) implicit[key] = {};
  }
  const merged = mergeLayers([{ kind: 'chart', data: implicit, locate: () => ({ file: chartValuesFile }) }, ...layers]);
  const schemaFile = `${plan.chart.path}/values.schema.json`;
  return { layers, merged, schema: inputs.schema === undefined ? undefined : { file: schemaFile, text: inputs.schema }, defaultFile: defaultFileOf(plan) };
}

/** Where a key the service must add goes when no file holds its parent map: its first own value file. */
function defaultFileOf(plan: RenderPlan): string {
  return plan.valueFiles.find((v) => v.path.startsWith(`services/${plan.service}/`))?.path ?? `services/${plan.service}/values.yaml`;
}

function inlineLayer(plan: RenderPlan): ValueLayer | undefined {
  if (plan.extraValues === undefined) return undefined;
  const data: unknown = parseYamlDocs('<inline values>', plan.extraValues, '1.1').docs[0]?.data;
  const origin = inlineOrigin(plan);
  return isMap(data) ? { kind: 'inline', data, locate: () => origin } : undefined;
}

/** Where inline values are written: the Application's source. */
function inlineOrigin(plan: RenderPlan): SourceLocation {
  return originFor(plan.app, plan.app.manifest.spec.sources ? 'spec.sources' : 'spec.source');
}

/**
 * What lint and check conclude from one Application's values alone, kept between runs by
 * everything it is computed from: a run over values that did not change neither parses,
 * merges nor validates them.
 */
export interface ValuesFacts {
  /** The values against the chart's values.schema.json (lintValues). */
  lint: Finding[];
  /** Keys of value files that a helm parameter sets again (VALUES_NO_EFFECT). */
  shadowed: Finding[];
  /** Where the service's own files set a top-level replica count, by key (VALUES_NO_EFFECT, with the rendered autoscaler). */
  replicas: { key: string; location: SourceLocation }[];
}

function isValuesFacts(value: unknown): boolean {
  const v = value as Partial<ValuesFacts> | null;
  return typeof v === 'object' && v !== null && Array.isArray(v.lint) && Array.isArray(v.shadowed) && Array.isArray(v.replicas);
}

/** Facts of a fleet several times over: the least recently used go first. */
const MAX_FACTS = 20_000;

/**
 * Each Application's values, read once per run however many stages ask (lint checks them,
 * findings about rendered fields trace back through them).
 */
export class AppValuesCache {
  private readonly inputs = new Map<string, Promise<AppValueInputs | undefined>>();
  private readonly values = new Map<string, Promise<AppValues | undefined>>();
  private readonly facts = new Map<string, Promise<ValuesFacts | undefined>>();
  private readonly remembered: MemoTable<ValuesFacts>;
  /** Each text's digest, once per run: a chart's values.yaml and schema key every Application of its version. */
  private readonly digests = new Map<string, string>();
  private readonly validators = new Map<string, ValidateFunction | { error: string }>();
  // A chart's schema and a values file are shared by many Applications (a service's values.yaml by each environment).
  private readonly schemas = new Map<string, { schema: unknown } | undefined>();
  private readonly numbers = new WeakMap<YamlDoc, Map<string, Finding[]>>();

  constructor(
    private readonly ws: Workspace,
    // Versions resolve from Git alone: no helm needed.
    private readonly charts = new ChartStore(ws.git, undefined, ws.snapshot, ws.cacheDir),
  ) {
    this.remembered = new MemoTable(ws.cacheDir, 'values-facts', '', MAX_FACTS, isValuesFacts);
  }

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

  /** The texts an Application's values are read from, read once per run. */
  private inputsOf(plan: RenderPlan): Promise<AppValueInputs | undefined> {
    return once(this.inputs, plan.app.name, () => readAppValueInputs(plan, this.ws, this.charts));
  }

  /** An Application's values with their layers, read once per run; undefined when the chart does not resolve or a value file does not parse. */
  get(plan: RenderPlan): Promise<AppValues | undefined> {
    return once(this.values, plan.app.name, async () => {
      const inputs = await this.inputsOf(plan);
      return inputs && buildAppValues(plan, inputs);
    });
  }

  /** What lint and check conclude from an Application's values, remembered between runs by what it is computed from. */
  factsOf(plan: RenderPlan): Promise<ValuesFacts | undefined> {
    return once(this.facts, plan.app.name, async () => {
      const inputs = await this.inputsOf(plan);
      if (!inputs) return undefined;
      const key = this.factsKey(plan, inputs);
      const hit = this.remembered.get(key);
      if (hit) return hit;
      const values = await this.get(plan);
      const facts: ValuesFacts = values
        ? { lint: schemaFindings(plan, values, this), shadowed: shadowedByParameters(plan, values), replicas: ownReplicaCounts(plan, values) }
        : { lint: [], shadowed: [], replicas: [] };
      this.remembered.set(key, facts);
      return facts;
    });
  }

  /** Everything values facts are computed from: the Application, the texts, the parameters and inline values with where they are written. */
  private factsKey(plan: RenderPlan, inputs: AppValueInputs): string {
    const digest = (text: string | undefined): string | null => {
      if (text === undefined) return null;
      let hit = this.digests.get(text);
      if (hit === undefined) this.digests.set(text, (hit = hash('sha256', text, 'base64url')));
      return hit;
    };
    const parameters = parameterLayers(plan).map((l) => [l.data, l.locate([])]);
    const inline = plan.extraValues === undefined ? null : [plan.extraValues, inlineOrigin(plan)];
    return hash(
      'sha256',
      JSON.stringify([
        plan.app.name,
        plan.env.name,
        plan.service,
        plan.chart.path,
        defaultFileOf(plan),
        digest(inputs.chartValues),
        digest(inputs.chartYaml),
        digest(inputs.schema),
        inputs.files.map((f) => [f.path, digest(f.text)]),
        parameters,
        inline,
      ]),
      'base64url',
    );
  }
}

function once<T>(map: Map<string, Promise<T>>, key: string, compute: () => Promise<T>): Promise<T> {
  let hit = map.get(key);
  if (!hit) map.set(key, (hit = compute()));
  return hit;
}

/** The merged values of one Application against its chart's values.schema.json, each error at the line that set it. */
export async function lintValues(plan: RenderPlan, values: AppValuesCache): Promise<Finding[]> {
  return (await values.factsOf(plan))?.lint ?? [];
}

function schemaFindings(plan: RenderPlan, appValues: AppValues, values: AppValuesCache): Finding[] {
  if (!appValues.schema) return [];
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
