import semver from 'semver';
import { join } from 'node:path';
import type { Finding } from '../core/findings.js';
import { clusterApiVersions } from '../core/render/plan.js';
import type { ChartStore } from '../render/chart-store.js';
import type { HelmRunner } from '../runners/helm.js';
import type { Workspace } from '../workspace.js';
import type { ChartSide } from './check-charts.js';
import { CI_NAMESPACE } from './check-ci-policy.js';
import { cleanTemplateError, mapTemplateError, parseLintOutput, templateError, type ChartDirOf } from './check-template-errors.js';

/** What rendering the chart at the head did: the CI values files and environments it rendered with. */
export interface HeadRender {
  ciFiles: string[];
  renders: number;
  findings: Finding[];
}

/**
 * The chart as it is at the head, before any release: `helm lint` (with each CI values file,
 * as chart-testing lints), then `helm template` with each CI values file
 * (`<chart>/ci/*-values.yaml`) for each environment's Kubernetes version and API versions, each
 * render validated against the strict schemas and put through policy. A template that fails is reported at the
 * template file and line a person edits; an invalid object at its template.
 */
/** Validates one rendered stream at a Kubernetes version and puts it through policy: the findings about its objects. */
export type CheckRender = (text: string, ciFile: string, kubernetesVersion: string) => Promise<Finding[]>;

export async function renderHead(ws: Workspace, chart: ChartSide, store: ChartStore, helm: HelmRunner, chartDirOf: ChartDirOf, check: CheckRender): Promise<HeadRender> {
  const materialized = await store.materialize(undefined, chart.dir);
  if ('error' in materialized) return { ciFiles: [], renders: 0, findings: [dependencyBuildFinding(chart, materialized.error)] };
  const ciFiles = ws.model.files.filter((f) => f.startsWith(`${chart.dir}/ci/`) && f.endsWith('-values.yaml'));
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const add = (f: Finding) => {
    const key = `${f.code}|${f.location?.file}:${f.location?.line}|${f.message}`;
    if (!seen.has(key)) findings.push(f);
    seen.add(key);
  };
  // The materialized directory is a copy of the chart at the head: its ci/ files are there too.
  const local = (file: string) => file.slice(chart.dir.length + 1);

  for (const ci of ciFiles.length > 0 ? ciFiles : [undefined]) {
    const lint = await helm.lint(materialized.dir, ci ? ['--values', local(ci)] : []);
    for (const m of parseLintOutput(lint.stdout)) {
      const mapped = mapTemplateError(m.text, chartDirOf);
      add({
        code: 'CHART_LINT',
        severity: m.severity,
        message: `${chart.name}: helm lint${ci ? ` with ${local(ci)}` : ''}: ${mapped.message}`,
        hint: 'Fix the chart at the file and line named; `helm lint` in the chart directory reproduces it.',
        location: mapped.location ?? { file: `${chart.dir}/${m.path.replace(/\/$/, '')}` },
      });
    }
  }
  if (chart.type === 'library') return { ciFiles, renders: 0, findings };

  // A CI values file is no environment's: it renders in a cluster that serves every API any
  // environment serves, at the newest Kubernetes version among them (what the chart must support).
  const envs = [...ws.model.environments.values()];
  const kubeVersion = envs.map((e) => e.kubernetesVersion).sort(compareVersions).pop();
  const apiVersions = [...new Set(envs.flatMap((e) => clusterApiVersions(e.apiVersions)))].sort();
  let renders = 0;
  for (const ci of ciFiles) {
    const args = ['template', chart.name, '.', '--namespace', CI_NAMESPACE, ...(kubeVersion ? ['--kube-version', kubeVersion] : []), '--values', join(materialized.dir, local(ci)), ...apiVersions.flatMap((v) => ['--api-versions', v])];
    const out = await helm.template(materialized.dir, args);
    renders++;
    if (out.ok) {
      // What renders must also be valid for the cluster and pass policy, as a consumer's render must.
      if (kubeVersion) for (const f of await check(out.stdout, ci, kubeVersion)) add(f);
      continue;
    }
    const mapped = mapTemplateError(cleanTemplateError(out.error), chartDirOf);
    add({
      code: 'CHART_TEMPLATE_FAILED',
      severity: 'error',
      message: `${chart.name} at the head does not render with ${local(ci)}: ${mapped.message}`,
      hint: mapped.location ? 'Fix the template at the line named.' : `Fix the chart or ${ci}.`,
      location: mapped.location ?? { file: ci },
    });
  }
  return { ciFiles, renders, findings };
}

/**
 * The consumers' findings after their pins moved to the head (chart impact's, template
 * failures at their repository paths); one template error that breaks many consumers is one
 * finding naming them.
 */
export function consumerFindings(chart: ChartSide, findings: readonly Finding[]): Finding[] {
  const out: Finding[] = [];
  const byTemplate = new Map<string, { finding: Finding; apps: string[] }>();
  for (const f of findings) {
    const error = templateError(f);
    if (error === undefined || f.location?.line === undefined) {
      out.push(f);
      continue;
    }
    const key = `${f.location.file}:${f.location.line}\0${error}`;
    const group = byTemplate.get(key);
    if (group) group.apps.push(f.application ?? '');
    else byTemplate.set(key, { finding: { code: 'CHART_TEMPLATE_FAILED', severity: 'error', message: error, location: f.location }, apps: [f.application ?? ''] });
  }
  for (const { finding, apps } of byTemplate.values()) {
    const names = [...new Set(apps)].sort();
    out.push({
      ...finding,
      message: `${chart.name} at the head does not render for ${names.length} consumer${names.length === 1 ? '' : 's'} (${names.slice(0, 6).join(', ')}${names.length > 6 ? `, and ${names.length - 6} more` : ''}): ${finding.message}`,
      hint: 'Fix the template at the line named: the chart breaks these consumers before any release.',
    });
  }
  return out;
}

function compareVersions(a: string, b: string): number {
  return semver.compare(semver.coerce(a) ?? '0.0.0', semver.coerce(b) ?? '0.0.0');
}

function dependencyBuildFinding(chart: ChartSide, error: string): Finding {
  if (/out of sync/.test(error)) {
    return { code: 'CHART_LOCK_MISMATCH', severity: 'error', message: `${chart.name}: ${error}`, hint: `Run \`helm dependency update ${chart.dir}\` and commit Chart.lock.`, location: { file: `${chart.dir}/Chart.lock` } };
  }
  return { code: 'CHART_DEPENDENCY_UNRESOLVED', severity: 'error', message: `${chart.name}: ${error}`, hint: 'Check the dependencies in Chart.yaml: each file:// repository must name a chart directory of this repository.', location: { file: `${chart.dir}/Chart.yaml` } };
}
