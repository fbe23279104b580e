import { posix } from 'node:path';
import { parseManifests, type Manifest, type ManifestProblem } from '../core/manifests/manifest.js';
import type { Finding } from '../core/findings.js';
import type { RenderedApp } from './render-app.js';

/** The manifests of each rendered Application, each knowing its Application and template. */
export interface AppManifests {
  app: RenderedApp;
  manifests: Manifest[];
  problems: ManifestProblem[];
  findings: Finding[];
}

/** Parses the manifests of every Application that rendered; `<env>/<service>.yaml` names each stream. */
export function fleetManifests(apps: readonly RenderedApp[]): AppManifests[] {
  return apps
    .filter((app) => app.manifests !== undefined)
    .map((app) => {
      const { plan } = app;
      // helm names templates after the chart (`microservice/templates/…`); library charts are siblings.
      const chartDir = posix.dirname(plan.chart.path);
      const parsed = parseManifests(`${plan.env.name}/${plan.service}.yaml`, app.manifests!, { kind: 'rendered', env: plan.env.name, service: plan.service, application: plan.app.name }, (chart) => `${chartDir}/${chart}`);
      return { app, ...parsed };
    });
}
