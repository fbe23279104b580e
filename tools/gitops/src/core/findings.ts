/**
 * Findings are data: something wrong in the repository's content, located at the
 * file a person edits. Codes are public API (SARIF rule ids, docs): never rename one.
 */
import type { GovernanceFindingCode } from '../governance/codes.js';
import type { PolicyFindingCode } from '../policy/codes.js';
import type { ValidateFindingCode } from '../validate/codes.js';
import type { LintFindingCode } from '../lint/codes.js';
import type { ValuesFindingCode } from './values/check-values.js';
import type { ChartCheckFindingCode } from '../charts/check-codes.js';
import type { ReleaseFindingCode } from './release/codes.js';

export type FindingCode = CoreFindingCode | LintFindingCode | ValuesFindingCode | ValidateFindingCode | PolicyFindingCode | ChartCheckFindingCode | GovernanceFindingCode | ReleaseFindingCode;

type CoreFindingCode =
  | 'YAML_SYNTAX'
  | 'YAML_DUPLICATE_KEY'
  | 'YAML_NOT_A_MAPPING'
  | 'CONFIG_SCHEMA'
  | 'SERVICE_SCHEMA'
  | 'ENVIRONMENT_SCHEMA'
  | 'APPSET_SCHEMA'
  | 'APPSET_UNSUPPORTED'
  | 'APPSET_TEMPLATE'
  | 'APPSET_GENERATOR'
  | 'APP_PROJECT_UNKNOWN'
  | 'APP_NO_ENVIRONMENT'
  | 'APP_DUPLICATE_NAME'
  | 'CHART_UNKNOWN'
  | 'CHART_VERSION_UNRELEASED'
  | 'CHART_DEPENDENCY'
  | 'CHART_NOT_PUBLISHED'
  | 'CHART_REGISTRY_MISMATCH'
  | 'CHART_TAG_MISMATCH'
  | 'SOURCE_UNSUPPORTED'
  | 'SOURCE_REVISION_CONFLICT'
  | 'VALUES_FILE_MISSING'
  | 'VALUES_FILE_OUTSIDE_REPO'
  | 'HELM_TEMPLATE_FAILED'
  | 'FILE_OUTSIDE_REPO'
  | 'FILE_TOO_LARGE'
  | 'FILE_NOT_TEXT'
  | 'FILE_NOT_REGULAR'
  | 'YAML_MULTIPLE_DOCUMENTS'
  | 'APPSET_EMPTY'
  | 'CHART_YAML_MISSING'
  | 'CHART_INVALID'
  | 'PROJECT_SCHEMA';

export type Severity = 'error' | 'warning';

export interface SourceLocation {
  /** Repository-relative path, forward slashes. */
  file: string;
  /** 1-based. */
  line?: number;
  /** 1-based. */
  column?: number;
}

export interface Finding {
  code: FindingCode;
  severity: Severity;
  message: string;
  /** What to do about it. */
  hint?: string;
  location?: SourceLocation;
  /** The Argo CD Application this finding belongs to, when there is one. */
  application?: string;
  env?: string;
  service?: string;
  /** The Kubernetes object a validate or policy finding is about. */
  resource?: ResourceRef;
}

export interface ResourceRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  /** The manifest file (a path given on the command line, or `<env>/<service>.yaml` for a render). */
  file: string;
  /** JSON pointer of the offending field inside the object. */
  pointer?: string;
}

export function formatLocation(loc: SourceLocation | undefined): string {
  if (!loc) return '';
  if (loc.line === undefined) return loc.file;
  return `${loc.file}:${loc.line}:${loc.column ?? 1}`;
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}

/** Whether findings fail a run: any error, or with `--fail-on warning` any warning too. */
export function fails(findings: readonly Finding[], failOn: 'error' | 'warning' = 'error'): boolean {
  return failOn === 'warning' ? findings.length > 0 : hasErrors(findings);
}

/** Drops repeats of the same finding (a file read by several ApplicationSets is reported once). */
export function uniqueFindings(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    // Not keyed by Application: a bad value in an environment's values file is one finding,
    // however many Applications read it (messages about one Application name it).
    const key = `${f.code}|${formatLocation(f.location)}|${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** File, line, column order; findings without a location last. Stable for equal positions. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const key = (f: Finding) => [f.location?.file ?? '\uffff', f.location?.line ?? 0, f.location?.column ?? 0] as const;
  return [...findings].sort((a, b) => {
    const [fa, la, ca] = key(a);
    const [fb, lb, cb] = key(b);
    return fa.localeCompare(fb) || la - lb || ca - cb;
  });
}
