import type { Finding } from '../core/findings.js';
import { isMap, type ValueLayer } from '../core/values/layers.js';
import type { JsonPath } from '../core/yaml/parse-yaml.js';
import type { AppManifests } from '../render/fleet-manifests.js';
import type { RenderPlan } from '../core/render/plan.js';
import type { AppValues, AppValuesCache, ValuesFacts } from './lint-values.js';

/** Top-level values that set a workload's replica count, in the charts' two spellings. */
const REPLICA_KEYS = ['replicas', 'replicaCount'];
const SCALED_KINDS = new Set(['Deployment', 'StatefulSet', 'Rollout', 'ReplicaSet']);

/**
 * Values a service team wrote that change nothing, each a warning at its values line:
 * - a key of a values file that a helm parameter (the release pin) sets again: `image.tag` in
 *   a values file loses to the pinned release;
 * - a replica count in the service's values when a HorizontalPodAutoscaler manages the workload and the chart leaves
 *   `spec.replicas` out: the HPA's minimum is what runs.
 */
export async function valuesWithoutEffect(apps: readonly AppManifests[], values: AppValuesCache): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const { app, manifests } of apps) {
    const facts = await values.factsOf(app.plan);
    if (!facts) continue;
    out.push(...facts.shadowed);
    const hpas = manifests.filter((m) => m.kind === 'HorizontalPodAutoscaler');
    if (hpas.length === 0) continue;
    for (const { key, location } of facts.replicas) {
      const scaled = hpas.flatMap((hpa) => {
        const target = (hpa.object.spec as { scaleTargetRef?: { kind?: unknown; name?: unknown } } | undefined)?.scaleTargetRef;
        const workload = manifests.find((m) => SCALED_KINDS.has(m.kind) && m.kind === target?.kind && m.name === target?.name);
        const spec = workload?.object.spec;
        return workload && isMap(spec) && spec.replicas === undefined ? [{ hpa, workload }] : [];
      });
      if (scaled.length === 0) continue;
      const { hpa, workload } = scaled[0]!;
      const application = app.plan.app.name;
      out.push({
        application,
        env: app.plan.env.name,
        service: app.plan.service,
        code: 'VALUES_NO_EFFECT',
        severity: 'warning',
        message: `${key} does nothing in ${application}: HorizontalPodAutoscaler ${hpa.name} manages the replicas of ${workload.kind} ${workload.name}, which the chart renders without spec.replicas`,
        hint: 'Remove it, and set the range on the autoscaler (minReplicas and maxReplicas) instead.',
        location,
      });
    }
  }
  return out;
}

/** The keys of value files that a helm parameter sets again, each at the file's line. */
export function shadowedByParameters(plan: RenderPlan, appValues: AppValues): Finding[] {
  const about = { application: plan.app.name, env: plan.env.name, service: plan.service };
  const files = appValues.layers.filter((l) => l.kind === 'file');
  const out: Finding[] = [];
  for (const parameter of appValues.layers.filter((l) => l.kind === 'parameter')) {
    for (const path of leaves(parameter.data)) {
      const owner = [...files].reverse().find((l) => has(l.data, path));
      if (!owner) continue;
      const pin = parameter.locate(path);
      out.push({
        ...about,
        code: 'VALUES_NO_EFFECT',
        severity: 'warning',
        message: `${path.join('.')} does nothing in ${about.application}: the Application's helm parameter ${path.join('.')} (${pin.file}${pin.line ? `:${pin.line}` : ''}) overrides it`,
        hint: path.join('.') === 'image.tag' ? 'Remove it: the image tag is the release pinned in service.yaml, moved by promotion.' : 'Remove it, or change the parameter instead.',
        location: owner.locate(path, 'key'),
      });
    }
  }
  return out;
}

/**
 * Where the service's own files set a top-level replica count, by key: the service's own
 * files only, since an environment's default replica count is meant for the services it does
 * not autoscale.
 */
export function ownReplicaCounts(plan: RenderPlan, appValues: AppValues): ValuesFacts['replicas'] {
  const own = appValues.layers.filter((l) => l.kind === 'file' && l.file?.startsWith(`services/${plan.service}/`));
  return REPLICA_KEYS.flatMap((key) => {
    const owner = [...own].reverse().find((l) => has(l.data, [key]));
    return owner ? [{ key, location: owner.locate([key], 'key') }] : [];
  });
}

function leaves(node: unknown, path: (string | number)[] = []): JsonPath[] {
  if (!isMap(node)) return path.length ? [path] : [];
  return Object.entries(node).flatMap(([k, v]) => leaves(v, [...path, k]));
}

function has(data: ValueLayer['data'], path: JsonPath): boolean {
  let node: unknown = data;
  for (const segment of path) {
    if (!isMap(node) || !Object.hasOwn(node, String(segment))) return false;
    node = node[String(segment)];
  }
  return node !== null;
}
