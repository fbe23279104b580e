import { describe, expect, it } from 'vitest';
import { API_LIFECYCLES, apiStatus } from './deprecations.js';

describe('apiStatus', () => {
  it.each([
    ['policy/v1beta1', 'PodSecurityPolicy', '1.25.0', 'removed'],
    ['policy/v1beta1', 'PodDisruptionBudget', '1.34.0', 'removed'],
    ['autoscaling/v2beta1', 'HorizontalPodAutoscaler', '1.25.0', 'removed'],
    ['autoscaling/v2beta2', 'HorizontalPodAutoscaler', '1.25.9', 'deprecated'],
    ['autoscaling/v2beta2', 'HorizontalPodAutoscaler', '1.26.0', 'removed'],
    ['autoscaling/v2beta2', 'HorizontalPodAutoscaler', '1.22.0', undefined],
    ['batch/v1beta1', 'CronJob', '1.25.0', 'removed'],
    ['extensions/v1beta1', 'Ingress', '1.22.0', 'removed'],
    ['networking.k8s.io/v1beta1', 'Ingress', '1.21.3', 'deprecated'],
    ['flowcontrol.apiserver.k8s.io/v1beta2', 'FlowSchema', '1.29.0', 'removed'],
    ['flowcontrol.apiserver.k8s.io/v1beta3', 'PriorityLevelConfiguration', '1.31.0', 'deprecated'],
    ['flowcontrol.apiserver.k8s.io/v1beta3', 'FlowSchema', '1.32.0', 'removed'],
    ['storage.k8s.io/v1beta1', 'CSIStorageCapacity', '1.27.0', 'removed'],
    ['discovery.k8s.io/v1beta1', 'EndpointSlice', '1.25.0', 'removed'],
    ['networking.istio.io/v1alpha3', 'VirtualService', '1.34.0', 'deprecated'],
    ['networking.istio.io/v1beta1', 'DestinationRule', '1.20.0', 'deprecated'],
    ['security.istio.io/v1beta1', 'AuthorizationPolicy', '1.34.0', 'deprecated'],
    // Only some kinds of an apiVersion: EnvoyFilter has no v1.
    ['networking.istio.io/v1alpha3', 'EnvoyFilter', '1.34.0', undefined],
    ['apps/v1', 'Deployment', '1.34.0', undefined],
  ])('%s %s on %s: %s', (apiVersion, kind, version, state) => {
    expect(apiStatus(apiVersion, kind, version)?.state).toBe(state);
  });

  it('names the replacement, and the versions', () => {
    expect(apiStatus('autoscaling/v2beta2', 'HorizontalPodAutoscaler', '1.34.0')?.message).toBe(
      'autoscaling/v2beta2 HorizontalPodAutoscaler was removed in Kubernetes 1.26, this cluster runs 1.34.0: use autoscaling/v2 HorizontalPodAutoscaler',
    );
    expect(apiStatus('batch/v1beta1', 'CronJob', '1.23.0')?.message).toBe('batch/v1beta1 CronJob is deprecated since Kubernetes 1.21 and removed in 1.25: use batch/v1 CronJob');
    expect(apiStatus('policy/v1beta1', 'PodSecurityPolicy', '1.34.0')?.message).toContain('use Pod Security Admission');
  });

  it('names a replacement for every entry, and never lists an API twice', () => {
    const seen = new Set<string>();
    for (const entry of API_LIFECYCLES) {
      expect(entry.replacement, entry.apiVersion).not.toBe('');
      for (const kind of entry.kinds ?? ['*']) {
        const key = `${entry.apiVersion} ${kind}`;
        expect(seen.has(key), key).toBe(false);
        seen.add(key);
      }
    }
  });
});
