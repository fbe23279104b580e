import { describe, expect, it } from 'vitest';
import type { EnvRelease } from './release.js';
import { releaseDelta } from './release-delta.js';

const C1 = '1'.repeat(40);
const C2 = '2'.repeat(40);
const rel = (env: string, chart: string, image: string, config?: string): EnvRelease => ({ service: 'orders', env, chart, image, config: config ? { kind: 'commit', commit: config } : { kind: 'branch' } });

describe('releaseDelta', () => {
  it('lists the parts a promotion changes, a source that follows the branch at the resolved commit', () => {
    const delta = releaseDelta({ service: 'orders', env: 'staging', source: 'dev', current: rel('staging', '1.0.0', '2.3.1', C1), sourceRelease: rel('dev', '1.1.0', '2.3.1'), sourceConfig: C2 });
    expect(delta).toMatchObject({ status: 'differs', promoted: { chart: '1.1.0', image: '2.3.1', config: C2 }, changes: [{ part: 'chart', from: '1.0.0', to: '1.1.0' }, { part: 'config', from: C1, to: C2 }] });
  });

  it('is equal when every part matches', () => {
    expect(releaseDelta({ service: 'orders', env: 'prod', source: 'staging', current: rel('prod', '1.1.0', '2.3.1', C2), sourceRelease: rel('staging', '1.1.0', '2.3.1', C2) }).status).toBe('equal');
  });

  it('promotes every part into an environment the service does not run in yet', () => {
    const delta = releaseDelta({ service: 'orders', env: 'prod', source: 'staging', sourceRelease: rel('staging', '1.1.0', '2.3.1', C2) });
    expect(delta.status === 'differs' && delta.changes.map((c) => c.part)).toEqual(['chart', 'image', 'config']);
  });

  it('has nothing to promote when the source does not run the service', () => {
    expect(releaseDelta({ service: 'orders', env: 'prod', source: 'staging', current: rel('prod', '1.0.0', '2.3.0', C1) }).status).toBe('absent-in-source');
  });

  it('refuses a branch-following source whose commit was not resolved', () => {
    expect(() => releaseDelta({ service: 'orders', env: 'staging', source: 'dev', sourceRelease: rel('dev', '1.1.0', '2.4.0') })).toThrow(/not resolved/);
  });
});
