/**
 * Finding codes of `gitops policy`. Public API (SARIF rule ids, waiver files, docs): never
 * rename or reuse one. Each POLICY_* code is exactly one rule of the registry (a test checks it).
 */
export const POLICY_RULE_CODES = [
  // images
  'POLICY_IMAGE_NOT_PINNED',
  // resources
  'POLICY_RESOURCES_MISSING',
  // probes
  'POLICY_READINESS_PROBE_MISSING',
  'POLICY_LIVENESS_PROBE_MISSING',
  'POLICY_PROBES_IDENTICAL',
  'POLICY_PROBE_PORT_UNKNOWN',
  // security context
  'POLICY_RUN_AS_ROOT',
  'POLICY_ROOT_FILESYSTEM_WRITABLE',
  'POLICY_PRIVILEGED',
  'POLICY_PRIVILEGE_ESCALATION',
  'POLICY_CAPABILITIES_NOT_DROPPED',
  'POLICY_CAPABILITY_ADDED',
  'POLICY_SECCOMP_PROFILE',
  'POLICY_HOST_NAMESPACE',
  'POLICY_HOST_PATH',
  'POLICY_HOST_PORT',
  // service account
  'POLICY_SERVICE_ACCOUNT_NOT_OWN',
  'POLICY_SERVICE_ACCOUNT_TOKEN_MOUNTED',
  // replicas and autoscaling
  'POLICY_REPLICAS_TOO_FEW',
  'POLICY_REPLICAS_WITH_HPA',
  'POLICY_HPA_MIN_REPLICAS',
  'POLICY_HPA_RANGE',
  // disruption
  'POLICY_PDB_MISSING',
  'POLICY_PDB_BLOCKS_EVICTION',
  // topology
  'POLICY_TOPOLOGY_SPREAD_MISSING',
  // selectors and services
  'POLICY_SELECTOR_MISMATCH',
  'POLICY_SERVICE_SELECTS_NOTHING',
  'POLICY_SERVICE_TARGET_PORT_UNKNOWN',
  // mesh
  'POLICY_SIDECAR_INJECTION_DISABLED',
  'POLICY_SERVICE_PORT_PROTOCOL',
  'POLICY_MTLS_NOT_STRICT',
  'POLICY_DESTINATION_RULE_TLS',
  // routing
  'POLICY_ROUTE_WEIGHTS',
  'POLICY_ROUTE_SUBSET_UNDEFINED',
  'POLICY_GATEWAY_UNKNOWN',
  // contracts between Applications
  'POLICY_ROUTE_HOST_UNKNOWN',
  // authorization
  'POLICY_AUTHZ_PRINCIPAL_INVALID',
  'POLICY_AUTHZ_PRINCIPAL_UNKNOWN',
  // network policy
  'POLICY_NETWORK_POLICY_MISSING',
  // secrets
  'POLICY_PLAINTEXT_SECRET',
  // tenancy
  'POLICY_PROJECT_DESTINATION_DENIED',
  'POLICY_CLUSTER_SCOPED_RESOURCE',
  'POLICY_PROJECT_RESOURCE_DENIED',
] as const;

/** Findings about the waiver files themselves. */
export const WAIVER_CODES = ['WAIVER_INVALID', 'WAIVER_EXPIRED', 'WAIVER_UNUSED'] as const;

export type PolicyRuleCode = (typeof POLICY_RULE_CODES)[number];
export type WaiverFindingCode = (typeof WAIVER_CODES)[number];
export type PolicyFindingCode = PolicyRuleCode | WaiverFindingCode;
