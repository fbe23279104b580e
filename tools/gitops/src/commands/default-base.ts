import { UsageError } from '../core/errors.js';
import type { Workspace } from '../workspace.js';
import { comparedBase } from './diff/run.js';

/**
 * The base a change is compared with: where the head branched from REF, as `gitops diff` and
 * a pull request's diff do. Without a flag: the default branch of gitops.yaml, its
 * remote-tracking branch first (a CI clone has no local main); undefined when neither exists.
 */
export async function defaultBase(ws: Workspace, flag?: string): Promise<{ ref: string; commit: string } | undefined> {
  const branch = ws.model.config.defaultBranch ?? 'main';
  const candidates = flag ? [flag] : [`origin/${branch}`, branch];
  for (const ref of candidates) {
    if (!(await ws.git.resolveCommit(ref))) continue;
    const compared = await comparedBase(ws, ref, true);
    return { ref: compared.label ?? ref, commit: (await ws.git.resolveCommit(compared.ref))! };
  }
  if (!flag) return undefined;
  throw new UsageError('GIT_REF_UNKNOWN', `unknown Git ref "${flag}"`, { hint: `Check the name with \`git rev-parse ${flag}\`, or fetch it (a CI checkout needs fetch-depth: 0).` });
}
