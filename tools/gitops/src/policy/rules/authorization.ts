import { arr, fleetOfKind, nsOf, rec, str, type PolicyApp } from '../model.js';
import type { Rule, Violation } from '../rule.js';
import { on } from './common.js';

/** `<trust-domain>/ns/<namespace>/sa/<service-account>`: the SPIFFE identity Istio gives a pod. */
const PRINCIPAL = /^([A-Za-z0-9._-]+)\/ns\/([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/sa\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/;

/**
 * Service accounts the platform runs outside this repository that services may allow:
 * the Istio ingress gateway (its Helm chart's default service account).
 */
export const PLATFORM_SERVICE_ACCOUNTS = ['istio-system/istio-ingressgateway-service-account'];

/** Every principal of an AuthorizationPolicy, with its pointer and whether it allows (principals) or excludes (notPrincipals). */
function principals(policy: Record<string, unknown>): { value: string; pointer: string; allows: boolean }[] {
  const out: { value: string; pointer: string; allows: boolean }[] = [];
  arr(rec(policy.spec).rules).forEach((r, i) => {
    arr(rec(r).from).forEach((f, j) => {
      const source = rec(rec(f).source);
      for (const field of ['principals', 'notPrincipals'] as const) {
        arr(source[field]).forEach((p, k) => out.push({ value: String(p), pointer: `/spec/rules/${i}/from/${j}/source/${field}/${k}`, allows: field === 'principals' }));
      }
    });
  });
  return out;
}

function authorizationPolicies(app: PolicyApp) {
  return app.manifests.filter((m) => m.kind === 'AuthorizationPolicy' && m.apiVersion.startsWith('security.istio.io/'));
}

export const authorizationRules: Rule[] = [
  {
    code: 'POLICY_AUTHZ_PRINCIPAL_INVALID',
    title: 'AuthorizationPolicy principals are exact identities <trust-domain>/ns/<namespace>/sa/<service-account>, without wildcards.',
    hint: 'Write each caller as cluster.local/ns/<namespace>/sa/<service-account> (values mesh.authorization): a malformed principal matches no caller, a wildcard matches too many.',
    severity: { baseline: 'error', restricted: 'error' },
    mesh: true,
    check(app) {
      const out: Violation[] = [];
      for (const ap of authorizationPolicies(app)) {
        for (const p of principals(ap.object)) {
          if (p.allows && p.value.includes('*')) out.push(on(ap, p.pointer, `principal "${p.value}" is a wildcard: it allows callers nobody named`));
          else if (!p.value.includes('*') && !PRINCIPAL.test(p.value)) out.push(on(ap, p.pointer, `principal "${p.value}" is not of the form <trust-domain>/ns/<namespace>/sa/<service-account>`));
        }
      }
      return out;
    },
  },
  {
    code: 'POLICY_AUTHZ_PRINCIPAL_UNKNOWN',
    title: 'Every principal an AuthorizationPolicy allows names a ServiceAccount that exists in the environment (or a platform one, such as the ingress gateway).',
    hint: 'Fix the namespace or service account name, or deploy the calling service to this environment first: a principal nobody has allows nothing.',
    severity: { baseline: 'warning', restricted: 'error' },
    mesh: true,
    reads: 'environment',
    check(app, fleet) {
      const known = fleet.memo(`service-accounts|${app.env.name}`, () => new Set([...PLATFORM_SERVICE_ACCOUNTS, ...fleetOfKind(fleet, app, 'ServiceAccount', '').map(({ app: a, manifest: sa }) => `${nsOf(sa, a.namespace)}/${sa.name}`)]));
      const out: Violation[] = [];
      for (const ap of authorizationPolicies(app)) {
        for (const p of principals(ap.object)) {
          const m = PRINCIPAL.exec(p.value);
          if (!p.allows || !m) continue;
          const account = `${m[2]}/${m[4]}`;
          if (!known.has(account)) out.push(on(ap, p.pointer, `allows service account ${str(m[4])} in namespace ${str(m[2])}, which no Application of ${app.env.name} creates`));
        }
      }
      return out;
    },
  },
];
