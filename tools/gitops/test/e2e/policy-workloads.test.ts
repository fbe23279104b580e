/**
 * Pod-level rules, a pass and a fail case each: images, resources, probes, security context,
 * service accounts, replicas and autoscaling, disruption budgets, topology, selectors and
 * Services, plain-text secrets, and the workload kinds they apply to.
 */
import { describe } from 'vitest';
import { DIGEST, goodContainer, goodPodTemplate, type Obj, type Scenario } from '../fixtures/policy/fleet.js';
import { scenarioMatrix } from '../fixtures/policy/matrix.js';

const app = (o: Record<string, Obj>) => o.deployment.spec.template.spec.containers[0];
const pod = (o: Record<string, Obj>) => o.deployment.spec.template.spec;

const scenarios: Scenario[] = [
  // Passes every rule in every profile, with and without the mesh.
  { name: 'good', expect: { dev: [], prod: [], sandbox: [] } },

  // images
  { name: 'img-latest', change: (o) => void (app(o).image = 'registry.example.com/shop/img-latest:latest'), expect: { prod: ['POLICY_IMAGE_NOT_PINNED'] } },
  { name: 'img-no-tag', change: (o) => void (app(o).image = 'registry.example.com:5000/shop/img-no-tag'), expect: { prod: ['POLICY_IMAGE_NOT_PINNED'], dev: ['POLICY_IMAGE_NOT_PINNED'] } },
  { name: 'img-digest', change: (o) => void (app(o).image = `registry.example.com/shop/img-digest@${DIGEST}`), expect: { prod: [] } },
  {
    name: 'img-init-latest',
    change: (o) => void (pod(o).initContainers = [{ ...goodContainer('migrate', 'registry.example.com/shop/migrate'), readinessProbe: undefined, livenessProbe: undefined, ports: undefined }]),
    expect: { prod: ['POLICY_IMAGE_NOT_PINNED'] },
  },

  // resources
  { name: 'res-no-memory-limit', change: (o) => void delete app(o).resources.limits, expect: { prod: ['POLICY_RESOURCES_MISSING'], dev: ['POLICY_RESOURCES_MISSING:warning'] } },
  { name: 'res-limits-only', change: (o) => void (app(o).resources = { limits: { cpu: '200m', memory: '256Mi' } }), expect: { prod: [] } },
  { name: 'res-limit-below-request', change: (o) => void (app(o).resources.limits.memory = '64Mi'), expect: { prod: ['POLICY_RESOURCES_MISSING'] } },
  { name: 'res-not-a-quantity', change: (o) => void (app(o).resources.limits.memory = '1 GiB'), expect: { prod: ['POLICY_RESOURCES_MISSING'] } },

  // probes
  { name: 'probe-no-readiness', change: (o) => void delete app(o).readinessProbe, expect: { prod: ['POLICY_READINESS_PROBE_MISSING'], dev: ['POLICY_READINESS_PROBE_MISSING:warning'] } },
  {
    // No Service sends it traffic (and so nothing routes to it): a readiness probe is not required.
    name: 'probe-worker-no-readiness',
    change: (o) => {
      delete app(o).readinessProbe;
      delete o.service;
      delete o.virtualservice;
      delete o.destinationrule;
    },
    expect: { prod: [] },
  },
  { name: 'probe-no-liveness', change: (o) => void delete app(o).livenessProbe, expect: { prod: ['POLICY_LIVENESS_PROBE_MISSING'] } },
  {
    // Same check, different timing: still the same probe.
    name: 'probe-identical',
    change: (o) => void (app(o).livenessProbe = { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 30, failureThreshold: 5 }),
    expect: { prod: ['POLICY_PROBES_IDENTICAL'], dev: ['POLICY_PROBES_IDENTICAL:warning'] },
  },
  { name: 'probe-named-port-unknown', change: (o) => void (app(o).readinessProbe.httpGet.port = 'htp'), expect: { prod: ['POLICY_PROBE_PORT_UNKNOWN'], dev: ['POLICY_PROBE_PORT_UNKNOWN'] } },
  { name: 'probe-numeric-port', change: (o) => void (app(o).readinessProbe.httpGet.port = 8080), expect: { prod: [] } },
  { name: 'probe-numeric-port-undeclared', change: (o) => void (app(o).livenessProbe = { tcpSocket: { port: 9999 } }), expect: { prod: ['POLICY_PROBE_PORT_UNKNOWN'] } },

  // security context
  { name: 'sec-no-run-as-non-root', change: (o) => void delete pod(o).securityContext.runAsNonRoot, expect: { prod: ['POLICY_RUN_AS_ROOT'], dev: ['POLICY_RUN_AS_ROOT:warning'] } },
  { name: 'sec-istio-uid', change: (o) => void (app(o).securityContext.runAsUser = 1337), expect: { prod: ['POLICY_RUN_AS_ROOT'] } },
  { name: 'sec-istio-gid', change: (o) => void (pod(o).securityContext.runAsGroup = 1337), expect: { prod: ['POLICY_RUN_AS_ROOT'] } },
  {
    name: 'sec-init-root',
    change: (o) => void (pod(o).initContainers = [{ ...goodContainer('migrate', 'registry.example.com/shop/migrate:1.0.0'), readinessProbe: undefined, livenessProbe: undefined, securityContext: { ...goodContainer('x', 'x').securityContext, runAsUser: 0 } }]),
    expect: { prod: ['POLICY_RUN_AS_ROOT'] },
  },
  { name: 'sec-writable-root', change: (o) => void (app(o).securityContext.readOnlyRootFilesystem = false), expect: { prod: ['POLICY_ROOT_FILESYSTEM_WRITABLE'], dev: ['POLICY_ROOT_FILESYSTEM_WRITABLE:warning'] } },
  { name: 'sec-privileged', change: (o) => void (app(o).securityContext.privileged = true), expect: { prod: ['POLICY_PRIVILEGED'], dev: ['POLICY_PRIVILEGED'] } },
  { name: 'sec-escalation', change: (o) => void delete app(o).securityContext.allowPrivilegeEscalation, expect: { prod: ['POLICY_PRIVILEGE_ESCALATION'] } },
  { name: 'sec-caps-not-dropped', change: (o) => void (app(o).securityContext.capabilities.drop = ['NET_RAW']), expect: { prod: ['POLICY_CAPABILITIES_NOT_DROPPED'] } },
  { name: 'sec-cap-sys-admin', change: (o) => void (app(o).securityContext.capabilities.add = ['SYS_ADMIN']), expect: { prod: ['POLICY_CAPABILITY_ADDED'], dev: ['POLICY_CAPABILITY_ADDED'] } },
  // Baseline allows the runtime's default capabilities back, restricted only NET_BIND_SERVICE.
  { name: 'sec-cap-chown', change: (o) => void (app(o).securityContext.capabilities.add = ['CHOWN']), expect: { prod: ['POLICY_CAPABILITY_ADDED'], dev: [] } },
  { name: 'sec-cap-net-bind', change: (o) => void (app(o).securityContext.capabilities.add = ['NET_BIND_SERVICE']), expect: { prod: [], dev: [] } },
  { name: 'sec-no-seccomp', change: (o) => void delete pod(o).securityContext.seccompProfile, expect: { prod: ['POLICY_SECCOMP_PROFILE'] } },
  {
    name: 'sec-seccomp-on-container',
    change: (o) => {
      delete pod(o).securityContext.seccompProfile;
      app(o).securityContext.seccompProfile = { type: 'RuntimeDefault' };
    },
    expect: { prod: [] },
  },
  { name: 'sec-seccomp-unconfined', change: (o) => void (app(o).securityContext.seccompProfile = { type: 'Unconfined' }), expect: { prod: ['POLICY_SECCOMP_PROFILE'] } },
  { name: 'sec-host-network', change: (o) => void (pod(o).hostNetwork = true), expect: { prod: ['POLICY_HOST_NAMESPACE'], dev: ['POLICY_HOST_NAMESPACE'] } },
  {
    name: 'sec-host-path',
    change: (o) => {
      pod(o).volumes = [{ name: 'logs', hostPath: { path: '/var/log' } }];
      app(o).volumeMounts = [{ name: 'logs', mountPath: '/logs' }];
    },
    expect: { prod: ['POLICY_HOST_PATH'] },
  },
  { name: 'sec-host-port', change: (o) => void (app(o).ports[0].hostPort = 8080), expect: { prod: ['POLICY_HOST_PORT'] } },

  // service accounts
  {
    name: 'sa-default',
    change: (o) => {
      delete pod(o).serviceAccountName;
      delete o.serviceaccount;
      o.authorizationpolicy.spec.rules[0].from[0].source.principals = ['cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account'];
    },
    expect: { prod: ['POLICY_SERVICE_ACCOUNT_NOT_OWN'], dev: ['POLICY_SERVICE_ACCOUNT_NOT_OWN:warning'] },
  },
  { name: 'sa-not-own', change: (o) => void (pod(o).serviceAccountName = 'shared'), expect: { prod: ['POLICY_SERVICE_ACCOUNT_NOT_OWN'] } },
  {
    name: 'sa-token-mounted',
    change: (o) => {
      delete pod(o).automountServiceAccountToken;
      delete o.serviceaccount.automountServiceAccountToken;
    },
    expect: { prod: ['POLICY_SERVICE_ACCOUNT_TOKEN_MOUNTED'] },
  },
  { name: 'sa-token-off-on-account', change: (o) => void delete pod(o).automountServiceAccountToken, expect: { prod: [] } },
  { name: 'sa-token-asked-for', change: (o) => void (pod(o).automountServiceAccountToken = true), expect: { prod: [] } },

  // replicas and autoscaling
  {
    name: 'rep-one',
    change: (o) => {
      delete o.hpa;
      o.deployment.spec.replicas = 1;
    },
    expect: { prod: ['POLICY_REPLICAS_TOO_FEW'], dev: [] },
  },
  {
    name: 'rep-two',
    change: (o) => {
      delete o.hpa;
      o.deployment.spec.replicas = 2;
    },
    expect: { prod: [] },
  },
  { name: 'rep-static-with-hpa', change: (o) => void (o.deployment.spec.replicas = 3), expect: { prod: ['POLICY_REPLICAS_WITH_HPA'], dev: ['POLICY_REPLICAS_WITH_HPA:warning'] } },
  { name: 'hpa-min-one', change: (o) => void (o.hpa.spec.minReplicas = 1), expect: { prod: ['POLICY_HPA_MIN_REPLICAS'], dev: [] } },
  { name: 'hpa-no-range', change: (o) => void (o.hpa.spec.maxReplicas = 2), expect: { prod: ['POLICY_HPA_RANGE'], dev: ['POLICY_HPA_RANGE:warning'] } },

  // disruption budgets
  { name: 'pdb-missing', change: (o) => void delete o.pdb, expect: { prod: ['POLICY_PDB_MISSING'], dev: [] } },
  {
    // minAvailable equal to the HPA minimum: no pod may ever be evicted.
    name: 'pdb-min-available-at-hpa-min',
    change: (o) => {
      delete o.pdb.spec.maxUnavailable;
      o.pdb.spec.minAvailable = 2;
    },
    expect: { prod: ['POLICY_PDB_BLOCKS_EVICTION'], dev: ['POLICY_PDB_BLOCKS_EVICTION:warning'] },
  },
  {
    name: 'pdb-min-available-below-hpa-min',
    change: (o) => {
      delete o.pdb.spec.maxUnavailable;
      o.pdb.spec.minAvailable = 1;
    },
    expect: { prod: [] },
  },
  {
    name: 'pdb-min-available-100-percent',
    change: (o) => {
      delete o.pdb.spec.maxUnavailable;
      o.pdb.spec.minAvailable = '100%';
    },
    expect: { prod: ['POLICY_PDB_BLOCKS_EVICTION'] },
  },
  { name: 'pdb-max-unavailable-zero', change: (o) => void (o.pdb.spec.maxUnavailable = 0), expect: { prod: ['POLICY_PDB_BLOCKS_EVICTION'] } },
  { name: 'pdb-max-unavailable-percent', change: (o) => void (o.pdb.spec.maxUnavailable = '25%'), expect: { prod: [] } },
  { name: 'pdb-two-budgets', change: (o) => void (o.pdb2 = { ...o.pdb, metadata: { ...o.pdb.metadata, name: 'pdb-two-budgets-extra' } }), expect: { prod: ['POLICY_PDB_BLOCKS_EVICTION'] } },

  // topology
  { name: 'topo-hostname-only', change: (o) => void (pod(o).topologySpreadConstraints[0].topologyKey = 'kubernetes.io/hostname'), expect: { prod: ['POLICY_TOPOLOGY_SPREAD_MISSING'], dev: [] } },
  { name: 'topo-selects-other-pods', change: (o) => void (pod(o).topologySpreadConstraints[0].labelSelector = { matchLabels: { app: 'someone-else' } }), expect: { prod: ['POLICY_TOPOLOGY_SPREAD_MISSING'] } },
  {
    name: 'topo-anti-affinity',
    change: (o, name) => {
      delete pod(o).topologySpreadConstraints;
      pod(o).affinity = { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: name } } } }] } };
    },
    expect: { prod: [] },
  },

  // selectors and Services
  { name: 'sel-mismatch', change: (o) => void (o.deployment.spec.selector = { matchLabels: { app: 'other' } }), expect: { prod: ['POLICY_SELECTOR_MISMATCH'], dev: ['POLICY_SELECTOR_MISMATCH'] } },
  { name: 'svc-selects-nothing', change: (o) => void (o.service.spec.selector = { app: 'nobody' }), expect: { prod: ['POLICY_SERVICE_SELECTS_NOTHING'] } },
  { name: 'svc-target-port-unknown', change: (o) => void (o.service.spec.ports[0].targetPort = 'web'), expect: { prod: ['POLICY_SERVICE_TARGET_PORT_UNKNOWN'], dev: ['POLICY_SERVICE_TARGET_PORT_UNKNOWN'] } },
  { name: 'svc-target-port-number', change: (o) => void (o.service.spec.ports[0].targetPort = 8080), expect: { prod: [] } },

  // plain-text secrets
  { name: 'secret-env-literal', change: (o) => void (app(o).env = [{ name: 'DB_PASSWORD', value: 'hunter2' }]), expect: { prod: ['POLICY_PLAINTEXT_SECRET'], dev: ['POLICY_PLAINTEXT_SECRET'] } },
  {
    name: 'secret-env-references',
    change: (o) =>
      void (app(o).env = [
        { name: 'TOKEN_URL', value: 'https://auth.example.com/token' },
        { name: 'PASSWORD_MIN_LENGTH', value: '12' },
        { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
        { name: 'API_TOKEN', value: '$(DB_PASSWORD)' },
        { name: 'CLIENT_SECRET', value: '/var/run/secrets/client/secret' },
        { name: 'EMPTY_TOKEN', value: '' },
      ]),
    expect: { prod: [] },
  },
  { name: 'secret-url-password', change: (o) => void (app(o).env = [{ name: 'DATABASE_URL', value: 'postgres://app:hunter2@db.data:5432/app' }]), expect: { prod: ['POLICY_PLAINTEXT_SECRET'] } },
  { name: 'secret-configmap-key', change: (o, name, ns) => void (o.configmap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { STRIPE_API_KEY: 'sk_live_abc', LOG_LEVEL: 'info' } }), expect: { prod: ['POLICY_PLAINTEXT_SECRET'] } },
  {
    name: 'secret-configmap-file',
    change: (o, name, ns) => void (o.configmap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { 'app.yaml': 'db:\n  host: db.data\n  password: hunter2\n' } }),
    expect: { prod: ['POLICY_PLAINTEXT_SECRET'] },
  },
  {
    name: 'secret-configmap-placeholders',
    change: (o, name, ns) => void (o.configmap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { 'app.yaml': 'db:\n  password: ${DB_PASSWORD}\n  passwordFile: /run/secrets/db\n', SECRET_NAME: 'db-credentials' } }),
    expect: { prod: [] },
  },
  { name: 'secret-object', change: (o, name, ns) => void (o.secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns }, stringData: { password: 'hunter2' } }), expect: { prod: ['POLICY_PLAINTEXT_SECRET'] } },

  // workload kinds
  {
    name: 'kind-statefulset',
    change: (o) => {
      o.deployment.kind = 'StatefulSet';
      o.deployment.spec.serviceName = 'kind-statefulset';
      o.hpa.spec.scaleTargetRef.kind = 'StatefulSet';
      app(o).image = 'registry.example.com/shop/db:latest';
    },
    expect: { prod: ['POLICY_IMAGE_NOT_PINNED'] },
  },
  {
    // The Rollout runs the pods of the template its workloadRef names; the Deployment only carries it.
    name: 'kind-rollout-workload-ref',
    change: (o, name) => {
      o.deployment.spec.replicas = 0;
      delete app(o).livenessProbe;
      o.rollout = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: o.deployment.metadata, spec: { selector: o.deployment.spec.selector, workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name }, strategy: { canary: { steps: [{ setWeight: 20 }] } } } };
      o.hpa.spec.scaleTargetRef = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name };
    },
    expect: { prod: ['POLICY_LIVENESS_PROBE_MISSING'] },
  },
  {
    // Jobs need no probes, replicas, budgets or spread, but the same pod security.
    name: 'kind-cronjob',
    change: (o, name, ns) => {
      const template = goodPodTemplate(name, ns);
      delete template.spec.containers[0].readinessProbe;
      delete template.spec.containers[0].livenessProbe;
      delete template.spec.topologySpreadConstraints;
      template.spec.restartPolicy = 'OnFailure';
      template.spec.securityContext.runAsNonRoot = false;
      return {
        serviceaccount: o.serviceaccount,
        cronjob: { apiVersion: 'batch/v1', kind: 'CronJob', metadata: o.deployment.metadata, spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template } } } },
        networkpolicy: o.networkpolicy,
        peerauthentication: o.peerauthentication,
      };
    },
    expect: { prod: ['POLICY_RUN_AS_ROOT'] },
  },
];

describe('gitops policy: pod rules', () => {
  scenarioMatrix(scenarios);
});
