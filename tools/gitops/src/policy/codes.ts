/** Finding codes of `gitops policy`. Public API (SARIF rule ids, waivers): never rename one. */
export type PolicyFindingCode = 'POLICY_PLACEHOLDER';
