import { hash } from 'node:crypto';
import type { Finding } from '../core/findings.js';
import { posix } from 'node:path';
import { refusalFinding } from '../core/repo/snapshot.js';
import { fileRole } from '../core/repo/file-limits.js';
import { locate, parseValuesFile, parseYamlDocs, parseYamlMapping, type YamlDoc } from '../core/yaml/parse-yaml.js';
import { MemoTable } from '../memo-table.js';
import type { Workspace } from '../workspace.js';
import { yaml11Findings } from './yaml11.js';

/** The YAML a person edits: everything under these trees except chart templates (Go templates, not YAML). */
const LINTED = /^(services|environments|argocd|platform-charts)\/.*\.ya?ml$/;
const GUARDED = /^(services|environments|argocd|platform-charts)\//;
const TEMPLATE = /^platform-charts\/.*\/templates\//;
const CHART_YAML = /^platform-charts\/[^/]+\/Chart\.yaml$/;
const VALUES_SCHEMA = /^platform-charts\/[^/]+\/values\.schema\.json$/;
/** Files helm reads as values, with YAML 1.1 rules. */
const VALUES_FILE = /^(services\/[^/]+\/values(-[^/]+)?|environments\/[^/]+\/values|platform-charts\/[^/]+\/values)\.ya?ml$/;


/**
 * Syntax, duplicate keys, alias bombs, tabs and YAML 1.1 surprises in every YAML file a person
 * edits; values files as helm reads them (one mapping document); files the guard refuses;
 * chart directories that are not charts.
 */
export async function lintFiles(ws: Workspace): Promise<Finding[]> {
  // Every file of these trees goes through the guard, YAML or not: a symlink out of the
  // repository or a binary blob is refused wherever it is (Argo CD refuses the whole repo).
  const guarded = ws.model.files.filter((f) => GUARDED.test(f));
  const reads = await ws.snapshot.readFilesChecked(guarded);
  const remembered = new MemoTable<Finding[]>(ws.cacheDir, 'file-lint', '', MAX_REMEMBERED, Array.isArray);
  const findings: Finding[] = [...chartDirectories(ws.model.files)];
  for (const file of guarded) {
    const read = reads.get(file);
    if (!read || read.kind === 'missing') continue;
    if (read.kind === 'refused') {
      findings.push(refusalFinding(read.refusal));
      continue;
    }
    if (!VALUES_SCHEMA.test(file) && (!LINTED.test(file) || TEMPLATE.test(file))) continue;
    // A file's findings depend on its path and text alone.
    const key = hash('sha256', `${file}\0${read.text}`, 'base64url');
    let found = remembered.get(key);
    if (!found) remembered.set(key, (found = lintText(file, read.text)));
    findings.push(...found);
  }
  return findings;
}

/** Files of several repositories and branches: the least recently used go first. */
const MAX_REMEMBERED = 50_000;

/** The findings of one file a person edits, from its path and text. */
function lintText(file: string, text: string): Finding[] {
  if (VALUES_SCHEMA.test(file)) return schemaShape(file, text);
  const findings = tabs(file, text);
  if (VALUES_FILE.test(file)) {
    const parsed = parseValuesFile(file, text);
    findings.push(...parsed.findings);
    if (parsed.doc) findings.push(...yaml11Findings(parsed.doc));
    return findings;
  }
  const role = fileRole(file);
  if (role === 'project' || role === 'waivers' || CHART_YAML.test(file)) {
    const parsed = parseYamlMapping(file, text);
    findings.push(...parsed.findings);
    if (parsed.doc && role === 'project') findings.push(...projectShape(parsed.doc));
    if (parsed.doc && CHART_YAML.test(file)) findings.push(...chartShape(parsed.doc), ...dependencyPaths(parsed.doc));
    return findings;
  }
  findings.push(...parseYamlDocs(file, text).findings);
  return findings;
}

/** An AppProject file holds one AppProject: anything else leaves the team without its project, and Argo CD refuses its Applications. */
function projectShape(doc: YamlDoc): Finding[] {
  const data = doc.data as { kind?: unknown; metadata?: { name?: unknown } | null; spec?: unknown };
  const problem =
    data.kind !== 'AppProject'
      ? { path: ['kind'], message: `kind ${JSON.stringify(data.kind ?? null)}: only AppProjects belong in argocd/projects/` }
      : typeof data.metadata?.name !== 'string' || !data.metadata.name
        ? { path: ['metadata'], message: 'metadata.name is required' }
        : data.spec === undefined || data.spec === null || typeof data.spec !== 'object' || Array.isArray(data.spec)
          ? { path: ['spec'], message: 'spec must be a mapping' }
          : undefined;
  if (!problem) return [];
  return [{ code: 'PROJECT_SCHEMA', severity: 'error', message: problem.message, hint: 'Write an argoproj.io/v1alpha1 AppProject.', location: locate(doc, problem.path) }];
}

/**
 * A chart's values.schema.json as the working tree has it: helm refuses to render with a
 * schema that is not a JSON object, but lint compiles schemas of pinned versions only, so
 * a broken schema at the head would pass until it is released.
 */
function schemaShape(file: string, text: string): Finding[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return [{ code: 'VALUES_SCHEMA_BROKEN', severity: 'error', message: `not valid JSON: ${(err as Error).message}`, hint: 'Fix the JSON: helm refuses to render the chart with it.', location: { file } }];
  }
  if (data !== null && typeof data === 'object' && !Array.isArray(data)) return [];
  return [{ code: 'VALUES_SCHEMA_BROKEN', severity: 'error', message: 'a JSON Schema is a JSON object', hint: 'Write the schema as an object ({"type": "object", ...}).', location: { file, line: 1, column: 1 } }];
}

/** What helm needs of Chart.yaml before it renders anything. */
function chartShape(doc: YamlDoc): Finding[] {
  const data = doc.data as Record<string, unknown>;
  const missing = ['apiVersion', 'name', 'version'].filter((k) => typeof data[k] !== 'string' || !data[k]);
  return missing.map((key) => ({
    code: 'CHART_INVALID' as const,
    severity: 'error' as const,
    message: `Chart.yaml: ${key} must be a non-empty string`,
    hint: 'helm refuses a chart without apiVersion, name and version.',
    location: locate(doc, [key], 'key'),
  }));
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

/** file:// dependencies are read from disk by `helm dependency build`: they must stay inside the repository. */
function dependencyPaths(doc: YamlDoc): Finding[] {
  const deps = (doc.data as { dependencies?: unknown } | null)?.dependencies;
  if (!Array.isArray(deps)) return [];
  const chartDir = posix.dirname(doc.file);
  const out: Finding[] = [];
  deps.forEach((dep, i) => {
    const repository = (dep as { repository?: unknown } | null)?.repository;
    if (typeof repository !== 'string' || !repository.startsWith('file://')) return;
    const target = posix.normalize(posix.join(chartDir, repository.slice('file://'.length)));
    if (repository.slice('file://'.length).startsWith('/') || target === '..' || target.startsWith('../')) {
      out.push({
        code: 'CHART_DEPENDENCY',
        severity: 'error',
        message: `dependency repository ${repository} points outside the repository`,
        hint: 'A file:// dependency is another chart of this repository, e.g. file://../<chart>.',
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
