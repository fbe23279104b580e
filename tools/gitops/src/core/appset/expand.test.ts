import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../repo/snapshot.js';
import { loadRepo } from '../repo/load-repo.js';
import { expandAppSets } from './expand.js';

const REPO = 'https://git.example.com/acme/platform.git';

/** A repository held in memory: the expansion reads nothing else. */
function snapshot(files: Record<string, string>): Snapshot {
  const all = { 'gitops.yaml': `repoURL: ${REPO}\ndefaultBranch: main\n`, 'argocd/projects/apps.yaml': project('apps'), ...files };
  return {
    label: 'test',
    listFiles: async () => Object.keys(all).sort(),
    readFiles: async (paths) => new Map(paths.map((p) => [p, all[p as keyof typeof all]])),
    readFilesChecked: async (paths) => new Map(paths.map((p) => [p, p in all ? { kind: 'text' as const, text: all[p as keyof typeof all]! } : { kind: 'missing' as const }])),
  };
}

function project(name: string): string {
  return `apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata:\n  name: ${name}\n  namespace: argocd\nspec: {}\n`;
}

/** An ApplicationSet over apps/<name>/config.yaml with the given template and options. */
function appSet(opts: { generator?: string; name?: string; spec?: string; extra?: string; goTemplate?: boolean; options?: string } = {}): string {
  const generator = opts.generator ?? `    - git:\n        repoURL: ${REPO}\n        revision: main\n        files:\n          - path: apps/*/config.yaml\n`;
  return `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: fleet
  namespace: argocd
spec:
  goTemplate: ${opts.goTemplate ?? true}
${opts.options ?? ''}${opts.extra ?? ''}  generators:
${generator}  template:
    metadata:
      name: '${opts.name ?? '{{.path.basename}}'}'
    spec:
      project: apps
${opts.spec ?? ''}      destination:
        name: in-cluster
        namespace: apps
`;
}

async function expand(files: Record<string, string>) {
  return expandAppSets(await loadRepo(snapshot(files)));
}

const names = (r: Awaited<ReturnType<typeof expand>>) => r.applications.map((a) => a.name);

describe('ApplicationSet expansion as the controller does it', () => {
  it('renders Go templates with the controller functions: range with $, toJson, toYaml, fromYaml, dig, keys, hasKey, slugify, normalize', async () => {
    const annotations = [
      `range: '{{ range $k, $v := .tiers }}{{ $k }}={{ $v }}@{{ $.path.basename }};{{ end }}'`,
      `json: '{{ toJson .tiers }}'`,
      `yaml: '{{ toYaml .tiers | indent 1 }}'`,
      `from: '{{ (fromYaml "a: [1, 2]").a | len }}{{ index (fromYamlArray "[x, y]") 1 }}'`,
      `dig: '{{ dig "deep" "er" "none" .nested }}|{{ dig "deep" "nope" "none" .nested }}'`,
      `keys: '{{ keys .tiers | sortAlpha | join "," }}|{{ hasKey .tiers "web" }}|{{ hasKey .tiers "db" }}'`,
      `slug: '{{ slugify .title }}|{{ normalize .title }}'`,
      `num: '{{ .big }}|{{ .small }}|{{ printf "%v" .nope }}|{{ .empty }}'`,
      `semver: '{{ semverCompare ">=1.2.0" "1.10.0" }}|{{ "b,a" | splitList "," | sortAlpha | first }}'`,
    ];
    const r = await expand({
      'argocd/applicationsets/fleet.yaml': appSet({ spec: '' }).replace("      name: '{{.path.basename}}'\n", `      name: '{{.path.basename}}'\n      annotations:\n${annotations.map((a) => `        ${a}\n`).join('')}`),
      'apps/shop/config.yaml': 'title: "Hello World, Ünïcode!"\nbig: 1000000\nsmall: 3\nempty: null\ntiers: {web: 2, api: 1}\nnested: {deep: {er: found}}\n',
    });
    expect(r.findings).toEqual([]);
    expect(r.applications[0]!.manifest.metadata.annotations).toEqual({
      range: 'api=1@shop;web=2@shop;',
      json: '{"api":1,"web":2}',
      yaml: ' api: 1\n web: 2',
      // YAML 1.1, as sigs.k8s.io/yaml reads it: y is true.
      from: '2true',
      dig: 'found|none',
      keys: 'api,web|true|false',
      // SanitizeName replaces every rune outside [-a-z0-9.], so non-ASCII letters too.
      slug: 'hello-world-n-code|hello-world---n-code',
      // Go's %v of a float64; a null parameter prints <no value>, printf of a missing key <nil>.
      num: '1e+06|3|<nil>|<no value>',
      semver: 'true|a',
    });
  });

  it('fails functions Argo CD removed (env, expandenv, getHostByName) as Argo CD does: the set is blocked', async () => {
    for (const fn of ['env "HOME"', 'expandenv "$HOME"', 'getHostByName "localhost"']) {
      const r = await expand({ 'argocd/applicationsets/fleet.yaml': appSet({ name: `{{ ${fn} }}` }), 'apps/shop/config.yaml': 'a: 1\n' });
      expect(r.applications).toEqual([]);
      expect(r.appSets[0]!.error).toMatch(new RegExp(`function "${fn.split(' ')[0]}" not defined`));
      expect(r.findings.map((f) => [f.code, f.location?.line])).toEqual([['APPSET_TEMPLATE', 16]]);
    }
  });

  it('blocks the whole set when missingkey=error hits a missing key: one finding at the template line, no Application', async () => {
    const r = await expand({
      'argocd/applicationsets/fleet.yaml': appSet({ options: '  goTemplateOptions: ["missingkey=error"]\n', spec: "      source:\n        repoURL: x\n        path: '{{.path.path}}'\n        targetRevision: '{{.releases.prod}}'\n" }),
      'apps/a/config.yaml': 'releases: {prod: "1.0.0"}\n',
      'apps/b/config.yaml': 'releases: {dev: "1.0.0"}\n',
      'apps/c/config.yaml': 'releases: {dev: "1.0.0"}\n',
    });
    expect(r.applications).toEqual([]);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ code: 'APPSET_TEMPLATE', location: { file: 'argocd/applicationsets/fleet.yaml', line: 23 } });
    expect(r.appSets).toEqual([
      {
        name: 'fleet',
        file: 'argocd/applicationsets/fleet.yaml',
        applications: [],
        blockedBy: 'argocd',
        error: 'failed to execute go template {{.releases.prod}}: template: base:1:11: executing "base" at <.releases.prod>: map has no entry for key "prod"',
      },
    ]);
  });

  it('post-selectors match flattened leaf keys only, values printed as Go prints them', async () => {
    const files = {
      'apps/a/config.yaml': 'replicas: 1000000\nflag: true\nnothing: null\nreleases: {prod: "1.0"}\n',
      'apps/b/config.yaml': 'replicas: 2\nflag: false\nreleases: {}\n',
    };
    const withSelector = async (selector: string) =>
      names(await expand({ ...files, 'argocd/applicationsets/fleet.yaml': appSet({ generator: `    - git:\n        repoURL: ${REPO}\n        revision: main\n        files:\n          - path: apps/*/config.yaml\n      selector:\n${selector}` }) }));
    expect(await withSelector('        matchLabels: {replicas: "1e+06"}\n')).toEqual(['a']);
    expect(await withSelector('        matchLabels: {replicas: "1000000"}\n')).toEqual([]);
    expect(await withSelector('        matchLabels: {flag: "false"}\n')).toEqual(['b']);
    expect(await withSelector('        matchLabels: {nothing: "<nil>"}\n')).toEqual(['a']);
    expect(await withSelector('        matchLabels: {path.segments: "[apps a]"}\n')).toEqual(['a']);
    // releases is a map: not a label, so Exists matches nothing and DoesNotExist everything.
    expect(await withSelector('        matchExpressions: [{key: releases, operator: Exists}]\n')).toEqual([]);
    expect(await withSelector('        matchExpressions: [{key: releases, operator: DoesNotExist}]\n')).toEqual(['a', 'b']);
    expect(await withSelector('        matchExpressions: [{key: releases.prod, operator: Exists}]\n')).toEqual(['a']);
    const bad = await expand({ ...files, 'argocd/applicationsets/fleet.yaml': appSet({ generator: `    - list:\n        elements: [{a: b}]\n      selector:\n        matchExpressions: [{key: a, operator: In, values: []}]\n` }) });
    expect(bad.appSets[0]!.error).toMatch(/^error parsing label selector: .*values set can't be empty/);
  });

  it('reads generator files with sigs.k8s.io/yaml (YAML 1.1), as the controller does', async () => {
    const r = await expand({
      'argocd/applicationsets/fleet.yaml': appSet({ name: '{{.path.basename}}-{{.enabled}}-{{.mode}}' }),
      'apps/shop/config.yaml': 'enabled: yes\nmode: "on"\n',
    });
    expect(names(r)).toEqual(['shop-true-on']);
  });

  it('lists directories as the repo-server does: hidden directories and everything under them are skipped', async () => {
    const r = await expand({
      'argocd/applicationsets/fleet.yaml': appSet({ generator: `    - git:\n        repoURL: ${REPO}\n        revision: main\n        directories:\n          - path: 'apps/*'\n          - path: 'apps/*/*'\n` , name: '{{.path.basenameNormalized}}' }),
      'apps/shop/x.yaml': '',
      'apps/.hidden/x.yaml': '',
      'apps/shop/.git-like/y.yaml': '',
      'apps/My_App/sub/x.yaml': '',
    });
    expect(names(r)).toEqual(['my-app', 'shop', 'sub']);
  });

  it('the files generator reads files in hidden directories, as git ls-files does', async () => {
    const r = await expand({ 'argocd/applicationsets/fleet.yaml': appSet(), 'apps/.hidden/config.yaml': 'a: 1\n', 'apps/shop/config.yaml': 'a: 1\n' });
    expect(names(r)).toEqual(['.hidden', 'shop']);
  });

  it('normalizes path.basenameNormalized and path.filenameNormalized as SanitizeName', async () => {
    const r = await expand({
      'argocd/applicationsets/fleet.yaml': appSet({ name: "{{.path.basenameNormalized}}'\n      labels:\n        f: '{{.path.filenameNormalized}}" }).replace('apps/*/config.yaml', 'apps/*/*'),
      'apps/-My_App.v2-/Conf_File.YAML': 'a: 1\n',
    });
    expect(names(r)).toEqual(['my-app.v2']);
    expect(r.applications[0]!.manifest.metadata.labels).toEqual({ f: 'conf-file.yaml' });
  });

  it('renders goTemplate: false (fasttemplate) sets as Argo CD: flattened string parameters, unknown tags kept', async () => {
    const r = await expand({
      'argocd/applicationsets/fleet.yaml': appSet({ goTemplate: false, name: '{{path.basename}}-{{ release.prod }}', spec: "      source:\n        repoURL: x\n        path: '{{path}}/{{path[1]}}/{{unknown}}/{{count}}'\n        targetRevision: '{{values.env}}'\n" , extra: '' }).replace(
        '        files:\n',
        '        values:\n          env: "e-{{path.basename}}"\n        files:\n',
      ),
      'apps/shop/config.yaml': 'release: {prod: "1.0"}\ncount: 3\n',
    });
    expect(r.findings).toEqual([]);
    expect(names(r)).toEqual(['shop-1.0']);
    expect(r.applications[0]!.manifest.spec.source).toEqual({ repoURL: 'x', path: 'apps/shop/shop/{{unknown}}/3', targetRevision: 'e-shop' });
  });

  it('carries the finalizer and the namespace the controller sets, and normalizes the spec', async () => {
    const r = await expand({
      'argocd/applicationsets/fleet.yaml': appSet({ spec: '      source:\n        repoURL: x\n        path: p\n        helm: {}\n      syncPolicy: {}\n' }).replace("      name: '{{.path.basename}}'\n", "      name: '{{.path.basename}}'\n      namespace: elsewhere\n      labels:\n        '{{.path.basename}}': key\n"),
      'apps/shop/config.yaml': 'a: 1\n',
    });
    expect(r.applications[0]!.manifest).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'shop', namespace: 'argocd', labels: { shop: 'key' }, finalizers: ['resources-finalizer.argocd.argoproj.io'] },
      spec: { project: 'apps', source: { repoURL: 'x', path: 'p' }, destination: { name: 'in-cluster', namespace: 'apps' } },
    });
    const preserved = await expand({
      'argocd/applicationsets/fleet.yaml': appSet({ extra: '  syncPolicy:\n    preserveResourcesOnDeletion: true\n' }),
      'apps/shop/config.yaml': 'a: 1\n',
    });
    expect(preserved.applications[0]!.manifest.metadata.finalizers).toBeUndefined();
  });

  it('an AppProject that does not exist: the git generator fails the set; a templated one drops only its Application', async () => {
    const literal = await expand({ 'argocd/applicationsets/fleet.yaml': appSet().replace('project: apps', 'project: nope'), 'apps/shop/config.yaml': 'a: 1\n' });
    expect(literal.applications).toEqual([]);
    expect(literal.appSets[0]!.error).toBe('error generating params from git: error getting project nope: appprojects.argoproj.io "nope" not found');
    expect(literal.findings.map((f) => [f.code, f.location?.line])).toEqual([['APP_PROJECT_UNKNOWN', 18]]);

    const templated = await expand({
      'argocd/applicationsets/fleet.yaml': appSet().replace('project: apps', "project: '{{.project}}'"),
      'apps/a/config.yaml': 'project: apps\n',
      'apps/b/config.yaml': 'project: missing\n',
    });
    expect(names(templated)).toEqual(['a']);
    expect(templated.appSets[0]).toMatchObject({ applications: ['a'] });
    expect(templated.appSets[0]!.error).toBeUndefined();
    expect(templated.findings).toMatchObject([
      { code: 'APP_PROJECT_UNKNOWN', message: 'ApplicationSet fleet: application references project missing which does not exist; Argo CD does not create or update b', location: { file: 'apps/b/config.yaml', line: 1 } },
    ]);
  });

  it('fails closed, with the line, on what it cannot reproduce', async () => {
    const r = await expand({ 'argocd/applicationsets/fleet.yaml': appSet({ generator: '    - clusters: {}\n' }) });
    expect(r.appSets[0]).toMatchObject({ blockedBy: 'unsupported', applications: [] });
    expect(r.findings.map((f) => [f.code, f.location?.line])).toEqual([['APPSET_UNSUPPORTED', 9]]);
  });
});
