import { posix } from 'node:path';
import type { Finding, SourceLocation } from '../findings.js';
import type { RepoModel } from '../repo/model.js';
import { locate, type YamlDoc } from '../yaml/parse-yaml.js';
import { originKey, type Application, type ApplicationManifest } from './application.js';
import { renderGoTemplate, TemplateError } from './go-template.js';
import { directoryMatcher, fileMatcher } from './path-match.js';
import { matchesSelector, type Selector } from './selector.js';

/** One parameter set produced by a generator, with where its values are written. */
interface ParamSet {
  params: Record<string, unknown>;
  /** The generator file these params were read from. */
  file?: YamlDoc;
  /** Path of the params inside that file (a files generator reading a YAML list). */
  base: (string | number)[];
  /** Location for the whole set when no field-level location exists (list elements, directories). */
  fallback: SourceLocation;
}

interface AppSetSpec {
  goTemplate?: boolean;
  goTemplateOptions?: string[];
  generators?: Record<string, unknown>[];
  template?: { metadata?: Record<string, unknown>; spec?: Record<string, unknown> };
  templatePatch?: string;
}

const SUPPORTED_GENERATORS = new Set(['git', 'list']);

/**
 * Expands every ApplicationSet of the repo into Applications, as the ApplicationSet
 * controller would. Unsupported constructs fail closed: a finding at their line, no guess.
 */
export async function expandAppSets(repo: RepoModel): Promise<{ applications: Application[]; findings: Finding[] }> {
  const applications: Application[] = [];
  const findings: Finding[] = [];
  for (const doc of repo.appSets) {
    const result = await expandAppSet(repo, doc);
    applications.push(...result.applications);
    findings.push(...result.findings);
  }
  const byName = new Map<string, Application>();
  for (const app of applications) {
    const other = byName.get(app.name);
    if (other) {
      findings.push({
        code: 'APP_DUPLICATE_NAME',
        severity: 'error',
        message: `Application "${app.name}" is generated twice (also by ${other.appSet.file}); Argo CD would keep only one`,
        hint: 'Make metadata.name unique, e.g. include the environment: {{.name}}-<env>.',
        location: app.templateLocation,
        application: app.name,
      });
    } else byName.set(app.name, app);
  }
  return { applications: [...byName.values()].sort((a, b) => a.name.localeCompare(b.name)), findings };
}

async function expandAppSet(repo: RepoModel, doc: YamlDoc): Promise<{ applications: Application[]; findings: Finding[] }> {
  const data = doc.data as { metadata?: { name?: string; namespace?: string }; spec?: AppSetSpec };
  const name = data.metadata?.name ?? '(unnamed)';
  const spec = data.spec ?? {};
  const fail = (message: string, path: (string | number)[], code: Finding['code'] = 'APPSET_UNSUPPORTED', hint?: string) => ({
    applications: [],
    findings: [{ code, severity: 'error' as const, message: `ApplicationSet ${name}: ${message}`, hint, location: locate(doc, path) }],
  });

  if (spec.goTemplate !== true) {
    return fail('goTemplate must be true: fasttemplate ({{path.basename}}) is not rendered by this tool', ['spec'], 'APPSET_UNSUPPORTED', 'Set spec.goTemplate: true and use {{.path.basename}} syntax.');
  }
  if (spec.templatePatch !== undefined) return fail('templatePatch is not supported', ['spec', 'templatePatch']);
  if (!spec.template?.metadata || !spec.template.spec) return fail('spec.template.metadata and spec.template.spec are required', ['spec'], 'APPSET_SCHEMA');
  const options = spec.goTemplateOptions ?? [];
  const unknownOption = options.find((o) => !['missingkey=error', 'missingkey=default', 'missingkey=zero', 'missingkey=invalid'].includes(o));
  if (unknownOption) return fail(`goTemplateOptions "${unknownOption}" is not supported`, ['spec', 'goTemplateOptions']);
  const missingKeyError = options.includes('missingkey=error');

  const applications: Application[] = [];
  const findings: Finding[] = [];
  const generators = spec.generators ?? [];
  for (const [gi, generator] of generators.entries()) {
    const genPath = ['spec', 'generators', gi];
    const kind = Object.keys(generator).find((k) => k !== 'selector');
    if (!kind || !SUPPORTED_GENERATORS.has(kind)) {
      findings.push({
        code: 'APPSET_UNSUPPORTED',
        severity: 'error',
        message: `ApplicationSet ${name}: the ${kind ?? 'empty'} generator is not supported (supported: git files/directories, list)`,
        location: locate(doc, genPath),
      });
      continue;
    }
    let sets: ParamSet[];
    try {
      sets = kind === 'git' ? await gitParams(repo, doc, generator.git as GitGenerator, [...genPath, 'git'], findings) : listParams(doc, generator.list as ListGenerator, [...genPath, 'list']);
    } catch (err) {
      if (!(err instanceof GeneratorError)) throw err;
      findings.push({ code: err.code, severity: 'error', message: `ApplicationSet ${name}: ${err.message}`, hint: err.hint, location: err.location });
      continue;
    }
    const selector = generator.selector as Selector | undefined;
    for (const set of sets) {
      if (selector && !matchesSelector(selector, set.params)) continue;
      const rendered = renderApplication(doc, spec, set, missingKeyError, data.metadata?.namespace);
      if ('finding' in rendered) findings.push(rendered.finding);
      else applications.push({ ...rendered.app, appSet: { name, file: doc.file } });
    }
  }
  return { applications, findings };
}

class GeneratorError extends Error {
  constructor(
    readonly code: Finding['code'],
    message: string,
    readonly location: SourceLocation,
    readonly hint?: string,
  ) {
    super(message);
  }
}

interface GitGenerator {
  repoURL?: string;
  revision?: string;
  files?: { path: string; exclude?: boolean }[];
  directories?: { path: string; exclude?: boolean }[];
  pathParamPrefix?: string;
  values?: Record<string, string>;
}

interface ListGenerator {
  elements?: Record<string, unknown>[];
  elementsYaml?: string;
}

async function gitParams(repo: RepoModel, doc: YamlDoc, gen: GitGenerator, path: (string | number)[], fileFindings: Finding[]): Promise<ParamSet[]> {
  if (gen.repoURL !== repo.config.repoURL) {
    throw new GeneratorError('SOURCE_UNSUPPORTED', `git generator repoURL "${gen.repoURL}" is not this repository (${repo.config.repoURL})`, locate(doc, [...path, 'repoURL']), 'Point it at this repository, or set repoURL in gitops.yaml to the URL Argo CD uses.');
  }
  const revision = gen.revision ?? 'HEAD';
  if (revision !== 'HEAD' && revision !== repo.config.defaultBranch) {
    throw new GeneratorError('APPSET_UNSUPPORTED', `git generator revision "${revision}": only HEAD or ${repo.config.defaultBranch} is rendered`, locate(doc, [...path, 'revision']));
  }
  const sets: ParamSet[] = [];
  if (gen.files) {
    const include = gen.files.filter((f) => !f.exclude).map((f) => fileMatcher(f.path, repo.config.newGitFileGlobbing));
    const exclude = gen.files.filter((f) => f.exclude).map((f) => fileMatcher(f.path, repo.config.newGitFileGlobbing));
    const matched = repo.files.filter((f) => include.some((m) => m(f)) && !exclude.some((m) => m(f)));
    for (const file of matched) {
      const parsed = await repo.readYaml(file);
      // A file that does not parse is reported by its parse findings (once, however many
      // ApplicationSets read it) and produces no Application.
      if (!parsed) continue;
      if (parsed.findings.length > 0) {
        fileFindings.push(...parsed.findings);
        continue;
      }
      const fileDoc = parsed.docs[0];
      const content = fileDoc?.data;
      const items = Array.isArray(content) ? content.map((c, i) => [c, [i]] as const) : [[content, []] as const];
      for (const [item, base] of items) {
        if (!item || typeof item !== 'object' || Array.isArray(item)) {
          throw new GeneratorError('YAML_NOT_A_MAPPING', `git files generator: ${file} must hold a mapping or a list of mappings`, { file, line: 1, column: 1 });
        }
        sets.push({ params: withPath(item as Record<string, unknown>, file, true, gen.pathParamPrefix), file: fileDoc, base: [...base], fallback: { file } });
      }
    }
  }
  if (gen.directories) {
    const include = gen.directories.filter((d) => !d.exclude).map((d) => directoryMatcher(d.path));
    const exclude = gen.directories.filter((d) => d.exclude).map((d) => directoryMatcher(d.path));
    const dirs = new Set<string>();
    for (const f of repo.files) for (let d = posix.dirname(f); d !== '.'; d = posix.dirname(d)) dirs.add(d);
    for (const dir of [...dirs].sort()) {
      if (include.some((m) => m(dir)) && !exclude.some((m) => m(dir))) {
        sets.push({ params: withPath({}, dir, false, gen.pathParamPrefix), base: [], fallback: { file: dir } });
      }
    }
  }
  if (gen.values) {
    for (const set of sets) set.params.values = renderValues(gen.values, set.params, doc, [...path, 'values']);
  }
  return sets;
}

function listParams(doc: YamlDoc, gen: ListGenerator, path: (string | number)[]): ParamSet[] {
  if (gen.elementsYaml !== undefined) throw new GeneratorError('APPSET_UNSUPPORTED', 'list generator elementsYaml is not supported', locate(doc, [...path, 'elementsYaml']));
  return (gen.elements ?? []).map((element, i) => ({
    params: { ...element },
    file: doc,
    base: [...path, 'elements', i],
    fallback: locate(doc, [...path, 'elements', i]),
  }));
}

function renderValues(values: Record<string, string>, params: Record<string, unknown>, doc: YamlDoc, path: (string | number)[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, template] of Object.entries(values)) {
    try {
      out[key] = renderGoTemplate(String(template), params, { missingKeyError: false }).text;
    } catch (err) {
      if (err instanceof TemplateError) throw new GeneratorError('APPSET_TEMPLATE', `values.${key}: ${err.message}`, locate(doc, [...path, key]));
      throw err;
    }
  }
  return out;
}

/** Argo CD's path parameters for a generator path (goTemplate form: a nested object). */
function withPath(params: Record<string, unknown>, path: string, isFile: boolean, prefix?: string): Record<string, unknown> {
  const dir = isFile ? posix.dirname(path) : path;
  const basename = posix.basename(dir);
  const info: Record<string, unknown> = {
    path: dir,
    basename,
    basenameNormalized: normalizeName(basename),
    segments: dir.split('/'),
  };
  if (isFile) {
    info.filename = posix.basename(path);
    info.filenameNormalized = normalizeName(posix.basename(path));
  }
  const result = { ...params };
  if (prefix) result[prefix] = { ...(result[prefix] as object | undefined), path: info };
  else result.path = info;
  return result;
}

function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9-.]/g, '-');
}

function renderApplication(
  doc: YamlDoc,
  spec: AppSetSpec,
  set: ParamSet,
  missingKeyError: boolean,
  appSetNamespace: string | undefined,
): { app: Omit<Application, 'appSet'> } | { finding: Finding } {
  const origins = new Map<string, SourceLocation[]>();
  const template = { metadata: spec.template!.metadata, spec: spec.template!.spec };
  const templatePath = ['spec', 'template'];

  let rendered: { metadata: Record<string, unknown>; spec: Record<string, unknown> };
  let failedPath: (string | number)[] = [];
  try {
    const metadata = walkTracked(template.metadata, ['metadata']);
    const specOut = walkTracked(template.spec, ['spec']);
    rendered = { metadata: metadata as Record<string, unknown>, spec: specOut as Record<string, unknown> };
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    return {
      finding: {
        code: 'APPSET_TEMPLATE',
        severity: 'error',
        message: `template ${failedPath.join('.')}: ${err.message}`,
        hint: set.file ? `Parameters came from ${set.file.file}.` : undefined,
        location: locate(doc, [...templatePath, ...failedPath]),
      },
    };
  }

  /** Renders every string of the template; keys are never templated by Argo CD's Go renderer here. */
  function walkTracked(value: unknown, path: (string | number)[]): unknown {
    failedPath = path;
    if (Array.isArray(value)) return value.map((v, i) => walkTracked(v, [...path, i]));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        if (k.includes('{{')) throw new TemplateError(`templated key "${k}" is not supported`, 0);
        out[k] = walkTracked(v, [...path, k]);
      }
      return out;
    }
    if (typeof value !== 'string') return value;
    const result = renderGoTemplate(value, set.params, { missingKeyError });
    // Deepest parameter first: in '{{.chart}}-{{.releases.prod.chart}}' the pin is what a person edits.
    const reads = [...result.reads].sort((a, b) => b.length - a.length);
    if (reads.length > 0) origins.set(originKey(path), reads.map((read) => originOf(set, read)));
    return result.text;
  }

  const metadata = rendered.metadata as ApplicationManifest['metadata'];
  if (!metadata.namespace && appSetNamespace) metadata.namespace = appSetNamespace;
  const manifest: ApplicationManifest = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata,
    spec: rendered.spec as ApplicationManifest['spec'],
  };
  return {
    app: {
      name: String(metadata.name),
      manifest,
      paramsFile: set.file && set.file !== doc ? set.file.file : undefined,
      origins,
      templateLocation: locate(doc, templatePath),
    },
  };
}

/** Where parameter `read` is written: its line in the generator file, or the set's fallback. */
function originOf(set: ParamSet, read: string[]): SourceLocation {
  if (!set.file || read[0] === 'path' || read[0] === 'values') return set.fallback;
  return locate(set.file, [...set.base, ...read]);
}
