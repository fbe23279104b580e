/**
 * Rules across objects and Applications, a pass and a fail case each: Istio sidecars, port
 * protocols, mTLS, DestinationRules, VirtualService routing, authorization principals,
 * NetworkPolicies, and what the team's AppProject allows.
 */
import { describe } from 'vitest';
import { goodObjects, type Obj, type Scenario, type ServiceSpec } from '../fixtures/policy/fleet.js';
import { scenarioMatrix } from '../fixtures/policy/matrix.js';

const app = (o: Record<string, Obj>) => o.deployment.spec.template.spec.containers[0];
const labels = (o: Record<string, Obj>) => o.deployment.spec.template.metadata.labels;
const addCanary = (o: Record<string, Obj>, name: string) => void o.destinationrule.spec.subsets.push({ name: 'canary', labels: { app: name } });

const scenarios: Scenario[] = [
  // sidecar injection: mesh rules do not apply where there is no mesh
  {
    name: 'mesh-sidecar-off',
    change: (o) => void (labels(o)['sidecar.istio.io/inject'] = 'false'),
    expect: { prod: ['POLICY_SIDECAR_INJECTION_DISABLED'], dev: ['POLICY_SIDECAR_INJECTION_DISABLED:warning'], sandbox: [] },
  },
  { name: 'mesh-sidecar-annotation', change: (o) => void (o.deployment.spec.template.metadata.annotations = { 'sidecar.istio.io/inject': 'false' }), expect: { prod: ['POLICY_SIDECAR_INJECTION_DISABLED'] } },

  // port protocols
  { name: 'mesh-port-name', change: (o) => void (o.service.spec.ports[0].name = 'web'), expect: { prod: ['POLICY_SERVICE_PORT_PROTOCOL'], sandbox: [] } },
  { name: 'mesh-port-app-protocol', change: (o) => void Object.assign(o.service.spec.ports[0], { name: 'web', appProtocol: 'http' }), expect: { prod: [] } },
  { name: 'mesh-port-grpc-suffix', change: (o) => void (o.service.spec.ports[0].name = 'grpc-api'), expect: { prod: [] } },

  // mTLS
  { name: 'mtls-permissive', change: (o) => void (o.peerauthentication.spec.mtls.mode = 'PERMISSIVE'), expect: { prod: ['POLICY_MTLS_NOT_STRICT'], dev: ['POLICY_MTLS_NOT_STRICT:warning'] } },
  { name: 'mtls-missing', change: (o) => void delete o.peerauthentication, expect: { prod: ['POLICY_MTLS_NOT_STRICT'], sandbox: [] } },
  { name: 'mtls-port-permissive', change: (o) => void (o.peerauthentication.spec.portLevelMtls = { 8080: { mode: 'PERMISSIVE' } }), expect: { prod: ['POLICY_MTLS_NOT_STRICT'] } },
  {
    // Prometheus has no mesh certificate: the port a ServiceMonitor scrapes may stay PERMISSIVE.
    name: 'mtls-scrape-port',
    change: (o, name, ns) => {
      app(o).ports.push({ name: 'http-metrics', containerPort: 9090 });
      o.service.spec.ports.push({ name: 'http-metrics', port: 9090, targetPort: 'http-metrics' });
      o.peerauthentication.spec.portLevelMtls = { 9090: { mode: 'PERMISSIVE' } };
      o.servicemonitor = { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name, namespace: ns }, spec: { selector: { matchLabels: { app: name } }, endpoints: [{ port: 'http-metrics' }] } };
    },
    expect: { prod: [] },
  },

  // DestinationRule TLS
  { name: 'dr-tls-disabled', change: (o) => void (o.destinationrule.spec.trafficPolicy.tls.mode = 'DISABLE'), expect: { prod: ['POLICY_DESTINATION_RULE_TLS'], dev: ['POLICY_DESTINATION_RULE_TLS:warning'] } },
  { name: 'dr-tls-missing', change: (o) => void delete o.destinationrule.spec.trafficPolicy, expect: { prod: ['POLICY_DESTINATION_RULE_TLS'] } },
  { name: 'dr-subset-tls', change: (o) => void (o.destinationrule.spec.subsets[0].trafficPolicy = { tls: { mode: 'SIMPLE' } }), expect: { prod: ['POLICY_DESTINATION_RULE_TLS'] } },
  {
    // An external host is not in the mesh: its own TLS is right.
    name: 'dr-external-host',
    change: (o, name, ns) => void (o.destinationrule2 = { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: `${name}-psp`, namespace: ns }, spec: { host: 'api.psp.example.net', trafficPolicy: { tls: { mode: 'SIMPLE' } } } }),
    expect: { prod: [] },
  },

  // routing
  {
    name: 'route-weights',
    change: (o, name) => {
      addCanary(o, name);
      const host = o.virtualservice.spec.hosts[0];
      o.virtualservice.spec.http[0].route = [{ destination: { host, subset: 'stable' }, weight: 80 }, { destination: { host, subset: 'canary' }, weight: 10 }];
    },
    expect: { prod: ['POLICY_ROUTE_WEIGHTS'], dev: ['POLICY_ROUTE_WEIGHTS'] },
  },
  {
    name: 'route-weights-canary',
    change: (o, name) => {
      addCanary(o, name);
      const host = o.virtualservice.spec.hosts[0];
      o.virtualservice.spec.http[0].route = [{ destination: { host, subset: 'stable' }, weight: 90 }, { destination: { host, subset: 'canary' }, weight: 10 }];
    },
    expect: { prod: [] },
  },
  { name: 'route-subset-undefined', change: (o) => void (o.virtualservice.spec.http[0].route[0].destination.subset = 'canary'), expect: { prod: ['POLICY_ROUTE_SUBSET_UNDEFINED'] } },
  { name: 'route-mirror-subset-undefined', change: (o) => void (o.virtualservice.spec.http[0].mirror = { host: o.virtualservice.spec.hosts[0], subset: 'shadow' }), expect: { prod: ['POLICY_ROUTE_SUBSET_UNDEFINED'] } },
  // Short host names resolve in the VirtualService's namespace.
  { name: 'route-short-host', change: (o, name) => void (o.virtualservice.spec.http[0].route[0].destination.host = name), expect: { prod: [] } },
  { name: 'route-gateway-unknown', change: (o) => void (o.virtualservice.spec.gateways = ['mesh', 'public-gateway']), expect: { prod: ['POLICY_GATEWAY_UNKNOWN'], dev: ['POLICY_GATEWAY_UNKNOWN'] } },
  // A Gateway another Application of the environment renders.
  { name: 'route-gateway-of-fleet', change: (o) => void (o.virtualservice.spec.gateways = ['mesh', 'edge/edge-gateway']), expect: { prod: [] } },

  // contracts: subsets select pods, a host has one Gateway
  { name: 'dr-subset-no-pods', change: (o, name) => void o.destinationrule.spec.subsets.push({ name: 'v2', labels: { app: name, version: 'v2' } }), expect: { prod: ['POLICY_SUBSET_NO_PODS'], dev: ['POLICY_SUBSET_NO_PODS'] } },
  // Argo Rollouts sets the pod-template hash on each revision's pods itself.
  { name: 'dr-subset-rollout-hash', change: (o, name) => void o.destinationrule.spec.subsets.push({ name: 'canary', labels: { app: name, 'rollouts-pod-template-hash': '6d8f' } }), expect: { prod: [] } },
  {
    name: 'gateway-host-taken',
    change: (o, name, ns) =>
      void (o.gateway = { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name, namespace: ns }, spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['edge/SHOP.example.com'], tls: { mode: 'SIMPLE', credentialName: 'shop-tls' } }] } }),
    expect: { prod: ['POLICY_GATEWAY_HOST_DUPLICATE'] },
  },
  {
    // Another ingress gateway workload may serve the same host.
    name: 'gateway-host-other-workload',
    change: (o, name, ns) =>
      void (o.gateway = { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name, namespace: ns }, spec: { selector: { istio: 'internal-gateway' }, servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['shop.example.com'], tls: { mode: 'SIMPLE', credentialName: 'shop-tls' } }] } }),
    expect: { prod: [] },
  },

  // authorization principals
  { name: 'authz-malformed', change: (o) => void (o.authorizationpolicy.spec.rules[0].from[0].source.principals = ['shop/orders']), expect: { prod: ['POLICY_AUTHZ_PRINCIPAL_INVALID'], dev: ['POLICY_AUTHZ_PRINCIPAL_INVALID'] } },
  { name: 'authz-wildcard', change: (o) => void (o.authorizationpolicy.spec.rules[0].from[0].source.principals = ['cluster.local/ns/shop/sa/*']), expect: { prod: ['POLICY_AUTHZ_PRINCIPAL_INVALID'] } },
  { name: 'authz-unknown-account', change: (o) => void o.authorizationpolicy.spec.rules[0].from[0].source.principals.push('cluster.local/ns/shop/sa/ghost'), expect: { prod: ['POLICY_AUTHZ_PRINCIPAL_UNKNOWN'], dev: ['POLICY_AUTHZ_PRINCIPAL_UNKNOWN:warning'] } },
  // Another service's account exists where that service runs: dev only.
  { name: 'authz-caller-only-in-dev', change: (o) => void o.authorizationpolicy.spec.rules[0].from[0].source.principals.push('cluster.local/ns/shop/sa/dev-only'), expect: { prod: ['POLICY_AUTHZ_PRINCIPAL_UNKNOWN'], dev: [] } },
  { name: 'authz-caller-in-other-namespace', change: (o) => void o.authorizationpolicy.spec.rules[0].from[0].source.principals.push('cluster.local/ns/edge/sa/edge-gateway'), expect: { prod: [] } },

  // network policies
  { name: 'np-missing', change: (o) => void delete o.networkpolicy, expect: { prod: ['POLICY_NETWORK_POLICY_MISSING'], dev: ['POLICY_NETWORK_POLICY_MISSING:warning'] } },
  { name: 'np-egress-only', change: (o) => void (o.networkpolicy.spec = { podSelector: o.networkpolicy.spec.podSelector, policyTypes: ['Egress'], egress: [{}] }), expect: { prod: ['POLICY_NETWORK_POLICY_MISSING'] } },
  // Without policyTypes, a policy with ingress rules isolates ingress.
  { name: 'np-implicit-ingress', change: (o) => void delete o.networkpolicy.spec.policyTypes, expect: { prod: [] } },
  // Peers: pods some Application runs, in the namespaces the environment deploys into.
  { name: 'np-peer-unknown', change: (o) => void o.networkpolicy.spec.ingress.push({ from: [{ podSelector: { matchLabels: { app: 'ghost' } } }] }), expect: { prod: ['POLICY_NETWORK_PEER_UNKNOWN'], dev: ['POLICY_NETWORK_PEER_UNKNOWN:warning'] } },
  { name: 'np-peer-dev-only', change: (o) => void o.networkpolicy.spec.ingress.push({ from: [{ podSelector: { matchLabels: { app: 'dev-only' } } }] }), expect: { prod: ['POLICY_NETWORK_PEER_UNKNOWN'], dev: [] } },
  // A namespace no Application deploys into holds the platform's pods: not known here, not reported.
  { name: 'np-peer-platform', change: (o) => void o.networkpolicy.spec.ingress.push({ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'data' } }, podSelector: { matchLabels: { app: 'db' } } }] }), expect: { prod: [] } },
  // Selectors on labels a controller adds, or on labels no rendered workload carries (an operator's pods), cannot be judged here.
  { name: 'np-peer-controller-label', change: (o) => void o.networkpolicy.spec.ingress.push({ from: [{ podSelector: { matchLabels: { 'statefulset.kubernetes.io/pod-name': 'db-0' } } }] }), expect: { prod: [] } },
  { name: 'np-peer-operator-pods', change: (o) => void o.networkpolicy.spec.ingress.push({ from: [{ podSelector: { matchLabels: { 'cnpg.io/cluster': 'shop-db' } } }] }), expect: { prod: [] } },
  // An empty policyTypes is defaulted by the API server: Ingress.
  { name: 'np-policy-types-empty', change: (o) => void (o.networkpolicy.spec.policyTypes = []), expect: { prod: [] } },
  // Egress the callee's ingress does not admit: edge-gateway admits its own namespace only.
  {
    name: 'np-egress-denied',
    change: (o) => void Object.assign(o.networkpolicy.spec, { policyTypes: ['Ingress', 'Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'edge' } }, podSelector: { matchLabels: { app: 'edge-gateway' } } }], ports: [{ port: 8080 }] }] }),
    expect: { prod: ['POLICY_NETWORK_EGRESS_DENIED'], dev: [] },
  },
  // dev-only admits its own namespace, where this caller runs; in prod it does not exist.
  {
    name: 'np-egress-same-namespace',
    change: (o) => void Object.assign(o.networkpolicy.spec, { policyTypes: ['Ingress', 'Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'dev-only' } } }], ports: [{ port: 8080 }] }] }),
    expect: { prod: ['POLICY_NETWORK_PEER_UNKNOWN'], dev: [] },
  },
  // The callee's side: edge-caller sends to both; only the one that admits it passes (its port range overlaps the admitted port).
  { name: 'np-callee-denies', change: () => undefined, expect: { prod: ['POLICY_NETWORK_EGRESS_DENIED'] } },
  {
    name: 'np-callee-admits',
    change: (o) => void o.networkpolicy.spec.ingress.push({ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'edge' } }, podSelector: { matchLabels: { app: 'edge-caller' } } }], ports: [{ port: 8080 }] }),
    expect: { prod: [] },
  },

  // AppProject
  { name: 'ten-cluster-role', change: (o, name) => void (o.clusterrole = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules: [] }), expect: { prod: ['POLICY_CLUSTER_SCOPED_RESOURCE'], dev: ['POLICY_CLUSTER_SCOPED_RESOURCE'] } },
  { name: 'ten-namespace-object', change: (o, name) => void (o.namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }), expect: { prod: ['POLICY_CLUSTER_SCOPED_RESOURCE'] } },
  { name: 'ten-other-namespace', change: (o, name) => void (o.configmap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'kube-system' }, data: { a: 'b' } }), expect: { prod: ['POLICY_PROJECT_DESTINATION_DENIED'] } },
  { name: 'ten-quota', change: (o, name, ns) => void (o.quota = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name, namespace: ns }, spec: { hard: { pods: '10' } } }), expect: { prod: ['POLICY_PROJECT_RESOURCE_DENIED'] } },
  // team-ops whitelists ClusterRoles.
  { name: 'ten-whitelisted', team: 'ops', change: (o, name) => void (o.clusterrole = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules: [] }), expect: { prod: [] } },
];

/** Applications the scenarios refer to: an edge gateway in prod, a caller that runs in dev only. */
const extra: ServiceSpec[] = [
  (() => {
    const objects = goodObjects('edge-gateway', 'edge');
    objects.gateway = { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'edge-gateway', namespace: 'edge' }, spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['shop.example.com'], tls: { mode: 'SIMPLE', credentialName: 'shop-tls' } }] } };
    return { name: 'edge-gateway', team: 'edge', objects, envs: ['prod'] };
  })(),
  { name: 'dev-only', objects: goodObjects('dev-only', 'shop'), envs: ['dev'] },
  (() => {
    const objects = goodObjects('edge-caller', 'edge');
    const callee = (app: string) => ({ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: { app } } }], ports: [{ port: 8080 }] });
    const range = { ...callee('np-callee-admits'), ports: [{ port: 8000, endPort: 9000 }] };
    Object.assign(objects.networkpolicy!.spec, { policyTypes: ['Ingress', 'Egress'], egress: [callee('np-callee-denies'), range] });
    return { name: 'edge-caller', team: 'edge', objects, envs: ['prod'] };
  })(),
];

describe('gitops policy: mesh, routing, authorization, network and tenancy rules', () => {
  scenarioMatrix(scenarios, extra);
});
