import semver from 'semver';

/**
 * APIs that Kubernetes (or an operator) deprecated or removed, with what replaces them. From
 * the Kubernetes deprecated API migration guide and Istio's v1 API promotion (Istio 1.22).
 */
export interface ApiLifecycle {
  apiVersion: string;
  /** The kinds concerned; every kind of the apiVersion when absent. */
  kinds?: readonly string[];
  /** Kubernetes minor version that deprecated it; absent: deprecated whatever the version. */
  deprecatedIn?: string;
  /** Kubernetes minor version that stopped serving it. */
  removedIn?: string;
  /** What to use instead: an apiVersion (same kind) or a sentence. */
  replacement: string;
}

const WORKLOADS = ['Deployment', 'DaemonSet', 'ReplicaSet', 'StatefulSet'];
const RBAC = ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'];
const FLOW_CONTROL = ['FlowSchema', 'PriorityLevelConfiguration'];
const ISTIO_NETWORKING = ['VirtualService', 'DestinationRule', 'Gateway', 'ServiceEntry', 'Sidecar', 'WorkloadEntry', 'WorkloadGroup'];
const ISTIO_SECURITY = ['AuthorizationPolicy', 'PeerAuthentication', 'RequestAuthentication'];

export const API_LIFECYCLES: readonly ApiLifecycle[] = [
  // Removed in 1.16
  { apiVersion: 'extensions/v1beta1', kinds: WORKLOADS, deprecatedIn: '1.9', removedIn: '1.16', replacement: 'apps/v1' },
  { apiVersion: 'apps/v1beta1', kinds: WORKLOADS, deprecatedIn: '1.9', removedIn: '1.16', replacement: 'apps/v1' },
  { apiVersion: 'apps/v1beta2', kinds: WORKLOADS, deprecatedIn: '1.9', removedIn: '1.16', replacement: 'apps/v1' },
  { apiVersion: 'extensions/v1beta1', kinds: ['NetworkPolicy'], deprecatedIn: '1.9', removedIn: '1.16', replacement: 'networking.k8s.io/v1' },
  { apiVersion: 'extensions/v1beta1', kinds: ['PodSecurityPolicy'], deprecatedIn: '1.10', removedIn: '1.16', replacement: 'policy/v1beta1, itself removed in 1.25: use Pod Security Admission' },
  // Removed in 1.22
  { apiVersion: 'extensions/v1beta1', kinds: ['Ingress'], deprecatedIn: '1.14', removedIn: '1.22', replacement: 'networking.k8s.io/v1' },
  { apiVersion: 'networking.k8s.io/v1beta1', kinds: ['Ingress', 'IngressClass'], deprecatedIn: '1.19', removedIn: '1.22', replacement: 'networking.k8s.io/v1' },
  { apiVersion: 'admissionregistration.k8s.io/v1beta1', deprecatedIn: '1.16', removedIn: '1.22', replacement: 'admissionregistration.k8s.io/v1' },
  { apiVersion: 'apiextensions.k8s.io/v1beta1', deprecatedIn: '1.16', removedIn: '1.22', replacement: 'apiextensions.k8s.io/v1' },
  { apiVersion: 'apiregistration.k8s.io/v1beta1', deprecatedIn: '1.19', removedIn: '1.22', replacement: 'apiregistration.k8s.io/v1' },
  { apiVersion: 'authentication.k8s.io/v1beta1', deprecatedIn: '1.19', removedIn: '1.22', replacement: 'authentication.k8s.io/v1' },
  { apiVersion: 'authorization.k8s.io/v1beta1', deprecatedIn: '1.19', removedIn: '1.22', replacement: 'authorization.k8s.io/v1' },
  { apiVersion: 'certificates.k8s.io/v1beta1', deprecatedIn: '1.19', removedIn: '1.22', replacement: 'certificates.k8s.io/v1' },
  { apiVersion: 'coordination.k8s.io/v1beta1', deprecatedIn: '1.19', removedIn: '1.22', replacement: 'coordination.k8s.io/v1' },
  { apiVersion: 'rbac.authorization.k8s.io/v1beta1', kinds: RBAC, deprecatedIn: '1.17', removedIn: '1.22', replacement: 'rbac.authorization.k8s.io/v1' },
  { apiVersion: 'scheduling.k8s.io/v1beta1', kinds: ['PriorityClass'], deprecatedIn: '1.14', removedIn: '1.22', replacement: 'scheduling.k8s.io/v1' },
  { apiVersion: 'storage.k8s.io/v1beta1', kinds: ['CSIDriver', 'CSINode', 'StorageClass', 'VolumeAttachment'], deprecatedIn: '1.19', removedIn: '1.22', replacement: 'storage.k8s.io/v1' },
  // Removed in 1.25
  { apiVersion: 'batch/v1beta1', kinds: ['CronJob'], deprecatedIn: '1.21', removedIn: '1.25', replacement: 'batch/v1' },
  { apiVersion: 'discovery.k8s.io/v1beta1', kinds: ['EndpointSlice'], deprecatedIn: '1.21', removedIn: '1.25', replacement: 'discovery.k8s.io/v1' },
  { apiVersion: 'events.k8s.io/v1beta1', kinds: ['Event'], deprecatedIn: '1.22', removedIn: '1.25', replacement: 'events.k8s.io/v1' },
  { apiVersion: 'autoscaling/v2beta1', kinds: ['HorizontalPodAutoscaler'], deprecatedIn: '1.22', removedIn: '1.25', replacement: 'autoscaling/v2' },
  { apiVersion: 'policy/v1beta1', kinds: ['PodDisruptionBudget'], deprecatedIn: '1.21', removedIn: '1.25', replacement: 'policy/v1' },
  {
    apiVersion: 'policy/v1beta1',
    kinds: ['PodSecurityPolicy'],
    deprecatedIn: '1.21',
    removedIn: '1.25',
    replacement: 'Pod Security Admission (pod-security.kubernetes.io/* labels on the Namespace); PodSecurityPolicy has no successor API',
  },
  { apiVersion: 'node.k8s.io/v1beta1', kinds: ['RuntimeClass'], deprecatedIn: '1.20', removedIn: '1.25', replacement: 'node.k8s.io/v1' },
  // Removed in 1.26
  { apiVersion: 'autoscaling/v2beta2', kinds: ['HorizontalPodAutoscaler'], deprecatedIn: '1.23', removedIn: '1.26', replacement: 'autoscaling/v2' },
  { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta1', kinds: FLOW_CONTROL, deprecatedIn: '1.23', removedIn: '1.26', replacement: 'flowcontrol.apiserver.k8s.io/v1' },
  // Removed in 1.27, 1.29, 1.32
  { apiVersion: 'storage.k8s.io/v1beta1', kinds: ['CSIStorageCapacity'], deprecatedIn: '1.24', removedIn: '1.27', replacement: 'storage.k8s.io/v1' },
  { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta2', kinds: FLOW_CONTROL, deprecatedIn: '1.26', removedIn: '1.29', replacement: 'flowcontrol.apiserver.k8s.io/v1' },
  { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3', kinds: FLOW_CONTROL, deprecatedIn: '1.29', removedIn: '1.32', replacement: 'flowcontrol.apiserver.k8s.io/v1' },
  // Deprecated, still served
  { apiVersion: 'v1', kinds: ['Endpoints'], deprecatedIn: '1.33', replacement: 'discovery.k8s.io/v1 EndpointSlice' },
  // Istio promoted its APIs to v1 in 1.22; the older versions are still served, deprecated.
  { apiVersion: 'networking.istio.io/v1alpha3', kinds: ISTIO_NETWORKING, replacement: 'networking.istio.io/v1' },
  { apiVersion: 'networking.istio.io/v1beta1', kinds: ISTIO_NETWORKING, replacement: 'networking.istio.io/v1' },
  { apiVersion: 'security.istio.io/v1beta1', kinds: ISTIO_SECURITY, replacement: 'security.istio.io/v1' },
  { apiVersion: 'telemetry.istio.io/v1alpha1', kinds: ['Telemetry'], replacement: 'telemetry.istio.io/v1' },
];

/** What the cluster makes of an apiVersion and kind: removed (not served), deprecated, or nothing to say. */
export type ApiStatus = { state: 'removed' | 'deprecated'; lifecycle: ApiLifecycle; message: string } | undefined;

/** The lifecycle of `apiVersion` `kind` on a cluster of `kubernetesVersion` ("1.34.0"). */
export function apiStatus(apiVersion: string, kind: string, kubernetesVersion: string, table: readonly ApiLifecycle[] = API_LIFECYCLES): ApiStatus {
  const lifecycle = table.find((l) => l.apiVersion === apiVersion && (!l.kinds || l.kinds.includes(kind)));
  if (!lifecycle) return undefined;
  const cluster = semver.coerce(kubernetesVersion);
  const reached = (minor: string | undefined) => minor !== undefined && cluster !== null && semver.gte(cluster, `${minor}.0`);
  const use = /^[a-z0-9.-]*\/?v[a-z0-9]+$/.test(lifecycle.replacement) ? `use ${lifecycle.replacement} ${kind}` : `use ${lifecycle.replacement}`;

  if (reached(lifecycle.removedIn)) {
    return { state: 'removed', lifecycle, message: `${apiVersion} ${kind} was removed in Kubernetes ${lifecycle.removedIn}, this cluster runs ${kubernetesVersion}: ${use}` };
  }
  if (lifecycle.deprecatedIn === undefined || reached(lifecycle.deprecatedIn)) {
    const since = lifecycle.deprecatedIn ? ` since Kubernetes ${lifecycle.deprecatedIn}` : '';
    const until = lifecycle.removedIn ? ` and removed in ${lifecycle.removedIn}` : '';
    return { state: 'deprecated', lifecycle, message: `${apiVersion} ${kind} is deprecated${since}${until}: ${use}` };
  }
  return undefined;
}
