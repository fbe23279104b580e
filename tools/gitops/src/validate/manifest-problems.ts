import type { ResourceResult } from '../cli/types.js';
import type { Finding } from '../core/findings.js';
import type { ManifestProblem } from '../core/manifests/manifest.js';

/** The Application a rendered stream belongs to; absent for a file given on the command line. */
export interface ProblemSource {
  env: string;
  service: string;
  application: string;
}

/**
 * Documents that are not Kubernetes objects (not YAML, not a mapping, no kind, no apiVersion) cannot be
 * validated: each is an `error` verdict and a finding, never silently dropped.
 */
export function problemVerdicts(problems: readonly ManifestProblem[], rendered?: ProblemSource): { results: ResourceResult[]; findings: Finding[] } {
  const results: ResourceResult[] = [];
  const findings: Finding[] = [];
  for (const problem of problems) {
    // A render has no file to point at: the stream exists only in memory.
    const location = rendered ? undefined : { file: problem.file, line: problem.line, column: 1 };
    results.push({ file: problem.file, env: rendered?.env, service: rendered?.service, status: 'error', errors: [{ path: '', message: problem.message, source: location }] });
    // A YAML error or an unreadable file is already a finding at its line: one verdict, no second finding.
    if (problem.reported) continue;
    findings.push({
      code: 'MANIFEST_NOT_AN_OBJECT',
      severity: 'error',
      message: `${rendered ? `${problem.file} ` : ''}document ${problem.doc + 1}: ${problem.message}`,
      hint: 'Every YAML document Argo CD applies must be a Kubernetes object with apiVersion, kind and metadata.',
      location,
      ...rendered,
    });
  }
  return { results, findings };
}
