import type { Finding, SourceLocation } from '../findings.js';
import type { RepoModel } from '../repo/model.js';
import { locate, type YamlDoc } from '../yaml/parse-yaml.js';
import type { Application } from './application.js';
import { loadAppSetEngine, type AppSetEngine, type EngineParamSet } from './engine.js';
import { GeneratorError, gitFiles, gitParams, listParams, type GeneratorContext, type GitGenerator, type ListGenerator, type ParamSet } from './generators.js';
import { knownProjects } from './projects.js';
import { renderApplication, type AppSetTemplate } from './render-template.js';
import { matchesSelector, parseSelector } from '../label-selector.js';

interface AppSetSpec {
  goTemplate?: boolean;
  goTemplateOptions?: string[];
  generators?: Record<string, unknown>[];
  template?: AppSetTemplate;
  templatePatch?: string;
  syncPolicy?: { preserveResourcesOnDeletion?: boolean };
}

/** One ApplicationSet's outcome. */
export interface AppSetResult {
  name: string;
  file: string;
  /** Names of the Applications it generates, sorted. */
  applications: string[];
  /**
   * Why it generates nothing: Argo CD's error when the controller blocks the whole set
   * (no Application of it is created or updated), or what this tool cannot reproduce.
   */
  error?: string;
  /** 'argocd': the controller itself refuses the set; 'unsupported': the tool cannot expand it. */
  blockedBy?: 'argocd' | 'unsupported';
}

export interface ExpandResult {
  applications: Application[];
  appSets: AppSetResult[];
  findings: Finding[];
}

const SUPPORTED_GENERATORS = new Set(['git', 'list']);
const GO_TEMPLATE_OPTIONS = new Set(['missingkey=error', 'missingkey=default', 'missingkey=zero', 'missingkey=invalid']);

/**
 * Expands every ApplicationSet of the repo into Applications, as the ApplicationSet
 * controller would. Unsupported constructs fail closed: a finding at their line, no guess.
 */
export async function expandAppSets(repo: RepoModel, cache?: ExpansionCache): Promise<ExpandResult> {
  const projects = await knownProjects(repo);
  const applications: Application[] = [];
  const appSets: AppSetResult[] = [];
  const findings: Finding[] = [];
  for (const doc of repo.appSets) {
    const inputs = cache && (await expansionInputs(repo, doc, projects));
    const stored = inputs === undefined ? undefined : await cache!.get(inputs);
    let result: SetOutcome;
    if (stored) result = fromStored(stored);
    else {
      // Loaded on the first ApplicationSet the cache does not hold: a warm run never starts it.
      const engine = await loadAppSetEngine();
      const ids: number[] = [];
      const tracked: AppSetEngine = { ...engine, gitFiles: track(engine.gitFiles, ids), gitDirectories: track(engine.gitDirectories, ids), list: track(engine.list, ids) };
      result = await expandAppSet(repo, tracked, projects, doc).finally(() => engine.release(ids));
      if (inputs !== undefined) await cache!.set(inputs, toStored(result));
    }
    applications.push(...result.applications);
    findings.push(...result.findings);
    appSets.push(result.summary);
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
  return { applications: [...byName.values()].sort((a, b) => a.name.localeCompare(b.name)), appSets, findings };
}

/**
 * Expansion outcomes kept between runs, keyed by everything the expansion reads
 * (`expansionInputs`): the same inputs give the same Applications and findings.
 */
export interface ExpansionCache {
  get(inputs: string): Promise<StoredOutcome | undefined>;
  set(inputs: string, outcome: StoredOutcome): Promise<void>;
}

/** A SetOutcome as JSON (origins as entries). */
export interface StoredOutcome {
  applications: (Omit<Application, 'origins'> & { origins: [string, SourceLocation[]][] })[];
  findings: Finding[];
  summary: AppSetResult;
}

/**
 * Everything one ApplicationSet's expansion reads, as one text: the set's own file, the
 * repository's file list (directory and file globs match against it), the files its git
 * generators read, the config and the known projects. Undefined when the set is too
 * malformed to say (it is then expanded, and reported, without the cache).
 */
async function expansionInputs(repo: RepoModel, doc: YamlDoc, projects: Set<string>): Promise<string | undefined> {
  const generators = (doc.data as { spec?: AppSetSpec } | null)?.spec?.generators;
  if (generators !== undefined && !Array.isArray(generators)) return undefined;
  const files = new Set<string>([doc.file]);
  for (const generator of generators ?? []) {
    const items = (generator as { git?: GitGenerator } | null)?.git?.files;
    if (items === undefined) continue;
    if (!Array.isArray(items) || !items.every((i) => typeof (i as { path?: unknown } | null)?.path === 'string')) return undefined;
    for (const file of gitFiles(repo, items)) files.add(file);
  }
  const reads = await repo.snapshot.readFilesChecked([...files]);
  return JSON.stringify({ doc: [doc.file, doc.index], config: repo.config, projects: [...projects].sort(), files: repo.files, reads: [...files].map((f) => [f, reads.get(f)]) });
}

function toStored(outcome: SetOutcome): StoredOutcome {
  return { ...outcome, applications: outcome.applications.map((app) => ({ ...app, origins: [...app.origins] })) };
}

function fromStored(stored: StoredOutcome): SetOutcome {
  return { ...stored, applications: stored.applications.map((app) => ({ ...app, origins: new Map(app.origins) })) };
}

/** Wraps a generator call to note the ids of the parameter sets it creates. */
function track<R>(fn: (req: R) => { sets: EngineParamSet[] } | { error: string }, ids: number[]): (req: R) => { sets: EngineParamSet[] } | { error: string } {
  return (req) => {
    const result = fn(req);
    if ('sets' in result) ids.push(...result.sets.map((s) => s.id));
    return result;
  };
}

interface SetOutcome {
  applications: Application[];
  findings: Finding[];
  summary: AppSetResult;
}

async function expandAppSet(repo: RepoModel, engine: AppSetEngine, projects: Set<string>, doc: YamlDoc): Promise<SetOutcome> {
  const data = doc.data as { metadata?: { name?: string; namespace?: string }; spec?: AppSetSpec };
  const name = data.metadata?.name ?? '(unnamed)';
  const spec = data.spec ?? {};
  const blocked = (finding: Omit<Finding, 'severity'>, blockedBy: 'argocd' | 'unsupported', error: string): SetOutcome => ({
    applications: [],
    findings: [{ ...finding, severity: 'error', message: `ApplicationSet ${name}: ${finding.message}` }],
    summary: { name, file: doc.file, applications: [], error, blockedBy },
  });
  const unsupported = (message: string, path: (string | number)[], code: Finding['code'] = 'APPSET_UNSUPPORTED', hint?: string) =>
    blocked({ code, message, hint, location: locate(doc, path) }, 'unsupported', message);

  if (spec.templatePatch !== undefined) return unsupported('templatePatch is not supported', ['spec', 'templatePatch']);
  if (!spec.template?.metadata || !spec.template.spec) return unsupported('spec.template.metadata and spec.template.spec are required', ['spec'], 'APPSET_SCHEMA');
  const options = spec.goTemplateOptions ?? [];
  const unknownOption = options.find((o) => !GO_TEMPLATE_OPTIONS.has(o));
  if (unknownOption) return unsupported(`goTemplateOptions "${unknownOption}" is not supported`, ['spec', 'goTemplateOptions']);
  const goTemplate = spec.goTemplate === true;
  const generators = spec.generators ?? [];
  for (const [gi, generator] of generators.entries()) {
    const kind = Object.keys(generator).find((k) => k !== 'selector');
    if (!kind || !SUPPORTED_GENERATORS.has(kind)) {
      return unsupported(`the ${kind ?? 'empty'} generator is not supported (supported: git files/directories, list)`, ['spec', 'generators', gi]);
    }
  }

  const fileFindings: Finding[] = [];
  const ctx: GeneratorContext = { repo, engine, doc, goTemplate, options, fileFindings };
  const settings = { engine, goTemplate, options, preserveResourcesOnDeletion: spec.syncPolicy?.preserveResourcesOnDeletion === true, namespace: data.metadata?.namespace };
  const templateProject = String(spec.template.spec.project ?? '');
  const generated: Application[] = [];
  // GenerateApplications: the first failing generator or template blocks the whole set.
  for (const [gi, generator] of generators.entries()) {
    const genPath = ['spec', 'generators', gi];
    const kind = Object.keys(generator).find((k) => k !== 'selector')!;
    let sets: ParamSet[];
    try {
      const requirements = generator.selector === undefined ? undefined : parseSelector(generator.selector);
      if (typeof requirements === 'string') {
        throw new GeneratorError('APPSET_GENERATOR', `error parsing label selector: ${requirements}`, locate(doc, [...genPath, 'selector']), undefined, true);
      }
      // GitGenerator.GenerateParams reads the template's project first, unless it is templated.
      if (kind === 'git' && !templateProject.includes('{{') && !projects.has(templateProject)) {
        throw new GeneratorError(
          'APP_PROJECT_UNKNOWN',
          `error generating params from git: error getting project ${templateProject}: appprojects.argoproj.io "${templateProject}" not found`,
          locate(doc, ['spec', 'template', 'spec', 'project']),
          'Name an AppProject of argocd/projects/, or add the project there.',
          true,
        );
      }
      sets = kind === 'git' ? await gitParams(ctx, generator.git as GitGenerator, [...genPath, 'git']) : listParams(ctx, generator.list as ListGenerator, [...genPath, 'list']);
      if (requirements) {
        sets = sets.filter((set) => {
          const flat = engine.flatten(set.id);
          if ('error' in flat) throw new GeneratorError('APPSET_GENERATOR', flat.error, locate(doc, [...genPath, 'selector']), undefined, true);
          return matchesSelector(requirements, flat.labels);
        });
      }
    } catch (err) {
      if (!(err instanceof GeneratorError)) throw err;
      const finding = { code: err.code, message: err.message, hint: err.hint, location: err.location };
      const outcome = blocked(finding, err.blocking ? 'argocd' : 'unsupported', err.message);
      outcome.findings.push(...fileFindings);
      return outcome;
    }
    for (const set of sets) {
      const rendered = renderApplication(spec.template, set, settings);
      if ('error' in rendered) {
        const outcome = blocked(
          {
            code: 'APPSET_TEMPLATE',
            message: `no Application of the set is created or updated: ${rendered.error}`,
            hint: set.file ? `The parameters came from ${set.file.file}; with missingkey=error every parameter the template reads must be set.` : undefined,
            location: locate(doc, ['spec', 'template', ...rendered.path]),
          },
          'argocd',
          rendered.error,
        );
        outcome.findings.push(...fileFindings);
        return outcome;
      }
      const metadataName = rendered.manifest.metadata.name;
      generated.push({
        name: String(metadataName),
        manifest: rendered.manifest,
        appSet: { name, file: doc.file },
        paramsFile: set.file && set.file !== doc ? set.file.file : undefined,
        origins: rendered.origins,
        templateLocation: locate(doc, ['spec', 'template']),
      });
    }
  }
  return validateApplications(name, doc, generated, projects, fileFindings);
}

/**
 * The controller's validateGeneratedApplications: a second Application of the same name and
 * one whose project does not exist are left out (the others are still created); a project
 * that cannot even be looked up (an empty name) fails the whole set.
 */
function validateApplications(name: string, doc: YamlDoc, generated: Application[], projects: Set<string>, findings: Finding[]): SetOutcome {
  const valid: Application[] = [];
  const seen = new Set<string>();
  const projectLocation = locate(doc, ['spec', 'template', 'spec', 'project']);
  for (const app of generated) {
    if (seen.has(app.name)) {
      findings.push({ code: 'APP_DUPLICATE_NAME', severity: 'error', message: `ApplicationSet ${name} contains applications with duplicate name: ${app.name}`, hint: 'Make metadata.name unique per parameter set.', location: app.templateLocation, application: app.name });
      continue;
    }
    seen.add(app.name);
    const project = app.manifest.spec.project ?? '';
    if (project === '') {
      const error = 'error occurred during application validation: resource name may not be empty';
      return {
        applications: [],
        findings: [...findings, { code: 'APP_PROJECT_UNKNOWN', severity: 'error', message: `ApplicationSet ${name}: ${error} (Application ${app.name} names no project)`, hint: 'Set spec.template.spec.project.', location: projectLocation }],
        summary: { name, file: doc.file, applications: [], error, blockedBy: 'argocd' },
      };
    }
    if (!projects.has(project)) {
      findings.push({
        code: 'APP_PROJECT_UNKNOWN',
        severity: 'error',
        message: `ApplicationSet ${name}: application references project ${project} which does not exist; Argo CD does not create or update ${app.name}`,
        hint: 'Name an AppProject of argocd/projects/, or add the project there.',
        location: app.origins.get('spec.project')?.[0] ?? projectLocation,
        application: app.name,
      });
      continue;
    }
    valid.push(app);
  }
  valid.sort((a, b) => a.name.localeCompare(b.name));
  return { applications: valid, findings, summary: { name, file: doc.file, applications: valid.map((a) => a.name) } };
}
