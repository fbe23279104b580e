import { arr, fleetOfKind, groupOf, nsOf, rec, str, type AppProjectInfo, type PolicyApp, type PolicyFleet } from '../model.js';
import type { Rule, Violation } from '../rule.js';
import { on } from './common.js';

/** Kinds that live outside any namespace, by "<group>/<kind>" (core group: ""). */
const CLUSTER_SCOPED = new Set(
  [
    '/Namespace', '/Node', '/PersistentVolume', '/ComponentStatus',
    'rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/ClusterRoleBinding',
    'apiextensions.k8s.io/CustomResourceDefinition',
    'apiregistration.k8s.io/APIService',
    'scheduling.k8s.io/PriorityClass',
    'storage.k8s.io/StorageClass', 'storage.k8s.io/CSIDriver', 'storage.k8s.io/CSINode', 'storage.k8s.io/VolumeAttachment', 'storage.k8s.io/VolumeAttributesClass',
    'admissionregistration.k8s.io/ValidatingWebhookConfiguration', 'admissionregistration.k8s.io/MutatingWebhookConfiguration',
    'admissionregistration.k8s.io/ValidatingAdmissionPolicy', 'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
    'admissionregistration.k8s.io/MutatingAdmissionPolicy', 'admissionregistration.k8s.io/MutatingAdmissionPolicyBinding',
    'node.k8s.io/RuntimeClass',
    'networking.k8s.io/IngressClass', 'networking.k8s.io/IPAddress', 'networking.k8s.io/ServiceCIDR',
    'certificates.k8s.io/CertificateSigningRequest', 'certificates.k8s.io/ClusterTrustBundle',
    'flowcontrol.apiserver.k8s.io/FlowSchema', 'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
    'resource.k8s.io/DeviceClass',
    'policy/PodSecurityPolicy',
    'gateway.networking.k8s.io/GatewayClass',
    'cert-manager.io/ClusterIssuer',
    'kyverno.io/ClusterPolicy',
    'external-secrets.io/ClusterSecretStore', 'external-secrets.io/ClusterExternalSecret',
    'argoproj.io/ClusterWorkflowTemplate', 'argoproj.io/ClusterAnalysisTemplate',
  ],
);

/** Argo CD's glob: `*` any run of characters, `?` one; a leading `!` negates (deny entries). */
export function globMatch(pattern: string, value: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(value);
}

function listed(list: unknown, group: string, kind: string): boolean {
  return arr(list).some((e) => {
    const entry = rec(e);
    return globMatch(str(entry.group) || '', group) && globMatch(str(entry.kind) || '*', kind);
  });
}

/**
 * Argo CD's destination check: some entry allows the cluster (by server or name) and the
 * namespace, and no deny entry (a `!` pattern) matches.
 */
export function destinationPermitted(project: AppProjectInfo, cluster: { name: string; server: string }, namespace: string): boolean {
  let allowed = false;
  for (const e of arr(project.spec.destinations)) {
    const d = rec(e);
    const patterns = { server: str(d.server), name: str(d.name), namespace: str(d.namespace) };
    const negated = Object.values(patterns).some((p) => p.startsWith('!'));
    const match = (pattern: string, value: string) => pattern !== '' && globMatch(pattern.replace(/^!/, ''), value);
    const clusterMatch = match(patterns.server, cluster.server) || match(patterns.name, cluster.name);
    const nsMatch = match(patterns.namespace, namespace);
    if (negated) {
      const clusterPart = patterns.server || patterns.name ? clusterMatch : true;
      if (clusterPart && (patterns.namespace ? nsMatch : true)) return false;
    } else if (clusterMatch && nsMatch) {
      allowed = true;
    }
  }
  return allowed;
}

function clusterScopedKinds(fleet: PolicyFleet, app: PolicyApp): Set<string> {
  return fleet.memo(`cluster-scoped|${app.env.name}`, () => withRenderedCrds(fleet, app));
}

function withRenderedCrds(fleet: PolicyFleet, app: PolicyApp): Set<string> {
  const kinds = new Set(CLUSTER_SCOPED);
  // CRDs rendered in the environment say their own scope.
  for (const { manifest: crd } of fleetOfKind(fleet, app, 'CustomResourceDefinition', 'apiextensions.k8s.io')) {
    const spec = rec(crd.object.spec);
    if (spec.scope === 'Cluster') kinds.add(`${str(spec.group)}/${str(rec(spec.names).kind)}`);
  }
  return kinds;
}

export const tenancyRules: Rule[] = [
  {
    code: 'POLICY_PROJECT_DESTINATION_DENIED',
    title: "The team's AppProject exists and allows the Application's destination cluster and namespace, and every namespace an object is rendered into.",
    hint: "Deploy into the team's own namespace, or have the platform team add the destination to argocd/projects/<project>.yaml: Argo CD refuses to sync outside a project's destinations.",
    severity: { baseline: 'error', restricted: 'error' },
    reads: 'projects',
    check(app, fleet) {
      const project = fleet.projects.get(app.project);
      if (!project) {
        return [{ message: `AppProject "${app.project}" does not exist in argocd/projects/`, location: app.appLocation, hint: `Create argocd/projects/${app.project}.yaml (one AppProject per team), or fix spec.project.` }];
      }
      const cluster = app.env.cluster;
      const out: Violation[] = [];
      const destination = app.destination.namespace ?? '';
      if (!destinationPermitted(project, cluster, destination)) {
        out.push({ message: `AppProject ${project.name} does not allow namespace "${destination}" on cluster ${cluster.name}`, location: app.appLocation });
      }
      const kinds = clusterScopedKinds(fleet, app);
      const seen = new Set<string>([destination]);
      for (const m of app.manifests) {
        if (kinds.has(`${groupOf(m.apiVersion)}/${m.kind}`)) continue;
        const ns = nsOf(m, app.namespace);
        if (seen.has(ns)) continue;
        if (!destinationPermitted(project, cluster, ns)) {
          seen.add(ns);
          out.push(on(m, '/metadata/namespace', `is rendered into namespace "${ns}", which AppProject ${project.name} does not allow`));
        }
      }
      return out;
    },
  },
  {
    code: 'POLICY_CLUSTER_SCOPED_RESOURCE',
    title: "A team chart renders nothing cluster-scoped (Namespace, ClusterRole, CRD, webhook configuration, …) unless the team's AppProject whitelists it.",
    hint: 'Cluster-scoped objects belong to the platform team: move it to a platform Application, or ask for it in the AppProject clusterResourceWhitelist.',
    severity: { baseline: 'error', restricted: 'error' },
    reads: 'environment',
    check(app, fleet) {
      const project = fleet.projects.get(app.project);
      const kinds = clusterScopedKinds(fleet, app);
      return app.manifests
        .filter((m) => {
          const group = groupOf(m.apiVersion);
          if (!kinds.has(`${group}/${m.kind}`)) return false;
          const spec = project?.spec ?? {};
          return !listed(spec.clusterResourceWhitelist, group, m.kind) || listed(spec.clusterResourceBlacklist, group, m.kind);
        })
        .map((m) => on(m, '', `is cluster-scoped, and AppProject ${app.project} does not allow ${m.kind}`));
    },
  },
  {
    code: 'POLICY_PROJECT_RESOURCE_DENIED',
    title: "No rendered object is of a kind the team's AppProject denies (namespaceResourceBlacklist, or absent from a namespaceResourceWhitelist).",
    hint: 'Remove the object from the chart values, or ask the platform team to allow its kind in the AppProject: Argo CD would refuse to sync it.',
    severity: { baseline: 'error', restricted: 'error' },
    reads: 'projects',
    check(app, fleet) {
      const project = fleet.projects.get(app.project);
      if (!project) return [];
      const kinds = clusterScopedKinds(fleet, app);
      const whitelist = arr(project.spec.namespaceResourceWhitelist);
      return app.manifests
        .filter((m) => {
          const group = groupOf(m.apiVersion);
          if (kinds.has(`${group}/${m.kind}`)) return false;
          return listed(project.spec.namespaceResourceBlacklist, group, m.kind) || (whitelist.length > 0 && !listed(whitelist, group, m.kind));
        })
        .map((m) => on(m, '', `is a ${m.kind}, which AppProject ${project.name} does not allow`));
    },
  },
];
