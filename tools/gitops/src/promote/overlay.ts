import { loadRepo } from '../core/repo/load-repo.js';
import type { FileRead, Snapshot } from '../core/repo/snapshot.js';
import { readOrThrow } from '../core/repo/snapshot.js';
import type { Workspace } from '../workspace.js';

/**
 * The workspace as it will be once `edits` are written: the same snapshot with those files
 * replaced, parsed again. The ApplicationSets are expanded over the edited service.yaml
 * files themselves, so the promoted Applications are exactly what Argo CD will generate.
 */
export async function editedWorkspace(ws: Workspace, edits: ReadonlyMap<string, string>, label: string): Promise<Workspace> {
  const base = ws.snapshot;
  const readFilesChecked = async (paths: readonly string[]): Promise<Map<string, FileRead>> => {
    const rest = paths.filter((p) => !edits.has(p));
    const read = rest.length > 0 ? await base.readFilesChecked(rest) : new Map<string, FileRead>();
    return new Map(paths.map((p) => [p, edits.has(p) ? { kind: 'text', text: edits.get(p)! } : read.get(p)!] as const));
  };
  const snapshot: Snapshot = {
    label,
    listFiles: () => base.listFiles(),
    readFilesChecked,
    readFiles: (paths) => readOrThrow({ readFilesChecked }, paths),
  };
  return { ...ws, snapshot, model: await loadRepo(snapshot) };
}
