import type { Finding } from '../core/findings.js';
import { isTeam, ownersOf, type Codeowners } from './codeowners.js';

/**
 * The changed files a pull request's author does not own: another team's service, or a
 * platform file (charts, environments, Argo CD, the toolchain). They are warnings, not errors:
 * CODEOWNERS already requires the owners' review, this names them in the PR before anyone
 * waits for it. Judged by the base's CODEOWNERS, as GitHub does: a pull request cannot hand
 * itself a file by editing CODEOWNERS.
 */
export function foreignChanges(codeowners: Codeowners, changed: Iterable<string>, authorTeam: string): Finding[] {
  const findings: Finding[] = [];
  for (const path of [...changed].sort()) {
    const owned = ownersOf(codeowners, path);
    if (owned.owners.length === 0 || owned.owners.some((o) => isTeam(o, authorTeam))) continue;
    const service = /^services\/([^/]+)\//.exec(path)?.[1];
    const what = service ? `service ${service}` : 'a platform file';
    findings.push({
      code: 'CODEOWNERS_FOREIGN_CHANGE',
      severity: 'warning',
      message: `${path} is ${what} owned by ${owned.owners.join(', ')}, not by the author's team ${authorTeam}: it needs their review`,
      hint: service ? `Ask ${owned.owners.join(' or ')} to review, or leave ${service}'s files to a pull request of their own.` : `Platform files are reviewed by ${owned.owners.join(' or ')}; move the change to a pull request of its own if it is not part of this one.`,
      location: { file: path },
      service,
    });
  }
  return findings;
}
