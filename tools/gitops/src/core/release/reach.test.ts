import { describe, expect, it } from 'vitest';
import type { RenderPlan } from '../render/plan.js';
import { changeReach, reachLine } from './reach.js';

const plan = (env: string, pinned: boolean): Pick<RenderPlan, 'env' | 'valueFiles'> =>
  ({ env: { name: env }, valueFiles: [{ raw: '$values/services/orders/values.yaml', path: 'services/orders/values.yaml', optional: true, tree: pinned ? { kind: 'revision', revision: 'c'.repeat(40) } : { kind: 'snapshot' } }] }) as Pick<RenderPlan, 'env' | 'valueFiles'>;

describe('changeReach', () => {
  it('names the environments a values edit reaches on merge and those it reaches only by promotion', () => {
    const reach = changeReach([plan('prod', true), plan('dev', false), plan('staging', true)], new Set(['services/orders/values.yaml']), ['dev'], ['dev', 'staging', 'prod']);
    expect(reach).toEqual({ onMerge: ['dev'], byPromotion: ['staging', 'prod'] });
    expect(reachLine(reach)).toBe('Reaches on merge: dev. Only by promotion: staging, prod.');
  });

  it('reports an edit of a file no pinned environment reads as reaching nothing by promotion', () => {
    expect(reachLine(changeReach([plan('prod', true)], new Set(['services/payments/values.yaml']), []))).toBe('Reaches on merge: none. Only by promotion: none.');
  });
});
