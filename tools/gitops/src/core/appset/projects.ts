import type { RepoModel } from '../repo/model.js';

export const PROJECT_DIR = 'argocd/projects';

/**
 * The AppProjects Argo CD knows: those of argocd/projects/*.yaml, and "default", which the
 * API server creates at start (initializeDefaultProject) whether or not the repo declares it.
 */
export async function knownProjects(repo: RepoModel): Promise<Set<string>> {
  const names = new Set<string>(['default']);
  const files = repo.files.filter((f) => f.startsWith(`${PROJECT_DIR}/`) && /^[^/]+\.ya?ml$/.test(f.slice(PROJECT_DIR.length + 1)));
  for (const file of files) {
    const parsed = await repo.readYaml(file);
    for (const doc of parsed?.docs ?? []) {
      const data = doc.data as { kind?: unknown; metadata?: { name?: unknown } } | null;
      if (data?.kind === 'AppProject' && typeof data.metadata?.name === 'string') names.add(data.metadata.name);
    }
  }
  return names;
}
