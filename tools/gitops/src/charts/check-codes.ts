/** Finding codes of `gitops chart check`. Public API (SARIF rule ids, docs): never rename one. */
export type ChartCheckFindingCode =
  | 'CHART_VERSION_NOT_BUMPED'
  | 'CHART_VERSION_INVALID'
  | 'CHART_RELEASE_CHANGED'
  | 'CHART_LOCK_MISMATCH'
  | 'CHART_DEPENDENCY_UNRESOLVED'
  | 'CHART_SCHEMA_BREAKING'
  | 'CHART_LINT'
  | 'CHART_TEMPLATE_FAILED';
