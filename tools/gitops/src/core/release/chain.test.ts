import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import type { Environment } from '../repo/model.js';
import { parseYamlMapping } from '../yaml/parse-yaml.js';
import { promotionChain, requireSource } from './chain.js';

function envs(spec: Record<string, string | undefined>): Map<string, Environment> {
  const out = new Map<string, Environment>();
  for (const [name, from] of Object.entries(spec)) {
    const file = `environments/${name}/environment.yaml`;
    const text = `name: ${name}\nkubernetesVersion: "1.34.0"\n${from === undefined ? '' : `promotion:\n  from: ${from}\n`}`;
    const doc = parseYamlMapping(file, text).doc!;
    out.set(name, { name, cluster: { name, server: `https://${name}` }, kubernetesVersion: '1.34.0', apiVersions: [], mesh: 'istio', policyProfile: 'restricted', promotionFrom: from, doc });
  }
  return out;
}

describe('promotionChain', () => {
  it('orders environments after their source', () => {
    const chain = promotionChain(envs({ prod: 'staging', staging: 'dev', dev: undefined, qa: 'dev' }));
    expect(chain.order).toEqual(['dev', 'qa', 'staging', 'prod']);
    expect([...chain.sources]).toEqual([['prod', 'staging'], ['qa', 'dev'], ['staging', 'dev']]);
    expect(chain.findings).toEqual([]);
  });

  it('reports a gap at the promotion.from line and leaves the environments behind it out', () => {
    const all = envs({ dev: undefined, staging: 'stagign', prod: 'staging' });
    const chain = promotionChain(all);
    expect(chain.findings).toMatchObject([{ code: 'PROMOTION_SOURCE_UNKNOWN', env: 'staging', location: { file: 'environments/staging/environment.yaml', line: 4, column: 9 } }]);
    expect(chain.order).toEqual(['dev']);
    expect(() => requireSource(chain, all.get('prod')!)).toThrow('environments/staging/environment.yaml:4:9: promotion.from: "stagign" is not an environment, so nothing can be promoted into staging (on the way to prod)');
    expect(() => requireSource(chain, all.get('staging')!)).toThrow('environments/staging/environment.yaml:4:9: promotion.from: "stagign" is not an environment');
  });

  it('reports each environment of a cycle, and what hangs off it', () => {
    const all = envs({ a: 'b', b: 'a', c: 'a', dev: undefined });
    const chain = promotionChain(all);
    expect(chain.findings.map((f) => [f.code, f.env, f.message])).toEqual([
      ['PROMOTION_CYCLE', 'a', 'promotion.from leads back to a: a <- b <- a'],
      ['PROMOTION_CYCLE', 'b', 'promotion.from leads back to b: b <- a <- b'],
    ]);
    expect(chain.order).toEqual(['dev']);
    expect(() => requireSource(chain, all.get('a')!)).toThrow(ConfigError);
    expect(() => requireSource(chain, all.get('c')!)).toThrow('environments/a/environment.yaml:4:9: promotion.from leads back to a: a <- b <- a (on the way to c)');
  });

  it('refuses to promote into the root', () => {
    const all = envs({ dev: undefined, staging: 'dev' });
    expect(() => requireSource(promotionChain(all), all.get('dev')!)).toThrow('environments/dev/environment.yaml: dev has no promotion.from');
  });
});
