import { visit, Scalar } from 'yaml';
import type { Finding } from '../core/findings.js';
import { posix } from 'node:path';
import { refusalFinding } from '../core/repo/snapshot.js';
import { locate, parseValuesFile, parseYamlDocs, type YamlDoc } from '../core/yaml/parse-yaml.js';
import type { Workspace } from '../workspace.js';

/** The YAML a person edits: everything under these trees except chart templates (Go templates, not YAML). */
const LINTED = /^(services|environments|argocd|platform-charts)\/.*\.ya?ml$/;
const TEMPLATE = /^platform-charts\/.*\/templates\//;
const CHART_YAML = /^platform-charts\/[^/]+\/Chart\.yaml$/;
/** Files helm reads as values, with YAML 1.1 rules. */
const VALUES_FILE = /^(services\/[^/]+\/values(-[^/]+)?|environments\/[^/]+\/values|platform-charts\/[^/]+\/values)\.ya?ml$/;

/** YAML 1.1 plain scalars that YAML 1.2 reads as strings but helm does not. */
const YAML11_BOOL = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/;
const YAML11_NUMBER = /^[-+]?(0[0-7_]+|0b[01_]+|\d[\d_]*(:[0-5]?\d)+(\.\d*)?)$/;

/**
 * Syntax, duplicate keys, alias bombs, tabs and YAML 1.1 surprises in every YAML file a person
 * edits; values files as helm reads them (one mapping document); files the guard refuses;
 * chart directories that are not charts.
 */
export async function lintFiles(ws: Workspace): Promise<Finding[]> {
  const paths = ws.model.files.filter((f) => LINTED.test(f) && !TEMPLATE.test(f));
  const reads = await ws.snapshot.readFilesChecked(paths);
  const findings: Finding[] = [...chartDirectories(ws.model.files)];
  for (const file of paths) {
    const read = reads.get(file);
    if (!read || read.kind === 'missing') continue;
    if (read.kind === 'refused') {
      findings.push(refusalFinding(read.refusal));
      continue;
    }
    const text = read.text;
    findings.push(...tabs(file, text));
    if (VALUES_FILE.test(file)) {
      const parsed = parseValuesFile(file, text);
      findings.push(...parsed.findings);
      if (parsed.doc) findings.push(...yaml11Surprises(parsed.doc));
      continue;
    }
    const parsed = parseYamlDocs(file, text);
    findings.push(...parsed.findings);
    if (CHART_YAML.test(file) && parsed.docs[0]) findings.push(...dependencyPaths(parsed.docs[0]));
  }
  return findings;
}

/** Each directory under platform-charts/ is a chart: without Chart.yaml helm cannot render it, and Argo CD fails every Application that uses it. */
function chartDirectories(files: readonly string[]): Finding[] {
  const dirs = new Map<string, boolean>();
  for (const f of files) {
    const m = /^platform-charts\/([^/]+)\/(.+)$/.exec(f);
    if (!m) continue;
    dirs.set(m[1]!, (dirs.get(m[1]!) ?? false) || m[2] === 'Chart.yaml');
  }
  return [...dirs]
    .filter(([, hasChart]) => !hasChart)
    .map(([dir]) => ({
      code: 'CHART_YAML_MISSING' as const,
      severity: 'error' as const,
      message: `platform-charts/${dir}/ has no Chart.yaml: it is not a chart`,
      hint: 'Restore Chart.yaml, or remove the directory if the chart is gone.',
      location: { file: `platform-charts/${dir}/Chart.yaml` },
    }));
}

/** file:// dependencies are read from disk by `helm dependency build`: they must stay among the platform charts. */
function dependencyPaths(doc: YamlDoc): Finding[] {
  const deps = (doc.data as { dependencies?: unknown } | null)?.dependencies;
  if (!Array.isArray(deps)) return [];
  const chartDir = posix.dirname(doc.file);
  const out: Finding[] = [];
  deps.forEach((dep, i) => {
    const repository = (dep as { repository?: unknown } | null)?.repository;
    if (typeof repository !== 'string' || !repository.startsWith('file://')) return;
    const target = posix.normalize(posix.join(chartDir, repository.slice('file://'.length)));
    if (repository.slice('file://'.length).startsWith('/') || !target.startsWith('platform-charts/')) {
      out.push({
        code: 'CHART_DEPENDENCY',
        severity: 'error',
        message: `dependency repository ${repository} points outside platform-charts/`,
        hint: 'A file:// dependency is another chart of this repository: file://../<chart>.',
        location: locate(doc, ['dependencies', i, 'repository']),
      });
    }
  });
  return out;
}

/** Tabs in indentation: helm's YAML reader rejects them even where a lenient parser does not. */
function tabs(file: string, text: string): Finding[] {
  const out: Finding[] = [];
  text.split('\n').forEach((line, i) => {
    const indent = /^[ \t]*/.exec(line)![0];
    const at = indent.indexOf('\t');
    if (at >= 0 && line.trim()) {
      out.push({ code: 'YAML_TAB', severity: 'error', message: 'tab in indentation', hint: 'Indent YAML with spaces.', location: { file, line: i + 1, column: at + 1 } });
    }
  });
  return out;
}

function yaml11Surprises(doc: YamlDoc): Finding[] {
  const out: Finding[] = [];
  visit(doc.doc, {
    // Keys too: `on:` becomes the key "true".
    Scalar(_, node) {
      if (node.type !== Scalar.PLAIN || !node.range) return;
      const text = node.source ?? String(node.value);
      const bool = YAML11_BOOL.test(text);
      if (!bool && !YAML11_NUMBER.test(text)) return;
      const pos = doc.lines.linePos(node.range[0]);
      out.push({
        code: 'VALUES_YAML11',
        severity: 'warning',
        message: `${JSON.stringify(text)} is read by helm as ${bool ? 'a boolean' : 'a number'}, not the string it looks like (YAML 1.1)`,
        hint: `Quote it ("${text}") if a string is meant${bool ? ', or write true/false' : ''}.`,
        location: { file: doc.file, line: pos.line, column: pos.col },
      });
    },
  });
  return out;
}
