import { ConfigError } from '../errors.js';
import { formatLocation, type Finding } from '../findings.js';
import type { Environment } from '../repo/model.js';
import { locate } from '../yaml/parse-yaml.js';

/** The promotion order of the environments, as `promotion.from` in environment.yaml gives it. */
export interface PromotionChain {
  /** Environment -> the environment it is promoted from (only for valid links). */
  sources: Map<string, string>;
  /**
   * Every environment, each after its source: roots (dev) first, then by distance from the
   * root, names sorted within a level. Environments on a broken link are left out.
   */
  order: string[];
  /** Gaps (a source that does not exist) and cycles, at the promotion.from line. */
  findings: Finding[];
}

/** Reads the chain from the environments; a gap or a cycle is a finding naming the file and line. */
export function promotionChain(environments: ReadonlyMap<string, Environment>): PromotionChain {
  const findings: Finding[] = [];
  const links = new Map<string, string>();
  for (const [name, env] of [...environments].sort(([a], [b]) => a.localeCompare(b))) {
    const from = env.promotionFrom;
    if (from === undefined) continue;
    if (!environments.has(from)) {
      findings.push({
        code: 'PROMOTION_SOURCE_UNKNOWN',
        severity: 'error',
        message: `promotion.from: "${from}" is not an environment, so nothing can be promoted into ${name}`,
        hint: `Name the environment ${name} is promoted from (known: ${[...environments.keys()].sort().join(', ')}), or remove promotion to let ${name} follow the default branch.`,
        location: locate(env.doc, ['promotion', 'from']),
        env: name,
      });
      continue;
    }
    links.set(name, from);
  }
  const broken = new Set<string>();
  for (const start of links.keys()) {
    const seen = [start];
    for (let at = links.get(start); at !== undefined; at = links.get(at)) {
      if (at === start) {
        broken.add(start);
        findings.push({
          code: 'PROMOTION_CYCLE',
          severity: 'error',
          message: `promotion.from leads back to ${start}: ${[...seen, start].join(' <- ')}`,
          hint: 'Promotion runs one way (dev -> staging -> prod): the first environment has no promotion.from.',
          location: locate(environments.get(start)!.doc, ['promotion', 'from']),
          env: start,
        });
        break;
      }
      if (seen.includes(at)) break;
      seen.push(at);
    }
  }
  const sources = new Map([...links].filter(([env]) => !broken.has(env)));
  // Distance from the chain's root; undefined when a link on the way is broken.
  const depth = (env: string): number | undefined => {
    let d = 0;
    for (let at = env; environments.get(at)!.promotionFrom !== undefined; d++) {
      const next = sources.get(at);
      if (next === undefined) return undefined;
      at = next;
    }
    return d;
  };
  const order = [...environments.keys()]
    .map((env) => [env, depth(env)] as const)
    .filter((e): e is readonly [string, number] => e[1] !== undefined)
    .sort(([a, da], [b, db]) => da - db || a.localeCompare(b))
    .map(([env]) => env);
  return { sources, order, findings };
}

/**
 * The environment `env` is promoted from. A gap or cycle anywhere on the way from the chain's
 * root to `env` (what reaches the source would not have come by promotion either), or an
 * environment that nobody promotes into, stops the run (exit 2), naming the file and line.
 */
export function requireSource(chain: PromotionChain, env: Environment): string {
  const source = chain.sources.get(env.name);
  if (source !== undefined && chain.order.includes(env.name)) return source;
  for (let at: string | undefined = env.name, hops = 0; at !== undefined && hops <= chain.sources.size; at = chain.sources.get(at), hops++) {
    const problem = chain.findings.find((f) => f.env === at);
    if (!problem) continue;
    const via = at === env.name ? '' : ` (on the way to ${env.name})`;
    throw new ConfigError('PROMOTION_CHAIN_BROKEN', `${formatLocation(problem.location)}: ${problem.message}${via}`, { hint: problem.hint });
  }
  throw new ConfigError('PROMOTION_CHAIN_BROKEN', `${env.doc.file}: ${env.name} has no promotion.from: it follows the default branch and nothing is promoted into it`, {
    hint: `Promote into an environment that names its source (${[...chain.sources].map(([e, s]) => `${s} -> ${e}`).join(', ') || 'none does'}).`,
  });
}
