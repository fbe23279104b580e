import { isMap } from './values/layers.js';

/**
 * Kubernetes label selectors (metav1.LabelSelector), read as LabelSelectorAsSelector reads
 * them: the one engine for ApplicationSet post-selectors (applicationset/utils/selector.go, over
 * the generator's parameters flattened to leaf keys) and for the selectors of the objects policy
 * reads (NetworkPolicy, PodDisruptionBudget, topology spread, Istio). An absent selector is the
 * empty one, which selects everything.
 */
export type Requirement = { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values: string[] };

/** Kubernetes IsQualifiedName: an optional DNS-subdomain prefix and "/", then a 63-character name. */
const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function qualifiedNameProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return 'a qualified name must consist of alphanumeric characters, "-", "_" or ".", with an optional DNS subdomain prefix and "/"';
  const [prefix, name] = parts.length === 2 ? [parts[0]!, parts[1]!] : [undefined, parts[0]!];
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !PREFIX.test(prefix))) return 'prefix part must be a lowercase RFC 1123 subdomain';
  if (name.length === 0) return 'name part must be non-empty';
  if (name.length > 63) return 'name part must be no more than 63 characters';
  if (!NAME.test(name)) return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  return undefined;
}

/** Parses a selector as LabelSelectorAsSelector does; a string is the API's error for a bad one. */
export function parseSelector(selector: unknown): Requirement[] | string {
  const s = record(selector);
  const reqs: Requirement[] = [];
  // A null value is the empty string, as Go decodes it into a map[string]string.
  for (const [key, value] of Object.entries(record(s.matchLabels))) reqs.push({ key, operator: 'In', values: [value === null || value === undefined ? '' : String(value)] });
  for (const item of Array.isArray(s.matchExpressions) ? (s.matchExpressions as unknown[]) : []) {
    const expr = record(item);
    const operator = String(expr.operator ?? '');
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(operator)) return `"${operator}" is not a valid pod selector operator`;
    reqs.push({ key: String(expr.key ?? ''), operator: operator as Requirement['operator'], values: (Array.isArray(expr.values) ? (expr.values as unknown[]) : []).map(String) });
  }
  for (const r of reqs) {
    const problem = qualifiedNameProblem(r.key);
    if (problem) return `key: Invalid value: "${r.key}": ${problem}`;
    if ((r.operator === 'In' || r.operator === 'NotIn') && r.values.length === 0) return "values: Invalid value: for 'in', 'notin' operators, values set can't be empty";
    if ((r.operator === 'Exists' || r.operator === 'DoesNotExist') && r.values.length > 0) return 'values: Invalid value: values set must be empty for exists and does not exist';
  }
  return reqs;
}

/** Whether a label set satisfies every requirement; no requirement: it does. */
export function matchesSelector(requirements: readonly Requirement[], labels: Record<string, string>): boolean {
  return requirements.every((r) => {
    const has = Object.hasOwn(labels, r.key);
    switch (r.operator) {
      case 'In':
        return has && r.values.includes(labels[r.key]!);
      case 'NotIn':
        return !has || !r.values.includes(labels[r.key]!);
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
    }
  });
}

function record(value: unknown): Record<string, unknown> {
  return isMap(value) ? value : {};
}
