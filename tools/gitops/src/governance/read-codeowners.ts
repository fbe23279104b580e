import type { Finding } from '../core/findings.js';
import { refusalFinding, type Snapshot } from '../core/repo/snapshot.js';
import { CODEOWNERS_PATHS, parseCodeowners, type Codeowners } from './codeowners.js';

/**
 * The CODEOWNERS file GitHub uses (the first of its three places that exists), read through
 * the repository guard; none at all is a finding, and the checks then have nothing to judge.
 */
export async function readCodeowners(snapshot: Pick<Snapshot, 'readFilesChecked'>): Promise<{ codeowners?: Codeowners; findings: Finding[] }> {
  const reads = await snapshot.readFilesChecked(CODEOWNERS_PATHS);
  for (const path of CODEOWNERS_PATHS) {
    const read = reads.get(path);
    if (read?.kind === 'refused') return { findings: [refusalFinding(read.refusal)] };
    if (read?.kind === 'text') return { codeowners: parseCodeowners(path, read.text), findings: [] };
  }
  return {
    findings: [
      {
        code: 'CODEOWNERS_MISSING',
        severity: 'warning',
        message: 'no CODEOWNERS file: no team review is required for any change',
        hint: 'Create .github/CODEOWNERS: "* @<org>/<platform-team>", then "/services/<name>/ @<org>/<team>" for each service, and turn on "Require review from Code Owners" for the default branch.',
        location: { file: '.github/CODEOWNERS' },
      },
    ],
  };
}
