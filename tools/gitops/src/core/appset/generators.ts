import { posix } from 'node:path';
import type { Finding, SourceLocation } from '../findings.js';
import type { RepoModel } from '../repo/model.js';
import { locate, type JsonPath, type YamlDoc } from '../yaml/parse-yaml.js';
import type { AppSetEngine, EngineParamSet } from './engine.js';
import { directoryMatcher, fileMatcher } from './path-match.js';

/** One parameter set produced by a generator, with where its values are written. */
export interface ParamSet {
  /** The engine's id for the set (its Go-typed parameters). */
  id: number;
  params: Record<string, unknown>;
  /** The generator file these params were read from. */
  file?: YamlDoc;
  /** Path of the params inside that file (a files generator reading a YAML list). */
  base: (string | number)[];
  /** Location for the whole set when no field-level location exists (list elements, directories). */
  fallback: SourceLocation;
}

/** What the generator step needs of its ApplicationSet. */
export interface GeneratorContext {
  repo: RepoModel;
  engine: AppSetEngine;
  doc: YamlDoc;
  goTemplate: boolean;
  options: string[];
  /** Parse findings of generator files, reported once per file by the caller. */
  fileFindings: Finding[];
}

/**
 * A generator that fails. `blocking` is Argo CD's own failure (the controller then creates
 * and updates none of the set's Applications); otherwise this tool cannot reproduce it.
 */
export class GeneratorError extends Error {
  constructor(
    readonly code: Finding['code'],
    message: string,
    readonly location: SourceLocation,
    readonly hint?: string,
    readonly blocking = false,
  ) {
    super(message);
  }
}

export interface GitGenerator {
  repoURL?: string;
  revision?: string;
  files?: { path: string; exclude?: boolean }[];
  directories?: { path: string; exclude?: boolean }[];
  pathParamPrefix?: string;
  values?: Record<string, string>;
}

export interface ListGenerator {
  elements?: unknown[];
  elementsYaml?: string;
}

function engineSets(result: { sets: EngineParamSet[] } | { error: string }, location: SourceLocation): EngineParamSet[] {
  if ('error' in result) throw new GeneratorError('APPSET_GENERATOR', result.error, location, undefined, true);
  return result.sets;
}

export async function gitParams(ctx: GeneratorContext, gen: GitGenerator, path: JsonPath): Promise<ParamSet[]> {
  const { repo, doc } = ctx;
  if (gen.repoURL !== repo.config.repoURL) {
    throw new GeneratorError('SOURCE_UNSUPPORTED', `git generator repoURL "${gen.repoURL}" is not this repository (${repo.config.repoURL})`, locate(doc, [...path, 'repoURL']), 'Point it at this repository, or set repoURL in gitops.yaml to the URL Argo CD uses.');
  }
  const revision = gen.revision ?? 'HEAD';
  if (revision !== 'HEAD' && revision !== repo.config.defaultBranch) {
    throw new GeneratorError('APPSET_UNSUPPORTED', `git generator revision "${revision}": only HEAD or ${repo.config.defaultBranch} is rendered`, locate(doc, [...path, 'revision']));
  }
  const common = { values: gen.values, goTemplate: ctx.goTemplate, options: ctx.options, pathParamPrefix: gen.pathParamPrefix };
  // As GitGenerator.GenerateParams: directories win when both are given.
  if (gen.directories && gen.directories.length > 0) {
    const paths = gitDirectories(repo.files, gen.directories);
    return engineSets(ctx.engine.gitDirectories({ paths, ...common }), locate(doc, [...path, 'directories'])).map((set) => ({
      ...set,
      base: [],
      fallback: { file: set.params.path && typeof set.params.path === 'object' ? String((set.params.path as { path?: unknown }).path) : doc.file },
    }));
  }
  if (gen.files && gen.files.length > 0) {
    const listed = gitFiles(repo, gen.files);
    // A file the reader refuses (outside the repository, binary, too large) is already a
    // finding of its own: it generates nothing rather than stopping the run.
    const reads = await repo.snapshot.readFilesChecked(listed);
    const matched = listed.filter((f) => reads.get(f)?.kind !== 'refused');
    const texts = new Map(matched.map((f) => { const r = reads.get(f); return [f, r?.kind === 'text' ? r.text : undefined] as const; }));
    const docs = new Map<string, YamlDoc | undefined>();
    for (const file of matched) {
      const parsed = await repo.readYaml(file);
      if (parsed && parsed.findings.length > 0) ctx.fileFindings.push(...parsed.findings);
      docs.set(file, parsed?.findings.length === 0 ? parsed.docs[0] : undefined);
    }
    // A file that does not parse is reported at its line; it is not handed to the engine.
    const files = matched.filter((file) => docs.get(file) !== undefined || texts.get(file)?.trim() === '').map((file) => ({ path: file, content: texts.get(file) ?? '' }));
    const sets = engineSets(ctx.engine.gitFiles({ repoURL: gen.repoURL ?? '', files, ...common }), locate(doc, [...path, 'files']));
    // The engine returns the sets file by file in path order, a list file's items in order.
    const perFile = new Map<string, number>();
    return sets.map((set) => {
      const file = fileOfSet(set, gen.pathParamPrefix, ctx.goTemplate);
      const index = perFile.get(file) ?? 0;
      perFile.set(file, index + 1);
      const fileDoc = docs.get(file);
      const base = Array.isArray(fileDoc?.data) ? [index] : [];
      return { ...set, file: fileDoc, base, fallback: { file } };
    });
  }
  throw new GeneratorError('APPSET_GENERATOR', 'error generating params from git: generator is empty', locate(doc, path), 'Give the git generator files or directories.', true);
}

/** The files a git files generator reads, sorted. */
export function gitFiles(repo: RepoModel, items: { path: string; exclude?: boolean }[]): string[] {
  const include = items.filter((f) => !f.exclude).map((f) => fileMatcher(f.path, repo.config.newGitFileGlobbing));
  const exclude = items.filter((f) => f.exclude).map((f) => fileMatcher(f.path, repo.config.newGitFileGlobbing));
  // `git ls-files <pattern>` (and doublestar) list hidden directories too: no dot filter here.
  return repo.files.filter((f) => include.some((m) => m(f)) && !exclude.some((m) => m(f))).sort();
}

function fileOfSet(set: EngineParamSet, prefix: string | undefined, goTemplate: boolean): string {
  if (!goTemplate) {
    const name = prefix ? `${prefix}.path` : 'path';
    return `${String(set.params[name])}/${String(set.params[`${name}.filename`])}`;
  }
  const holder = (prefix ? (set.params[prefix] as Record<string, unknown>) : set.params) as { path: { path: string; filename: string } };
  return `${holder.path.path}/${holder.path.filename}`;
}

/**
 * The directories the repo-server lists (GetGitDirectories: a walk of the checkout that
 * skips every directory whose name starts with "."), in the walk's order, filtered as
 * GitGenerator.filterApps does.
 */
export function gitDirectories(files: readonly string[], items: { path: string; exclude?: boolean }[]): string[] {
  const dirs = new Set<string>();
  for (const f of files) for (let d = posix.dirname(f); d !== '.'; d = posix.dirname(d)) dirs.add(d);
  const visible = [...dirs].filter((d) => !d.split('/').some((segment) => segment.startsWith('.')));
  // filepath.WalkDir visits a directory's children in name order, depth first.
  visible.sort((a, b) => compareSegments(a.split('/'), b.split('/')));
  const include = items.filter((d) => !d.exclude).map((d) => directoryMatcher(d.path));
  const exclude = items.filter((d) => d.exclude).map((d) => directoryMatcher(d.path));
  return visible.filter((dir) => include.some((m) => m(dir)) && !exclude.some((m) => m(dir)));
}

function compareSegments(a: string[], b: string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  }
  return a.length - b.length;
}

export function listParams(ctx: GeneratorContext, gen: ListGenerator, path: JsonPath): ParamSet[] {
  const elements = gen.elements ?? [];
  const sets = engineSets(ctx.engine.list({ elements, elementsYaml: gen.elementsYaml, goTemplate: ctx.goTemplate }), locate(ctx.doc, [...path, 'elements']));
  return sets.map((set, i) => {
    const fromElements = i < elements.length;
    const at = fromElements ? [...path, 'elements', i] : [...path, 'elementsYaml'];
    return { ...set, file: fromElements ? ctx.doc : undefined, base: at, fallback: locate(ctx.doc, at) };
  });
}
