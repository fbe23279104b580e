/** Finding codes of `gitops validate`. Public API (SARIF rule ids): never rename one. */
export type ValidateFindingCode = 'MANIFEST_INVALID';
