import { posix } from 'node:path';
import { parseYamlMapping, type YamlDoc } from '../core/yaml/parse-yaml.js';

/** A chart's files at one side of the comparison (the base commit, or the head). */
export interface ChartSide {
  name: string;
  /** Repository path: platform-charts/<name>. */
  dir: string;
  chartYaml: string;
  /** Chart.yaml parsed with positions; undefined when it does not parse (lint reports that). */
  doc?: YamlDoc;
  version?: string;
  type: string;
  dependencies: ChartDependency[];
  /** values.schema.json as text, when the chart has one. */
  schema?: string;
  values?: string;
  lock?: string;
}

export interface ChartDependency {
  name: string;
  alias?: string;
  version?: string;
  repository?: string;
  /** Index in Chart.yaml's dependencies, to locate it. */
  index: number;
  /** The chart directory a file:// repository names, repository-relative. */
  localDir?: string;
}

/** Reads files of one side; undefined for a file that side lacks. */
export type ReadFiles = (paths: readonly string[]) => Promise<Map<string, string | undefined>>;

/** Every chart under `chartsDir` of one side, by name (the directory name). */
export async function loadCharts(chartsDir: string, files: readonly string[], read: ReadFiles): Promise<Map<string, ChartSide>> {
  const names = files.map((f) => new RegExp(`^${escapeRegExp(chartsDir)}/([^/]+)/Chart\\.yaml$`).exec(f)?.[1]).filter((n): n is string => n !== undefined);
  const wanted = names.flatMap((n) => ['Chart.yaml', 'values.schema.json', 'values.yaml', 'Chart.lock'].map((f) => `${chartsDir}/${n}/${f}`));
  const texts = await read(wanted);
  const charts = new Map<string, ChartSide>();
  for (const name of names) {
    const dir = `${chartsDir}/${name}`;
    const chartYaml = texts.get(`${dir}/Chart.yaml`) ?? '';
    const { doc } = parseYamlMapping(`${dir}/Chart.yaml`, chartYaml);
    const data = (doc?.data ?? {}) as Record<string, unknown>;
    const deps = Array.isArray(data.dependencies) ? (data.dependencies as unknown[]) : [];
    charts.set(name, {
      name,
      dir,
      chartYaml,
      doc,
      version: data.version === undefined || data.version === null ? undefined : String(data.version),
      type: typeof data.type === 'string' ? data.type : 'application',
      dependencies: deps.map((d, index) => dependency(dir, d, index)),
      schema: texts.get(`${dir}/values.schema.json`),
      values: texts.get(`${dir}/values.yaml`),
      lock: texts.get(`${dir}/Chart.lock`),
    });
  }
  return charts;
}

function dependency(dir: string, raw: unknown, index: number): ChartDependency {
  const d = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const str = (v: unknown) => (v === undefined || v === null ? undefined : String(v));
  const repository = str(d.repository);
  const localDir = repository?.startsWith('file://') ? posix.normalize(posix.join(dir, repository.slice('file://'.length))).replace(/\/$/, '') : undefined;
  return { name: str(d.name) ?? '', alias: str(d.alias), version: str(d.version), repository, index, localDir };
}

/**
 * The charts whose package changes: those with a changed file, and every chart that vendors
 * one of them through file:// dependencies, transitively. Each with why.
 */
export function changedCharts(charts: Map<string, ChartSide>, changedFiles: readonly string[]): Map<string, string[]> {
  const reasons = new Map<string, string[]>();
  for (const chart of charts.values()) {
    const own = changedFiles.filter((f) => f.startsWith(`${chart.dir}/`)).map((f) => f.slice(chart.dir.length + 1));
    if (own.length > 0) reasons.set(chart.name, own);
  }
  // A library change reaches every chart built on it, and the charts built on those.
  for (let grew = true; grew; ) {
    grew = false;
    for (const chart of charts.values()) {
      for (const dep of chart.dependencies) {
        const target = [...charts.values()].find((c) => c.dir === dep.localDir);
        if (!target || !reasons.has(target.name) || target.name === chart.name) continue;
        const why = `its dependency ${target.name} changed`;
        const list = reasons.get(chart.name) ?? [];
        if (!list.includes(why)) {
          reasons.set(chart.name, [...list, why]);
          grew = true;
        }
      }
    }
  }
  return reasons;
}

/**
 * Where helm's chart chain lives in the repository: the root chart by name, each subchart by
 * the file:// dependency its parent names it with (its alias, else its name).
 */
export function chartDirResolver(charts: Map<string, ChartSide>): (chain: readonly string[]) => string | undefined {
  const byDir = new Map([...charts.values()].map((c) => [c.dir, c]));
  return (chain) => {
    let chart = charts.get(chain[0]!);
    for (const sub of chain.slice(1)) {
      const dep = chart?.dependencies.find((d) => (d.alias ?? d.name) === sub);
      chart = dep?.localDir ? byDir.get(dep.localDir) : undefined;
    }
    return chart?.dir;
  };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
