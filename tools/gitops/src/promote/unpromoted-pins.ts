import type { Finding } from '../core/findings.js';
import type { Release, Service } from '../core/repo/model.js';
import { locate, parseYamlMapping } from '../core/yaml/parse-yaml.js';
import type { FleetScope } from '../render/fleet-run.js';
import type { Workspace } from '../workspace.js';

type Pins = Record<string, Partial<Record<keyof Release, unknown>>>;

/**
 * Pins that moved since `base` (the commit a pull request branched from) to a release their
 * promotion source never ran: a hand edit that skips the promotion order. Only the pins the
 * change moved are judged (a history written before promotions existed is left alone), and a
 * source "ran" a release when any commit of the base's history pinned it there.
 */
export async function unpromotedPins(ws: Workspace, base: string, scope: FleetScope = {}): Promise<Finding[]> {
  const { model, git } = ws;
  const services = [...model.services.values()].filter((s) => !scope.services?.length || scope.services.includes(s.name));
  const fileOf = (s: Service) => `${s.dir}/service.yaml`;
  const before = await git.readBlobs(services.map((s) => `${base}:${fileOf(s)}`));
  const findings: Finding[] = [];
  for (const service of services) {
    const was = pinsIn(before.get(`${base}:${fileOf(service)}`));
    for (const [env, now] of Object.entries(service.releases)) {
      const source = model.environments.get(env)?.promotion?.from;
      // No source (the chain starts here) or a broken chain: that is the chain's own finding.
      if (!source || !model.environments.has(source) || (scope.envs?.length && !scope.envs.includes(env))) continue;
      if (same(was?.[env], now)) continue;
      if (same(service.releases[source], now)) continue;
      if (await ranIn(ws, base, fileOf(service), source, now)) continue;
      findings.push({
        code: 'PROMOTION_PIN_UNPROMOTED',
        severity: 'error',
        message: `${service.name}: releases.${env} moved to chart ${now.chart}, image ${now.image}, which ${source} (the promotion source of ${env}) never ran`,
        hint: `Release it in ${source} first, then \`gitops promote ${service.name} --to ${env}\` copies it here.`,
        location: locate(service.doc, ['releases', env]),
        service: service.name,
        env,
      });
    }
  }
  return findings;
}

/** Chart and image: what a promotion carries (the config follows the branch or its own pin). */
function same(pin: Partial<Record<keyof Release, unknown>> | undefined, release: Release): boolean {
  return pin !== undefined && String(pin.chart) === release.chart && String(pin.image) === release.image;
}

function pinsIn(text: string | undefined): Pins | undefined {
  if (text === undefined) return undefined;
  const data = parseYamlMapping('service.yaml', text).doc?.data as { releases?: unknown } | undefined;
  return data?.releases && typeof data.releases === 'object' ? (data.releases as Pins) : undefined;
}

async function ranIn(ws: Workspace, base: string, file: string, source: string, release: Release): Promise<boolean> {
  const history = await ws.git.historyOf(base, file);
  const texts = await ws.git.readBlobs(history.map((h) => `${h.commit}:${file}`));
  return history.some((h) => same(pinsIn(texts.get(`${h.commit}:${file}`))?.[source], release));
}
