import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { InternalError } from '../core/errors.js';
import { parseManifests, type Manifest, type ManifestOrigin, type ManifestProblem, type ParsedManifests } from '../core/manifests/manifest.js';
import type { Finding } from '../core/findings.js';
import type { ManifestCache, StreamSummary } from './manifest-cache.js';
import type { RenderedApp } from './render-app.js';

/** The manifests of each rendered Application, each knowing its Application and template. */
export interface AppManifests {
  app: RenderedApp;
  manifests: Manifest[];
  problems: ManifestProblem[];
  findings: Finding[];
  /** What the manifests were read from: a digest of the rendered stream and the chart that named its templates. */
  digest: string;
}

/**
 * Parses the manifests of every Application that rendered; `<env>/<service>.yaml` names each
 * stream. With a cache, a stream an earlier run read is known by its summary: its objects are
 * read (from the cache, else the text) only when a stage first asks for one.
 */
export function fleetManifests(apps: readonly RenderedApp[], cache?: ManifestCache): AppManifests[] {
  return apps
    .filter((app) => app.manifests !== undefined)
    .map((app) => {
      const { plan } = app;
      const text = app.manifests!;
      const stream = createHash('sha256').update(text).digest('base64url');
      const file = `${plan.env.name}/${plan.service}.yaml`;
      const origin: ManifestOrigin = { kind: 'rendered', env: plan.env.name, service: plan.service, application: plan.app.name };
      // helm names templates after the chart (`microservice/templates/…`); library charts are siblings.
      const chartDir = posix.dirname(plan.chart.path);
      const digest = `${stream}:${plan.chart.path}`;
      const parse = (): ParsedManifests => {
        const recalled = cache?.recall(stream);
        const parsed = parseManifests(file, text, origin, (chart) => `${chartDir}/${chart}`, recalled?.memo);
        recalled?.save();
        for (const m of parsed.manifests) m.identity = `${stream}#${m.doc}${m.pointer}`;
        return parsed;
      };
      const key = JSON.stringify([stream, file, origin, chartDir]);
      const summary = cache?.summary(key);
      if (summary) return { app, ...fromSummary(file, stream, summary, parse), digest };
      const parsed = parse();
      cache?.keepSummary(key, summarize(parsed));
      return { app, ...parsed, digest };
    });
}

function summarize(parsed: ParsedManifests): StreamSummary {
  return {
    manifests: parsed.manifests.map(({ origin, doc, pointer, apiVersion, kind, name, namespace }) => ({ origin, doc, pointer, apiVersion, kind, name, namespace })),
    problems: parsed.problems,
    findings: parsed.findings,
  };
}

/**
 * Manifests as a summary names them, each reading its object and positions from the stream's
 * parse, which runs on the first such read for all of them.
 */
function fromSummary(file: string, stream: string, summary: StreamSummary, parse: () => ParsedManifests): ParsedManifests {
  let parsed: Manifest[] | undefined;
  const full = (i: number): Manifest => {
    parsed ??= parse().manifests;
    const m = parsed[i];
    const s = summary.manifests[i]!;
    // The same text parses the same way: a difference is a bug in the summary.
    if (!m || m.kind !== s.kind || m.name !== s.name || m.doc !== s.doc || m.pointer !== s.pointer) throw new InternalError('INTERNAL', `${file}: the stored summary of a render does not match its parse`);
    return m;
  };
  const manifests = summary.manifests.map((s, i): Manifest => ({
    file,
    origin: s.origin,
    doc: s.doc,
    pointer: s.pointer,
    apiVersion: s.apiVersion,
    kind: s.kind,
    name: s.name,
    namespace: s.namespace,
    identity: `${stream}#${s.doc}${s.pointer}`,
    get object() {
      return full(i).object;
    },
    position: (pointer, which) => full(i).position(pointer, which),
  }));
  return { manifests, problems: summary.problems, findings: summary.findings };
}
