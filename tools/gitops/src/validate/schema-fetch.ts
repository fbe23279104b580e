import { join } from 'node:path';
import pLimit from 'p-limit';
import { writeAtomic } from '../write-atomic.js';
import { findKindFile } from './kind-schemas.js';
import { isDirectory, versionSchemaDirs, type SchemaSources } from './schema-dir.js';
import { cachePath, locationUrl, type SchemaRef } from './schema-locations.js';

/** What a download pass did. */
export interface FetchOutcome {
  /** The sources with the user cache among them once it holds something. */
  sources: SchemaSources;
  /** Kinds now in the cache. */
  downloaded: SchemaRef[];
  /** Kinds already in a source. */
  present: SchemaRef[];
  /** Kinds no location has (404 everywhere), or that could not be fetched. */
  missing: SchemaRef[];
  /** `url: reason` of each failure other than "not there", for messages. */
  failures: string[];
}

export interface FetchOptions {
  /** Injected in tests; the global fetch otherwise. */
  fetch?: typeof fetch;
  concurrency?: number;
  /** Per request; a dead network fails at once, a black-holed one after this. */
  timeoutMs?: number;
}

/** The kinds that no source has, in the order given, without repeats. */
export function missingRefs(sources: SchemaSources, refs: readonly SchemaRef[]): { present: SchemaRef[]; missing: SchemaRef[] } {
  const present: SchemaRef[] = [];
  const missing: SchemaRef[] = [];
  const seen = new Set<string>();
  for (const ref of refs) {
    const key = `${ref.kubernetesVersion} ${ref.apiVersion} ${ref.kind}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const found = ref.kind === 'ObjectMeta' ? hasObjectMeta(sources, ref.kubernetesVersion) : findKindFile(versionSchemaDirs(sources, ref.kubernetesVersion), ref.apiVersion, ref.kind);
    (found ? present : missing).push(ref);
  }
  return { present, missing };
}

/**
 * Downloads each kind no source has from the first location that has it, into the user
 * cache, in the layout the lookup reads. A location whose host cannot be reached is not
 * asked again in this run, so an offline machine pays for one failed connection, not one
 * per kind. Custom resources also need the ObjectMeta of their Kubernetes version.
 */
export async function fetchSchemas(sources: SchemaSources, refs: readonly SchemaRef[], options: FetchOptions = {}): Promise<FetchOutcome> {
  const withMeta = [...refs];
  for (const version of new Set(refs.filter((r) => r.apiVersion.includes('/')).map((r) => r.kubernetesVersion))) {
    withMeta.push({ kubernetesVersion: version, apiVersion: 'meta/v1', kind: 'ObjectMeta' });
  }
  const { present, missing: wanted } = missingRefs(sources, withMeta);
  const outcome: FetchOutcome = { sources, downloaded: [], present, missing: [], failures: [] };
  if (wanted.length === 0) return outcome;
  if (sources.locations.length === 0) return { ...outcome, missing: wanted };

  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const unreachable = new Set<string>();
  const fetchOne = async (ref: SchemaRef) => {
    for (const location of sources.locations) {
      const url = locationUrl(location, ref);
      if (!url || unreachable.has(new URL(url).origin)) continue;
      let response: Response;
      try {
        response = await doFetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
      } catch (err) {
        unreachable.add(new URL(url).origin);
        outcome.failures.push(`${url}: ${networkReason(err)}`);
        continue;
      }
      if (response.status === 404) {
        await response.body?.cancel();
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        outcome.failures.push(`${url}: HTTP ${response.status}`);
        continue;
      }
      const text = await response.text();
      if (!isJsonObject(text)) {
        outcome.failures.push(`${url}: not a JSON schema`);
        continue;
      }
      await writeAtomic(join(sources.cacheDir, cachePath(location, ref)), text);
      outcome.downloaded.push(ref);
      return;
    }
    outcome.missing.push(ref);
  };
  // The first alone: offline, it marks the hosts unreachable before the others start.
  const [first, ...rest] = wanted;
  await fetchOne(first!);
  const limit = pLimit(options.concurrency ?? 8);
  await Promise.all(rest.map((ref) => limit(() => fetchOne(ref))));
  if (outcome.downloaded.length > 0 && !sources.sources.some((s) => s.role === 'cache') && isDirectory(sources.cacheDir)) {
    outcome.sources = { ...sources, sources: [...sources.sources, { dir: sources.cacheDir, origin: 'the user cache', role: 'cache' }] };
  }
  return outcome;
}

function hasObjectMeta(sources: SchemaSources, version: string): boolean {
  return versionSchemaDirs(sources, version).some((d) => d.standalone !== undefined && findKindFile([{ ...d, crds: undefined }], 'meta/v1', 'ObjectMeta') !== undefined);
}

function isJsonObject(text: string): boolean {
  try {
    const data: unknown = JSON.parse(text);
    return typeof data === 'object' && data !== null && !Array.isArray(data);
  } catch {
    return false;
  }
}

/** undici hides the reason (ENOTFOUND, ECONNREFUSED, a timeout) in `cause`. */
function networkReason(err: unknown): string {
  const error = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (error.name === 'TimeoutError') return 'timed out';
  return error.cause?.code ?? error.cause?.message ?? error.message ?? String(err);
}
