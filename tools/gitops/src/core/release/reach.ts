import type { RenderPlan } from '../render/plan.js';

/** Which environments a change reaches when it is merged, and which only when it is promoted. */
export interface ChangeReach {
  /** Environments where an Application renders differently once the change is merged. */
  onMerge: string[];
  /** Environments that read a changed values file at a pinned config commit: they see it when it is promoted there. */
  byPromotion: string[];
}

/**
 * A values file read at a pinned revision (releases.<env>.config) does not change what its
 * environment renders when it is edited: the edit waits in the history until a promotion
 * moves the pin. Environments are in promotion order when `order` lists them.
 */
export function changeReach(plans: readonly Pick<RenderPlan, 'env' | 'valueFiles'>[], changed: ReadonlySet<string>, changedEnvs: Iterable<string>, order: readonly string[] = []): ChangeReach {
  const rank = (env: string) => (order.includes(env) ? order.indexOf(env) : order.length);
  const sort = (envs: Iterable<string>) => [...new Set(envs)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const onMerge = sort(changedEnvs);
  const pinned = plans.filter((p) => p.valueFiles.some((v) => v.tree.kind === 'revision' && changed.has(v.path))).map((p) => p.env.name);
  return { onMerge, byPromotion: sort(pinned) };
}

/** `Reaches on merge: dev. Only by promotion: staging, prod.` */
export function reachLine(reach: ChangeReach): string {
  const list = (envs: string[]) => (envs.length > 0 ? envs.join(', ') : 'none');
  return `Reaches on merge: ${list(reach.onMerge)}. Only by promotion: ${list(reach.byPromotion)}.`;
}
