/** Finding codes of `gitops lint` beyond values and the repository model. Public API: never rename one. */
export type LintFindingCode = 'YAML_TAB' | 'VALUES_YAML11' | 'VALUES_YAML11_NUMBER' | 'VALUES_NO_EFFECT';
