import type { FindingCode } from '../core/findings.js';
import type { PolicyRuleCode } from '../policy/codes.js';
import { rules } from '../policy/registry.js';
import { toolHomepage } from './report.js';

/** What code scanning shows about a rule: its description, its page and, for security rules, a score. */
export interface RuleDoc {
  /** One or two sentences: what the rule asks for. */
  description: string;
  /** The README anchor of the code (`…/README.md#values_unknown_key`). */
  helpUri: string;
  /** GitHub's `security-severity` (0.1–10, CVSS-like): set only on rules with security impact. */
  securitySeverity?: string;
}

/**
 * What each code means, for SARIF's `fullDescription`. Policy rules carry their own title in
 * the registry; the README's code tables say the same for people (a test keeps both in step).
 */
const descriptions: Partial<Record<Exclude<FindingCode, PolicyRuleCode>, string>> = {
  YAML_SYNTAX: 'A YAML file does not parse.',
  YAML_DUPLICATE_KEY: 'A YAML mapping repeats a key; readers disagree on which value wins.',
  YAML_NOT_A_MAPPING: 'A YAML file whose root must be a mapping is a list or a scalar.',
  YAML_TAB: 'A tab in the indentation of a YAML file.',
  YAML_MULTIPLE_DOCUMENTS: 'A second YAML document in a file that holds one; helm drops it silently from a values file.',
  CONFIG_SCHEMA: 'gitops.yaml breaks its JSON Schema.',
  SERVICE_SCHEMA: 'A service.yaml breaks its JSON Schema.',
  ENVIRONMENT_SCHEMA: 'An environment.yaml breaks its JSON Schema.',
  APPSET_SCHEMA: 'An ApplicationSet breaks its JSON Schema (the Argo CD CRD, restricted to what can be expanded exactly).',
  APPSET_UNSUPPORTED: 'An ApplicationSet uses a generator or template construct that cannot be expanded exactly.',
  APPSET_TEMPLATE: 'An ApplicationSet template fails; Argo CD then creates and updates none of its Applications.',
  APPSET_GENERATOR: 'A generator fails as it fails in Argo CD (a generator file that does not parse, a bad post-selector): the whole set is blocked.',
  APPSET_EMPTY: 'An ApplicationSet file holds no ApplicationSet; Argo CD would prune every Application it generated.',
  APP_PROJECT_UNKNOWN: 'An Application names an AppProject that argocd/projects/ does not declare, so Argo CD does not create it.',
  APP_NO_ENVIRONMENT: "An Application's destination cluster matches no environment.",
  APP_DUPLICATE_NAME: 'Two Applications share a name.',
  CHART_UNKNOWN: 'The pinned chart does not exist in Git.',
  CHART_VERSION_UNRELEASED: 'No commit of the default branch carries the pinned chart version.',
  CHART_DEPENDENCY: "A chart's dependencies cannot be built.",
  CHART_NOT_PUBLISHED: 'A pinned chart version is not in the chart registry; Argo CD could not pull it.',
  PROMOTION_SOURCE_UNKNOWN: 'promotion.from names no environment: nothing can be promoted into this one (a gap in the promotion chain).',
  PROMOTION_CYCLE: 'promotion.from leads back to the environment itself: the promotion chain has a cycle.',
  PROMOTION_FROM_MISMATCH: "gitops promote --from names another environment than the target's promotion source.",
  PROMOTION_NOT_IN_SOURCE: 'The service does not run in the promotion source: there is no release to promote.',
  PROMOTION_PIN_UNPROMOTED: 'A pin moved by hand to a chart and image its promotion source never ran: the change skips the promotion order.',
  PROMOTION_SOAKING: "The release has not run in the source environment for the target's promotion.soak.",
  PROMOTION_FROZEN: 'The target environment is in a promotion.freeze window.',
  CHART_REGISTRY_MISMATCH: 'The chart registry holds a version whose files differ from the package released from Git.',
  CHART_TAG_MISMATCH: 'A <chart>-<version> tag points at another commit than the release.',
  CHART_VERSION_NOT_BUMPED: "A chart whose package changes without raising its SemVer version.",
  CHART_VERSION_INVALID: "A chart version that is not SemVer, or that is lower than the released one.",
  CHART_RELEASE_CHANGED: 'The package the head would publish under a released version differs from the package released at that version.',
  CHART_LOCK_MISMATCH: "Chart.lock disagrees with Chart.yaml's dependencies.",
  CHART_DEPENDENCY_UNRESOLVED: 'A file:// dependency names a chart that is not there.',
  CHART_SCHEMA_BREAKING: 'A values.schema.json change that can refuse existing values files, without a major version.',
  CHART_LINT: 'helm lint fails on the chart at the head.',
  CHART_TEMPLATE_FAILED: "A chart template fails with a CI values file or a consumer's values.",
  CHART_YAML_MISSING: 'A directory under the charts directory has no Chart.yaml.',
  CHART_INVALID: 'A Chart.yaml lacks apiVersion, name or version.',
  SOURCE_UNSUPPORTED: 'An Application source that is not a Helm chart of this repository or of the chart registry at an exact version.',
  SOURCE_REVISION_CONFLICT: "A multi-source Application reads one repository at two revisions, which Argo CD's repo-server refuses.",
  VALUES_FILE_MISSING: 'A value file an Application lists does not exist.',
  VALUES_FILE_OUTSIDE_REPO: 'A value file points outside the repository.',
  HELM_TEMPLATE_FAILED: 'helm rejected the values or the chart (schema, required, template error).',
  VALUES_YAML11: "A plain scalar that helm's YAML 1.1 reader does not read as the string it looks like (on, yes, 0b101).",
  VALUES_YAML11_NUMBER: 'A number with a leading zero in a values file: helm renders another value (0700 is octal 448, 0800 is 800).',
  VALUES_NO_EFFECT: 'A value that changes nothing: a helm parameter such as the release pin sets it again, or an HPA manages the replicas it sets.',
  VALUES_UNKNOWN_KEY: "The merged values set a key the chart's values.schema.json does not allow.",
  VALUES_MISSING_KEY: "The merged values lack a key the chart's values.schema.json requires.",
  VALUES_WRONG_TYPE: "A merged value has a type the chart's values.schema.json does not allow.",
  VALUES_INVALID: "The merged values break another rule of the chart's values.schema.json.",
  VALUES_SCHEMA_BROKEN: "A chart's values.schema.json does not compile.",
  MANIFEST_INVALID: 'A Kubernetes object breaks the strict schema of its kind.',
  MANIFEST_NO_SCHEMA: "No schema for an object's apiVersion and kind.",
  MANIFEST_NOT_AN_OBJECT: 'A YAML document that is not a Kubernetes object (not a mapping, no kind or apiVersion, unreadable metadata).',
  MANIFEST_UNREADABLE: 'A manifest file given as a path cannot be read, or is larger than 1 GiB.',
  MANIFEST_UNCHECKED: 'kubeconform could not judge an object.',
  SCHEMA_UNUSABLE: 'A schema file that is not JSON or does not compile; its kind cannot be checked.',
  SCHEMA_NOT_PUBLISHED: 'No download location has the schema of a kind the fleet uses.',
  API_REMOVED: "An apiVersion that the environment's Kubernetes version no longer serves.",
  API_DEPRECATED: "An apiVersion that the environment's Kubernetes version deprecates; a replacement exists.",
  FILE_OUTSIDE_REPO: 'A path or symlink that leaves the repository (or an absolute symlink, which Argo CD refuses).',
  FILE_TOO_LARGE: 'A repository file larger than its role allows.',
  FILE_NOT_TEXT: 'A repository file that is binary or not UTF-8.',
  FILE_NOT_REGULAR: 'A repository file that is a pipe or a device.',
  PROJECT_SCHEMA: 'A file of argocd/projects/ that is not one AppProject.',
  WAIVER_INVALID: 'A waiver file or entry is malformed; it waives nothing until fixed.',
  WAIVER_EXPIRED: 'A waiver whose expiry date has passed; it no longer waives anything.',
  WAIVER_UNUSED: 'A waiver that matches no finding; the rule passes or is off.',
  CODEOWNERS_MISSING: 'No CODEOWNERS file where GitHub looks for one: no team review is required for any change.',
  CODEOWNERS_INVALID: 'A CODEOWNERS line GitHub skips: an owner that is not @user, @org/team or an e-mail, or a pattern GitHub does not support.',
  CODEOWNERS_TEAM_MISMATCH: "A service's directory is not owned by the team its service.yaml names.",
  CODEOWNERS_PROTECTED_FILE: 'Policy waivers or the release pins of a production-like environment can be approved by someone other than the platform or release owners.',
  CODEOWNERS_FOREIGN_CHANGE: "A change touches a file CODEOWNERS gives to another team than the pull request author's.",
};

/**
 * Rules whose findings are security weaknesses, scored as GitHub reads `security-severity`
 * (9.0+ critical, 7.0+ high, 4.0+ medium): what Pod Security's baseline forbids and leaks
 * rank highest, missing hardening lower. Reliability rules get none, so code scanning does
 * not list them as security alerts.
 */
const securitySeverity: Partial<Record<FindingCode, number>> = {
  POLICY_PRIVILEGED: 9.0,
  POLICY_PLAINTEXT_SECRET: 9.0,
  POLICY_HOST_NAMESPACE: 8.5,
  POLICY_HOST_PATH: 8.5,
  POLICY_CLUSTER_SCOPED_RESOURCE: 8.0,
  POLICY_PRIVILEGE_ESCALATION: 7.5,
  POLICY_CAPABILITY_ADDED: 7.5,
  POLICY_PROJECT_DESTINATION_DENIED: 7.0,
  POLICY_PROJECT_RESOURCE_DENIED: 7.0,
  POLICY_RUN_AS_ROOT: 7.0,
  POLICY_AUTHZ_PRINCIPAL_INVALID: 7.0,
  POLICY_HOST_PORT: 6.5,
  POLICY_MTLS_NOT_STRICT: 6.5,
  POLICY_DESTINATION_RULE_TLS: 6.5,
  POLICY_SIDECAR_INJECTION_DISABLED: 6.0,
  POLICY_CAPABILITIES_NOT_DROPPED: 5.5,
  POLICY_SECCOMP_PROFILE: 5.5,
  POLICY_NETWORK_POLICY_MISSING: 5.5,
  POLICY_SERVICE_ACCOUNT_NOT_OWN: 5.0,
  POLICY_AUTHZ_PRINCIPAL_UNKNOWN: 5.0,
  POLICY_ROOT_FILESYSTEM_WRITABLE: 4.5,
  POLICY_SERVICE_ACCOUNT_TOKEN_MOUNTED: 4.5,
  POLICY_IMAGE_NOT_PINNED: 4.0,
  CODEOWNERS_PROTECTED_FILE: 7.0,
  CODEOWNERS_MISSING: 5.0,
};

const policyTitles = new Map<string, string>(rules.map((r) => [r.code, r.title]));

/** The README anchor of a code: the code in lower case, as the README's code tables declare it. */
export function ruleAnchor(code: string): string {
  return code.toLowerCase();
}

/** The description, help page and security score of a finding code. */
export function ruleDoc(code: FindingCode): RuleDoc {
  const description = policyTitles.get(code) ?? descriptions[code as Exclude<FindingCode, PolicyRuleCode>] ?? `${code.toLowerCase().replace(/_/g, ' ')}.`;
  const score = securitySeverity[code];
  return { description, helpUri: `${toolHomepage}#${ruleAnchor(code)}`, securitySeverity: score === undefined ? undefined : score.toFixed(1) };
}

/** Every code with a description of its own (for the test that keeps the README in step). */
export function documentedCodes(): string[] {
  return [...Object.keys(descriptions), ...policyTitles.keys()];
}
