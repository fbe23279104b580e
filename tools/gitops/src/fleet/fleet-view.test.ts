import { describe, expect, it } from 'vitest';
import type { Finding } from '../core/findings.js';
import { promotionChain } from '../core/release/chain.js';
import type { Environment, Release, Service } from '../core/repo/model.js';
import { parseYamlMapping } from '../core/yaml/parse-yaml.js';
import type { Waiver } from '../policy/waivers.js';
import { pinEvents } from './fleet-history.js';
import { buildFleetView, type FleetViewInput } from './fleet-view.js';

const C1 = 'a'.repeat(40);
const C2 = 'b'.repeat(40);

function environment(name: string, promotion?: Environment['promotion']): Environment {
  const file = `environments/${name}/environment.yaml`;
  const doc = parseYamlMapping(file, `name: ${name}\n${promotion ? `promotion:\n  from: ${promotion.from}\n` : ''}`).doc!;
  return { name, cluster: { name, server: `https://${name}` }, kubernetesVersion: '1.34.0', apiVersions: [], mesh: 'istio', policyProfile: 'baseline', promotionFrom: promotion?.from, promotion, doc };
}

function svc(name: string, team: string, releases: Record<string, Release>): Service {
  return { name, team, chart: 'web', releases, dir: `services/${name}`, doc: parseYamlMapping(`services/${name}/service.yaml`, `name: ${name}\n`).doc! };
}

function input({ environments, fleet, ...over }: Partial<FleetViewInput> & { environments: Environment[]; fleet: Service[] }): FleetViewInput {
  const model = { environments: new Map(environments.map((e) => [e.name, e])), services: new Map(fleet.map((s) => [s.name, s])) };
  return { model, chain: promotionChain(model.environments), findings: [], waivers: [], history: { events: [], commits: [] }, sourceConfigs: new Map(), charts: [], today: '2026-01-10', now: new Date('2026-01-10T00:00:00Z'), envs: [], teams: [], services: [], ...over };
}

const cell = (view: ReturnType<typeof buildFleetView>, service: string, env: string) => view.services.find((s) => s.name === service)!.cells.find((c) => c.env === env)!;

describe('buildFleetView', () => {
  const envs = [environment('prod', { from: 'staging', freeze: [] }), environment('dev'), environment('staging', { from: 'dev', freeze: [] })];

  it('orders environments by promotion and marks what is behind its source, part by part', () => {
    const view = buildFleetView(input({ environments: envs, fleet: [svc('orders', 'commerce', { dev: { chart: '1.1.0', image: '2.4.0' }, staging: { chart: '1.0.0', image: '2.4.0' }, prod: { chart: '1.0.0', image: '2.4.0' } })] }));
    expect(view.environments.map((e) => [e.name, e.source])).toEqual([['dev', undefined], ['staging', 'dev'], ['prod', 'staging']]);
    expect(cell(view, 'orders', 'staging').behind).toEqual({ source: 'dev', changes: [{ part: 'chart', from: '1.0.0', to: '1.1.0' }] });
    expect(cell(view, 'orders', 'prod').behind).toBeUndefined();
    expect(view.services[0]!.differences).toEqual([{ part: 'chart', values: [{ env: 'dev', value: '1.1.0' }, { env: 'staging', value: '1.0.0' }, { env: 'prod', value: '1.0.0' }] }]);
    expect(view.summary).toMatchObject({ applications: 3, behind: 1, blocked: 0 });
    expect(view.configPins).toBe(false);
  });

  it('compares config pins, and never calls an environment that follows the branch behind in config', () => {
    const services = [svc('orders', 'commerce', { dev: { chart: '1.0.0', image: '1' }, staging: { chart: '1.0.0', image: '1', config: C1 }, prod: { chart: '1.0.0', image: '1', config: C1 } })];
    const view = buildFleetView(input({ environments: envs, fleet: services, sourceConfigs: new Map([['staging/orders', C2], ['prod/orders', C1]]) }));
    expect(cell(view, 'orders', 'staging').behind).toEqual({ source: 'dev', changes: [{ part: 'config', from: C1, to: C2 }] });
    expect(cell(view, 'orders', 'prod').behind).toBeUndefined();
    expect(view.configPins).toBe(true);
  });

  it('blocks what a freeze, soak time or a failing source would refuse, and counts findings and waivers per cell', () => {
    const gated = [environment('dev'), environment('staging', { from: 'dev', soak: '3d', freeze: [{ from: '2026-01-09', until: '2026-01-12', reason: 'release week' }] })];
    const events = pinEvents('orders', { commit: C1, date: '2026-01-08T12:00:00Z', author: 'Ann', subject: 'orders 2.4.0 to dev' }, { dev: { chart: '1.0.0', image: '2.3.0' } }, { dev: { chart: '1.0.0', image: '2.4.0' } });
    const findings: Finding[] = [
      { code: 'VALUES_WRONG_TYPE', severity: 'error', message: 'x', service: 'orders', env: 'dev', location: { file: 'services/orders/values-dev.yaml', line: 1 } },
      // A finding in the service's common values counts in every environment it runs in.
      { code: 'VALUES_YAML11', severity: 'warning', message: 'y', location: { file: 'services/orders/values.yaml', line: 2 } },
      { code: 'PROMOTION_CYCLE', severity: 'error', message: 'z', location: { file: 'environments/x/environment.yaml' } },
    ];
    const waiver: Waiver = { rule: 'POLICY_RUN_AS_ROOT', service: 'orders', environment: 'staging', reason: 'r', owner: '@acme/commerce', expires: '2026-02-01', file: 'services/orders/waivers.yaml', location: { file: 'services/orders/waivers.yaml', line: 2 }, expiresLocation: { file: 'services/orders/waivers.yaml', line: 7 } };
    const view = buildFleetView(input({ environments: gated, fleet: [svc('orders', 'commerce', { dev: { chart: '1.0.0', image: '2.4.0' }, staging: { chart: '1.0.0', image: '2.3.0' } })], findings, waivers: [waiver], history: { events, commits: [] } }));
    expect(cell(view, 'orders', 'dev')).toMatchObject({ since: '2026-01-08T12:00:00Z', errors: 1, warnings: 1 });
    expect(cell(view, 'orders', 'staging')).toMatchObject({ errors: 0, warnings: 1, waivers: 1, blocked: ['staging is frozen until 2026-01-12 (release week)', 'soak 3d: 1d 12h left in dev', 'dev fails checks (1 error)'] });
    expect(view.teams.map((t) => [t.team, t.findings.length])).toEqual([['commerce', 2], ['platform', 1]]);
    expect(view.waivers).toEqual([expect.objectContaining({ status: 'active', daysLeft: 22, owner: '@acme/commerce' })]);
    expect(view.summary).toMatchObject({ behind: 1, blocked: 1, failing: 1, waived: 1, errors: 2, warnings: 1 });
  });

  it('blocks every environment behind a broken promotion link, and filters by team and environment', () => {
    const broken = [environment('dev'), environment('sandbox', { from: 'nowhere', freeze: [] })];
    const services = [svc('orders', 'commerce', { dev: { chart: '1', image: '1' }, sandbox: { chart: '1', image: '1' } }), svc('auth', 'identity', { dev: { chart: '1', image: '1' } })];
    const view = buildFleetView(input({ environments: broken, fleet: services }));
    expect(cell(view, 'orders', 'sandbox').blocked).toEqual([expect.stringContaining('promotion.from: "nowhere" is not an environment')]);
    const filtered = buildFleetView(input({ environments: broken, fleet: services, teams: ['identity'], envs: ['dev'] }));
    expect(filtered.services.map((s) => [s.name, s.cells.map((c) => c.env)])).toEqual([['auth', ['dev']]]);
    expect(filtered.summary).toMatchObject({ services: 1, environments: 1, applications: 1 });
  });
});

describe('pin history and gates', () => {
  it('names each part a commit moved, per environment, and the arrival or departure of a service', () => {
    const entry = { commit: C1, date: '2026-01-01T00:00:00Z', author: 'Ann', subject: 's' };
    expect(pinEvents('orders', entry, { dev: { chart: '1.0.0', image: '1' }, prod: { chart: '1.0.0', image: '1' } }, { dev: { chart: '1.1.0', image: '1', config: C2 }, staging: { chart: '1.0.0', image: '1' } }).map((e) => [e.env, e.changes])).toEqual([
      ['dev', [{ part: 'chart', from: '1.0.0', to: '1.1.0' }, { part: 'config', to: C2 }]],
      ['prod', [{ part: 'chart', from: '1.0.0' }, { part: 'image', from: '1' }]],
      ['staging', [{ part: 'chart', to: '1.0.0' }, { part: 'image', to: '1' }]],
    ]);
  });
});
