import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from './core/errors.js';
import { loadRepo } from './core/repo/load-repo.js';
import type { RepoModel } from './core/repo/model.js';
import type { Snapshot } from './core/repo/snapshot.js';
import { keepParsedYaml } from './core/yaml/parse-store.js';
import { Git } from './runners/git.js';
import { commitSnapshot, workTreeSnapshot } from './runners/snapshots.js';

/** The repository a command works on: where it is, which snapshot, and its parsed model. */
export interface Workspace {
  root: string;
  git: Git;
  snapshot: Snapshot;
  model: RepoModel;
  /** Render and chart caches; GITOPS_CACHE_DIR overrides. */
  cacheDir: string;
}

export interface WorkspaceOptions {
  /** Any directory inside the repository. */
  repo: string;
  /** A Git ref to read instead of the working tree. */
  ref?: string;
  /** How reports name that ref (default: the ref as given). */
  label?: string;
  env?: NodeJS.ProcessEnv;
  /** Read only gitops.yaml and the environments (see loadRepo): the model then has no services and no ApplicationSets. */
  settingsOnly?: boolean;
}

export async function openWorkspace(options: WorkspaceOptions): Promise<Workspace> {
  const dir = resolve(options.repo);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError('USAGE', `--repo ${options.repo}: no such directory`, { hint: 'Pass the path of the platform repository.' });
  }
  const root = await new Git(dir).root();
  if (!root) {
    throw new UsageError('USAGE', `${dir} is not inside a Git repository`, {
      hint: 'Run gitops inside the platform repository (chart versions are resolved from its Git history), or initialize it with `git init`.',
    });
  }
  const git = new Git(root);
  let snapshot: Snapshot;
  if (options.ref) {
    const commit = await git.resolveCommit(options.ref);
    if (!commit) {
      const shallow = await git.isShallow();
      throw new UsageError('GIT_REF_UNKNOWN', `unknown Git ref "${options.ref}"`, {
        hint: shallow ? `This clone is shallow: \`git fetch --unshallow origin\` (or fetch-depth: 0 in actions/checkout).` : `Check the name with \`git rev-parse ${options.ref}\`, or fetch it.`,
      });
    }
    snapshot = commitSnapshot(git, commit, options.label ?? options.ref);
  } else {
    snapshot = workTreeSnapshot(root, git);
  }
  const env = options.env ?? process.env;
  const cacheDir = env.GITOPS_CACHE_DIR ? resolve(env.GITOPS_CACHE_DIR) : join(root, 'node_modules', '.cache', 'gitops');
  keepParsedYaml(cacheDir);
  return { root, git, snapshot, model: await loadRepo(snapshot, options.settingsOnly ? 'settings' : 'all'), cacheDir };
}
