import type { Rule } from './rule.js';
import { authorizationRules } from './rules/authorization.js';
import { disruptionRules } from './rules/disruption.js';
import { imageRules } from './rules/images.js';
import { meshRules } from './rules/mesh.js';
import { networkPolicyRules } from './rules/network-policy.js';
import { probeRules } from './rules/probes.js';
import { replicaRules } from './rules/replicas.js';
import { resourceRules } from './rules/resources.js';
import { routingRules } from './rules/routing.js';
import { contractRules } from './rules/contracts.js';
import { secretRules } from './rules/secrets.js';
import { securityContextRules } from './rules/security-context.js';
import { serviceAccountRules } from './rules/service-account.js';
import { serviceRules } from './rules/services.js';
import { tenancyRules } from './rules/tenancy.js';
import { topologyRules } from './rules/topology.js';

/** Every policy rule, in report order. A test checks that each POLICY_* code has exactly one rule. */
export const rules: readonly Rule[] = [
  ...imageRules,
  ...resourceRules,
  ...probeRules,
  ...securityContextRules,
  ...serviceAccountRules,
  ...replicaRules,
  ...disruptionRules,
  ...topologyRules,
  ...serviceRules,
  ...meshRules,
  ...routingRules,
  ...contractRules,
  ...authorizationRules,
  ...networkPolicyRules,
  ...secretRules,
  ...tenancyRules,
];

export const ruleByCode: ReadonlyMap<string, Rule> = new Map(rules.map((r) => [r.code, r]));
