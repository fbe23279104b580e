/**
 * Fixture repositories for the Argo CD conformance suite: each a tiny repository laid out
 * like this one that exercises one behaviour of Argo CD's ApplicationSet controller or
 * repo-server. `expectArgo` pins what Argo CD itself does with it, so a fixture that stops
 * exercising its behaviour fails instead of passing vacuously.
 */
import type { ArgoReport } from './compare.js';

/** The repository URL fixtures are written with; the suite rewrites it to the temp repo's file:// URL. */
export const REPO = 'https://github.com/acme/platform-gitops.git';

export interface Fixture {
  name: string;
  /** The Argo CD behaviour it exercises, one line. */
  behaviour: string;
  files: Record<string, string>;
  /** Earlier commits (with an optional tag on each), before `files` is committed on top. */
  history?: Array<{ files: Record<string, string>; tag?: string }>;
  expectArgo: (argo: ArgoReport) => void;
}

// A chart that shows what helm was given: release, namespace, kube version, API versions, values.
const echoChart = {
  'platform-charts/echo/Chart.yaml': 'apiVersion: v2\nname: echo\nversion: 1.0.0\n',
  'platform-charts/echo/values.yaml': 'greeting: hello\n',
  'platform-charts/echo/templates/configmap.yaml': [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: {{ .Release.Name }}',
    '  namespace: {{ .Release.Namespace }}',
    'data:',
    '  kubeVersion: {{ .Capabilities.KubeVersion.Version | quote }}',
    '  hasWidgets: {{ .Capabilities.APIVersions.Has "widgets.example.com/v1/Widget" | quote }}',
    '  values: |',
    '    {{- toYaml .Values | nindent 4 }}',
    '',
  ].join('\n'),
};

const gitopsYaml = `repoURL: ${REPO}\ndefaultBranch: main\n`;

function environment(name: string, kubernetesVersion = '1.34.0', apiVersions: string[] = ['widgets.example.com/v1', 'widgets.example.com/v1/Widget']): Record<string, string> {
  return {
    [`environments/${name}/environment.yaml`]: [
      `name: ${name}`,
      'cluster:',
      `  name: ${name}-eu1`,
      `  server: https://${name}-eu1.k8s.example.test`,
      `kubernetesVersion: "${kubernetesVersion}"`,
      'apiVersions:',
      ...apiVersions.map((v) => `  - ${v}`),
      '',
    ].join('\n'),
    [`environments/${name}/values.yaml`]: `environment: ${name}\n`,
  };
}

function project(team: string, envs = ['dev']): Record<string, string> {
  return {
    [`argocd/projects/team-${team}.yaml`]: [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: AppProject',
      'metadata:',
      `  name: team-${team}`,
      '  namespace: argocd',
      'spec:',
      '  sourceRepos:',
      `    - ${REPO}`,
      '  destinations:',
      ...envs.map((e) => `    - name: ${e}-eu1\n      namespace: ${team}`),
      '',
    ].join('\n'),
  };
}

function service(name: string, team: string, releases: Record<string, { chart: string; image: string }> = { dev: { chart: '1.0.0', image: '1.0.0' } }): Record<string, string> {
  return {
    [`services/${name}/service.yaml`]: [
      `name: ${name}`,
      `team: ${team}`,
      'chart: echo',
      'releases:',
      ...Object.entries(releases).map(([env, r]) => `  ${env}: { chart: ${r.chart}, image: "${r.image}" }`),
      '',
    ].join('\n'),
    [`services/${name}/values.yaml`]: `service: ${name}\n`,
  };
}

interface AppSetOptions {
  env?: string;
  name?: string;
  goTemplate?: boolean;
  goTemplateOptions?: string[];
  generator?: string;
  /** YAML lines of template.metadata, indented under metadata:. */
  metadata?: string;
  /** YAML of the chart source's helm block, indented under helm:. */
  helm?: string;
  /** The chart source's targetRevision. */
  chartRevision?: string;
  chartPath?: string;
  project?: string;
  appName?: string;
  namespace?: string;
  releaseName?: string;
  /** The chart source's valueFiles (default: the environment's and the service's values). */
  valueFiles?: string[];
}

/** An ApplicationSet like the repository's: the chart from Git, the values from this repository at main. */
function appSet(o: AppSetOptions = {}): Record<string, string> {
  const env = o.env ?? 'dev';
  const go = o.goTemplate ?? true;
  const v = (expr: string) => (go ? `{{.${expr}}}` : `{{${expr}}}`);
  const generator = o.generator ?? [`    - git:`, `        repoURL: ${REPO}`, '        revision: main', '        files:', '          - path: services/*/service.yaml'].join('\n');
  const lines = [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: ApplicationSet',
    'metadata:',
    `  name: ${o.name ?? env}`,
    '  namespace: argocd',
    'spec:',
    `  goTemplate: ${go}`,
    ...(o.goTemplateOptions ? [`  goTemplateOptions: [${o.goTemplateOptions.map((x) => JSON.stringify(x)).join(', ')}]`] : []),
    '  generators:',
    generator,
    '  template:',
    '    metadata:',
    `      name: '${o.appName ?? `${v('name')}-${env}`}'`,
    ...(o.metadata ? [o.metadata] : []),
    '    spec:',
    `      project: '${o.project ?? `team-${v('team')}`}'`,
    '      sources:',
    `        - repoURL: ${REPO}`,
    `          targetRevision: ${o.chartRevision ?? 'main'}`,
    `          path: '${o.chartPath ?? (go ? 'platform-charts/{{.chart}}' : 'platform-charts/{{chart}}')}'`,
    '          helm:',
    `            releaseName: '${o.releaseName ?? (go ? '{{.name}}' : '{{name}}')}'`,
    '            valueFiles:',
    ...(o.valueFiles ?? [`$values/environments/${env}/values.yaml`, `$values/${go ? '{{.path.path}}' : '{{path}}'}/values.yaml`]).map((f) => `              - '${f}'`),
    '            ignoreMissingValueFiles: true',
    ...(o.helm ? [o.helm] : []),
    `        - repoURL: ${REPO}`,
    '          targetRevision: main',
    '          ref: values',
    '      destination:',
    `        name: ${env}-eu1`,
    `        namespace: '${o.namespace ?? v('team')}'`,
    '',
  ];
  return { [`argocd/applicationsets/${o.name ?? env}.yaml`]: lines.join('\n') };
}

const base = (): Record<string, string> => ({
  'gitops.yaml': gitopsYaml,
  ...echoChart,
  ...environment('dev'),
  ...project('a'),
  ...service('alpha', 'a'),
  ...service('beta', 'a'),
});

function names(argo: ArgoReport, set?: string): string[] {
  return argo.applicationSets.filter((s) => !set || s.name === set).flatMap((s) => s.applications.map((a) => a.metadata.name)).sort();
}

function helmTemplateArgs(argo: ArgoReport, app: string): string[] {
  const r = argo.renders.find((x) => x.application === app);
  const call = r?.helm.filter((c) => c.args[0] === 'template').at(-1);
  if (!call) throw new Error(`Argo CD ran no helm template for ${app}: ${r?.error ?? 'no render'}`);
  return call.args;
}

function annotations(argo: ArgoReport, app: string): Record<string, string> {
  const a = argo.applicationSets.flatMap((s) => s.applications).find((x) => x.metadata.name === app);
  if (!a) throw new Error(`Argo CD generated no Application ${app}`);
  return (a.metadata.annotations ?? {}) as Record<string, string>;
}

function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(`Argo CD did not behave as the fixture expects: ${what}`);
}

export const fixtures: Fixture[] = [
  {
    name: 'two-revisions',
    behaviour: 'a multi-source Application reading one repository at two revisions is refused by the repo-server',
    history: [{ files: base(), tag: 'echo-1.0.0' }],
    files: { ...appSet({ chartRevision: 'echo-1.0.0' }), 'services/alpha/values.yaml': 'service: alpha\nchanged: true\n' },
    expectArgo(argo) {
      const r = argo.renders.find((x) => x.application === 'alpha-dev');
      check(/cannot reference a different revision of the same repository/.test(r?.error ?? ''), 'alpha-dev is refused for reading two revisions');
    },
  },
  {
    name: 'post-selector-leaf',
    behaviour: 'post-selectors match flattened leaf keys only; numbers flatten as Go formats them (1000000 -> 1e+06)',
    files: {
      ...base(),
      'services/alpha/scale.yaml': 'scale:\n  replicas: 1000000\n',
      'services/beta/scale.yaml': 'scale:\n  replicas: 2\n',
      ...appSet({
        name: 'by-map-key',
        appName: '{{.path.basename}}-map',
        chartPath: 'platform-charts/echo',
        project: 'team-a',
        namespace: 'a',
        generator: [`    - git:`, `        repoURL: ${REPO}`, '        revision: main', '        files:', '          - path: services/*/service.yaml', '      selector:', '        matchExpressions:', '          - key: releases.dev', '            operator: Exists'].join('\n'),
      }),
      ...appSet({
        name: 'by-number',
        appName: '{{.path.basename}}-big',
        chartPath: 'platform-charts/echo',
        project: 'team-a',
        namespace: 'a',
        generator: [`    - git:`, `        repoURL: ${REPO}`, '        revision: main', '        files:', '          - path: services/*/scale.yaml', '      selector:', '        matchLabels:', '          scale.replicas: "1e+06"'].join('\n'),
      }),
    },
    expectArgo(argo) {
      check(names(argo, 'by-map-key').length === 0, 'a selector on a map key matches nothing');
      check(JSON.stringify(names(argo, 'by-number')) === '["alpha-big"]', 'scale.replicas 1000000 matches "1e+06"');
    },
  },
  {
    name: 'hidden-directories',
    behaviour: 'the directories generator skips hidden directories; the files generator (git ls-files glob) does not',
    files: {
      ...base(),
      ...service('.retired', 'a'),
      ...appSet({}),
      ...appSet({
        name: 'dirs',
        appName: '{{.path.basename}}-dirs',
        releaseName: '{{.path.basename}}',
        chartPath: 'platform-charts/echo',
        project: 'team-a',
        namespace: 'a',
        generator: [`    - git:`, `        repoURL: ${REPO}`, '        revision: main', '        directories:', '          - path: services/*'].join('\n'),
        helm: "            parameters:\n              - name: dir\n                value: '{{.path.path}}'",
      }),
    },
    expectArgo(argo) {
      // services/*/service.yaml is matched by git ls-files, which knows no hidden directories.
      check(JSON.stringify(names(argo, 'dev')) === '[".retired-dev","alpha-dev","beta-dev"]', 'files generator matches services/.retired/service.yaml');
      check(JSON.stringify(names(argo, 'dirs')) === '["alpha-dirs","beta-dirs"]', 'directories generator skips services/.retired');
    },
  },
  {
    name: 'missingkey-error',
    behaviour: 'missingkey=error on one service blocks the whole ApplicationSet',
    files: {
      ...base(),
      ...service('beta', 'a', { prod: { chart: '1.0.0', image: '2.0.0' } }),
      ...appSet({
        goTemplateOptions: ['missingkey=error'],
        helm: "            parameters:\n              - name: image.tag\n                value: '{{.releases.dev.image}}'\n                forceString: true",
      }),
    },
    expectArgo(argo) {
      const set = argo.applicationSets.find((s) => s.name === 'dev');
      check(set?.applications.length === 0 && /map has no entry for key/.test(set?.error ?? ''), 'no Application of the set is generated, the set carries the error');
    },
  },
  {
    name: 'missing-project',
    behaviour: 'an Application naming an AppProject that does not exist is not generated; the others are',
    files: { ...base(), ...service('gamma', 'ghost'), ...appSet({}) },
    expectArgo(argo) {
      const set = argo.applicationSets.find((s) => s.name === 'dev');
      check(JSON.stringify(names(argo, 'dev')) === '["alpha-dev","beta-dev"]', 'gamma-dev is not generated');
      check(/project team-ghost which does not exist/.test(set?.error ?? ''), 'the set reports the missing project');
    },
  },
  {
    name: 'argocd-source-overrides',
    behaviour: '.argocd-source.yaml and .argocd-source-<app>.yaml in the source path are merged into the source',
    files: {
      ...base(),
      'platform-charts/echo/.argocd-source.yaml': 'helm:\n  parameters:\n    - name: overridden.by\n      value: argocd-source\n',
      'platform-charts/echo/.argocd-source-alpha-dev.yaml': 'helm:\n  parameters:\n    - name: overridden.app\n      value: alpha-only\n      forceString: true\n',
      ...appSet({}),
    },
    expectArgo(argo) {
      check(helmTemplateArgs(argo, 'alpha-dev').includes('overridden.app=alpha-only'), 'alpha-dev gets its own override');
      check(helmTemplateArgs(argo, 'beta-dev').includes('overridden.by=argocd-source'), 'beta-dev gets the shared override');
      check(!helmTemplateArgs(argo, 'beta-dev').includes('overridden.app=alpha-only'), "beta-dev does not get alpha-dev's override");
    },
  },
  {
    name: 'file-dependency-outside',
    behaviour: "a chart whose file:// dependency lies outside its parent directory renders (helm dependency build first)",
    files: {
      ...base(),
      'libs/naming/Chart.yaml': 'apiVersion: v2\nname: naming\nversion: 0.1.0\ntype: library\n',
      'libs/naming/templates/_names.tpl': '{{- define "naming.full" -}}{{ .Release.Name }}-{{ .Release.Namespace }}{{- end -}}\n',
      'platform-charts/echo/Chart.yaml': 'apiVersion: v2\nname: echo\nversion: 1.0.0\ndependencies:\n  - name: naming\n    version: 0.1.0\n    repository: file://../../libs/naming\n',
      'platform-charts/echo/templates/named.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ include "naming.full" . }}\n',
      ...appSet({}),
    },
    expectArgo(argo) {
      const r = argo.renders.find((x) => x.application === 'alpha-dev');
      check(!r?.error && r!.manifests.some((m) => (m.metadata as { name?: string })?.name === 'alpha-a'), 'alpha-dev renders the library template');
    },
  },
  {
    name: 'template-functions',
    behaviour: 'Go template functions: toJson, toYaml, fromYaml, dig, slugify, keys, hasKey, range with $',
    files: {
      ...base(),
      ...service('alpha', 'a', { dev: { chart: '1.0.0', image: '1.0.0' }, prod: { chart: '1.0.0', image: '0.9.0' } }),
      ...appSet({
        metadata: [
          '      annotations:',
          "        fn/json: '{{ toJson .releases }}'",
          "        fn/yaml: '{{ (fromYaml (toYaml .releases)).dev.image }}'",
          '        fn/dig: \'{{ dig "releases" "prod" "image" "none" . }}\'',
          "        fn/slug: '{{ slugify 20 true (printf \"%s Team %s!\" .name .team) }}'",
          '        fn/keys: \'{{ keys .releases | sortAlpha | join "," }}\'',
          '        fn/haskey: \'{{ hasKey .releases "prod" }}\'',
          '        fn/range: \'{{ range $env, $r := .releases }}{{ $.name }}@{{ $env }}={{ $r.image }};{{ end }}\'',
        ].join('\n'),
      }),
    },
    expectArgo(argo) {
      const a = annotations(argo, 'alpha-dev');
      check(a['fn/dig'] === '0.9.0' && a['fn/haskey'] === 'true' && a['fn/keys'] === 'dev,prod', 'dig, hasKey and keys evaluate');
      check(a['fn/range'] === 'alpha@dev=1.0.0;alpha@prod=0.9.0;', 'range sees $');
      check(annotations(argo, 'beta-dev')['fn/dig'] === 'none', 'dig falls back to its default');
    },
  },
  {
    name: 'fasttemplate',
    behaviour: 'goTemplate: false (fasttemplate) with path, path[n], path.basename and path.basenameNormalized',
    files: {
      ...base(),
      'apps/Edge_Proxy.v2/values.yaml': 'service: edge\n',
      'apps/plain/values.yaml': 'service: plain\n',
      ...appSet({
        name: 'dev',
        goTemplate: false,
        appName: '{{path.basenameNormalized}}-dev',
        releaseName: '{{path.basenameNormalized}}',
        chartPath: 'platform-charts/echo',
        project: 'team-a',
        namespace: 'a',
        metadata: "      labels:\n        dir0: '{{path[0]}}'\n        base: '{{path.basename}}'",
        generator: [`    - git:`, `        repoURL: ${REPO}`, '        revision: main', '        directories:', '          - path: apps/*'].join('\n'),
      }),
    },
    expectArgo(argo) {
      check(JSON.stringify(names(argo, 'dev')) === '["edge-proxy.v2-dev","plain-dev"]', 'basenameNormalized lowercases and replaces _');
    },
  },
  {
    name: 'no-value-nil',
    behaviour: 'without missingkey=error a null renders <no value> and printf "%v" of a missing key <nil>',
    files: {
      ...base(),
      'services/alpha/extra.yaml': 'note: null\n',
      ...appSet({
        metadata: "      annotations:\n        null-value: '{{.note}}'\n        missing-printf: '{{ printf \"%v\" .absent }}'\n        missing: '{{.absent}}'",
        generator: [`    - git:`, `        repoURL: ${REPO}`, '        revision: main', '        files:', '          - path: services/alpha/extra.yaml'].join('\n'),
        appName: '{{.path.basename}}-dev',
        chartPath: 'platform-charts/echo',
        project: 'team-a',
        namespace: 'a',
      }),
    },
    expectArgo(argo) {
      const a = annotations(argo, 'alpha-dev');
      check(a['null-value'] === '<no value>' && a['missing'] === '<no value>' && a['missing-printf'] === '<nil>', 'null and missing keys render as Go prints them');
    },
  },
  {
    name: 'kube-version',
    behaviour: '--kube-version normalized (v1.34.0 -> 1.34.0, 1.33.1+k3s1 -> 1.33.1), --api-versions sorted',
    files: {
      ...base(),
      ...environment('dev', 'v1.34.0', ['zeta.example.com/v1/Zed', 'widgets.example.com/v1/Widget', 'widgets.example.com/v1']),
      ...environment('edge', '1.33.1+k3s1', ['widgets.example.com/v1/Widget']),
      ...project('a', ['dev', 'edge']),
      ...service('alpha', 'a', { dev: { chart: '1.0.0', image: '1.0.0' }, edge: { chart: '1.0.0', image: '1.0.0' } }),
      ...appSet({}),
      ...appSet({ env: 'edge' }),
    },
    expectArgo(argo) {
      const dev = helmTemplateArgs(argo, 'alpha-dev');
      const edge = helmTemplateArgs(argo, 'alpha-edge');
      check(dev[dev.indexOf('--kube-version') + 1] === '1.34.0' && edge[edge.indexOf('--kube-version') + 1] === '1.33.1', 'kube versions normalized');
      const apis = dev.flatMap((a, i) => (a === '--api-versions' ? [dev[i + 1]] : []));
      check(JSON.stringify(apis) === JSON.stringify([...apis].sort()) && apis.includes('zeta.example.com/v1/Zed'), 'API versions sorted');
    },
  },
  {
    name: 'build-env',
    behaviour: 'build environment variables in helm parameters ($ARGOCD_APP_PROJECT_NAME, $ARGOCD_APP_REVISION_SHORT_8, …) and $$ escaping',
    files: {
      ...base(),
      ...appSet({
        helm: [
          '            parameters:',
          '              - { name: env.app, value: $ARGOCD_APP_NAME }',
          '              - { name: env.ns, value: "${ARGOCD_APP_NAMESPACE}" }',
          '              - { name: env.project, value: $ARGOCD_APP_PROJECT_NAME, forceString: true }',
          '              - { name: env.rev, value: $ARGOCD_APP_REVISION }',
          '              - { name: env.rev7, value: $ARGOCD_APP_REVISION_SHORT }',
          '              - { name: env.rev8, value: $ARGOCD_APP_REVISION_SHORT_8, forceString: true }',
          '              - { name: env.path, value: $ARGOCD_APP_SOURCE_PATH }',
          '              - { name: env.target, value: $ARGOCD_APP_SOURCE_TARGET_REVISION }',
          '              - { name: env.kube, value: "k$KUBE_VERSION" }',
          '              - { name: env.unknown, value: "x${NOT_SET}y" }',
          '              - { name: env.price, value: "$$5 and $${literal}", forceString: true }',
          '              - { name: env.list, value: "a,b" }',
        ].join('\n'),
      }),
    },
    expectArgo(argo) {
      const args = helmTemplateArgs(argo, 'alpha-dev');
      check(args.includes('env.project=team-a') && args.includes('env.app=alpha-dev') && args.includes('env.price=$5 and ${literal}'), 'variables substituted, $$ escaped');
      check(args.some((a) => /^env\.rev8=[0-9a-f]{8}$/.test(a)), 'ARGOCD_APP_REVISION_SHORT_8 is 8 hex digits');
    },
  },
  {
    name: 'duplicate-value-file',
    behaviour: 'a value file listed twice is passed to helm once',
    files: {
      ...base(),
      ...appSet({ valueFiles: ['$values/environments/dev/values.yaml', '$values/environments/dev/values.yaml', 'values.yaml', 'values.yaml'] }),
    },
    expectArgo(argo) {
      const args = helmTemplateArgs(argo, 'alpha-dev');
      check(args.filter((a) => a === 'environments/dev/values.yaml').length === 1, 'environments/dev/values.yaml passed once');
    },
  },
  {
    name: 'inline-values',
    behaviour: 'inline valuesObject and values are written to one values file, passed last',
    files: {
      ...base(),
      ...appSet({ helm: "            valuesObject:\n              inline:\n                number: 1000000\n                list: [b, a]\n                text: '{{.name}}'" }),
      ...appSet({ name: 'dev-string', appName: '{{.name}}-str', helm: "            values: |\n              inline:\n                from: string\n                name: {{.name}}" }),
    },
    expectArgo(argo) {
      const call = argo.renders.find((x) => x.application === 'alpha-dev')?.helm.find((c) => c.args[0] === 'template');
      check(call?.args.includes('<inline values>') === true && /number: 1000000/.test(call?.inlineValues ?? ''), 'the inline values file is passed with the object as YAML');
    },
  },
];
