import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { parseManifests, type Manifest, type ManifestProblem } from '../core/manifests/manifest.js';
import type { Finding } from '../core/findings.js';
import type { ManifestCache } from './manifest-cache.js';
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
 * stream. With a cache, streams an earlier run read are not read again.
 */
export function fleetManifests(apps: readonly RenderedApp[], cache?: ManifestCache): AppManifests[] {
  return apps
    .filter((app) => app.manifests !== undefined)
    .map((app) => {
      const { plan } = app;
      const text = app.manifests!;
      const stream = createHash('sha256').update(text).digest('base64url');
      const recalled = cache?.recall(stream);
      // helm names templates after the chart (`microservice/templates/…`); library charts are siblings.
      const chartDir = posix.dirname(plan.chart.path);
      const parsed = parseManifests(`${plan.env.name}/${plan.service}.yaml`, text, { kind: 'rendered', env: plan.env.name, service: plan.service, application: plan.app.name }, (chart) => `${chartDir}/${chart}`, recalled?.memo);
      recalled?.save();
      for (const m of parsed.manifests) m.identity = `${stream}#${m.doc}${m.pointer}`;
      return { app, ...parsed, digest: `${stream}:${plan.chart.path}` };
    });
}
