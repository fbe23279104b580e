import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { FILE_LIMITS, fileRole } from '../../src/core/repo/file-limits.js';

/** A copy of the fixture repository that one case may break, and a file outside it. */
export interface CaseDir {
  dir: string;
  /** A file outside the repository whose content must never show up anywhere. */
  outside: string;
  /** A directory outside the repository holding a copy of the fleet's services. */
  outsideDir: string;
  marker: string;
}

export interface HostileCase {
  id: string;
  role: string;
  breaker: string;
  /** The repository path the output must name. */
  file: string;
  /** argv after `--repo DIR`. */
  command: string[];
  setup(c: CaseDir): void;
  expect: {
    exitCode: 0 | 1 | 2;
    /** Finding or error codes the output must contain. */
    codes?: string[];
    /** Text the output must contain. */
    includes?: string[];
  };
}

type Kind = 'yaml' | 'values' | 'json' | 'template' | 'config';

/** Every file role a person edits, with the file of the fixture that plays it. */
const ROLES: { role: string; file: string; kind: Kind }[] = [
  { role: 'service', file: 'services/shop/service.yaml', kind: 'yaml' },
  { role: 'values', file: 'services/shop/values.yaml', kind: 'values' },
  { role: 'values-env', file: 'services/shop/values-prod.yaml', kind: 'values' },
  { role: 'environment-values', file: 'environments/prod/values.yaml', kind: 'values' },
  { role: 'environment', file: 'environments/prod/environment.yaml', kind: 'yaml' },
  { role: 'applicationset', file: 'argocd/applicationsets/prod.yaml', kind: 'yaml' },
  { role: 'appproject', file: 'argocd/projects/team-commerce.yaml', kind: 'yaml' },
  { role: 'chart-yaml', file: 'platform-charts/web/Chart.yaml', kind: 'yaml' },
  { role: 'chart-values', file: 'platform-charts/web/values.yaml', kind: 'values' },
  { role: 'chart-schema', file: 'platform-charts/web/values.schema.json', kind: 'json' },
  { role: 'chart-template', file: 'platform-charts/web/templates/deployment.yaml', kind: 'template' },
  { role: 'waivers', file: 'services/shop/waivers.yaml', kind: 'yaml' },
  { role: 'gitops-config', file: 'gitops.yaml', kind: 'config' },
];

const YAML_KINDS: Kind[] = ['yaml', 'values', 'config'];

interface Breaker {
  name: string;
  /** Which kinds of file it applies to. */
  kinds: Kind[];
  apply(c: CaseDir, file: string, original: string): void;
  /** Expected exit code for a non-config file; undefined: 1. */
  exit?: (kind: Kind) => 0 | 1;
  codes?: (kind: Kind) => string[] | undefined;
}

const write = (c: CaseDir, file: string, content: string | Buffer) => {
  mkdirSync(dirname(join(c.dir, file)), { recursive: true });
  writeFileSync(join(c.dir, file), content);
};
const replaceWithLink = (c: CaseDir, file: string, target: string) => {
  rmSync(join(c.dir, file), { force: true });
  symlinkSync(target, join(c.dir, file));
};
const emptyIsFine = (kind: Kind): 0 | 1 => (kind === 'values' ? 0 : 1);

const BREAKERS: Breaker[] = [
  {
    // A valid file cut short in the middle of a flow sequence, as a failed upload leaves it.
    name: 'truncated',
    kinds: [...YAML_KINDS, 'json'],
    apply: (c, file, o) => write(c, file, o.endsWith('}') ? o.slice(0, Math.floor(o.length / 2)) : `${o.trimEnd()}\nzz: [1, 2, 3, 4]\n`.slice(0, -6)),
    codes: (k) => (k === 'json' ? ['VALUES_SCHEMA_BROKEN'] : ['YAML_SYNTAX']),
  },
  { name: 'tab-indent', kinds: YAML_KINDS, apply: (c, f, o) => write(c, f, `${o.trimEnd()}\nnested:\n\tkey: value\n`) },
  { name: 'unclosed-quote', kinds: YAML_KINDS, apply: (c, f, o) => write(c, f, `${o.trimEnd()}\nbroken: "no end\nother: 1\n`), codes: () => ['YAML_SYNTAX'] },
  { name: 'unclosed-single-quote', kinds: YAML_KINDS, apply: (c, f, o) => write(c, f, `${o.trimEnd()}\nbroken: 'no end\n`), codes: () => ['YAML_SYNTAX'] },
  {
    name: 'duplicate-key',
    kinds: YAML_KINDS,
    apply: (c, f, o) => write(c, f, `${o.trimEnd()}\n${firstKey(o)}: again\n`),
    codes: () => ['YAML_DUPLICATE_KEY'],
  },
  {
    name: 'alias-bomb',
    kinds: YAML_KINDS,
    apply: (c, f, o) => {
      const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
      for (let i = 1; i < 9; i++) levels.push(`${'abcdefghi'[i]}: &${'abcdefghi'[i]} [${Array(9).fill(`*${'abcdefghi'[i - 1]}`).join(',')}]`);
      write(c, f, `${o.trimEnd()}\nbomb:\n${levels.map((l) => `  ${l}`).join('\n')}\n`);
    },
  },
  { name: 'deep-flow', kinds: YAML_KINDS, apply: (c, f, o) => write(c, f, `${o.trimEnd()}\ndeep: ${'['.repeat(20000)}${']'.repeat(20000)}\n`), codes: () => ['YAML_SYNTAX'] },
  {
    name: 'deep-block',
    kinds: YAML_KINDS,
    apply: (c, f, o) => write(c, f, `${o.trimEnd()}\n${Array.from({ length: 200 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n')} end\n`),
    codes: () => ['YAML_SYNTAX'],
  },
  {
    name: 'binary',
    kinds: ['yaml', 'values', 'json', 'template', 'config'],
    apply: (c, f) => write(c, f, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256))),
    codes: () => ['FILE_NOT_TEXT'],
  },
  { name: 'nul-byte', kinds: ['yaml', 'values', 'json', 'template', 'config'], apply: (c, f, o) => write(c, f, `${o.slice(0, 8)}\0${o.slice(8)}`), codes: () => ['FILE_NOT_TEXT'] },
  {
    name: 'invalid-utf8',
    kinds: ['yaml', 'values', 'json', 'template', 'config'],
    apply: (c, f, o) => write(c, f, Buffer.concat([Buffer.from(`${o.trimEnd()}\nlatin1: "caf`), Buffer.from([0xe9, 0x22, 0x0a])])),
    codes: () => ['FILE_NOT_TEXT'],
  },
  { name: 'overlong-utf8', kinds: ['yaml', 'values', 'config'], apply: (c, f, o) => write(c, f, Buffer.concat([Buffer.from(o), Buffer.from([0x23, 0xc0, 0xaf, 0x0a])])), codes: () => ['FILE_NOT_TEXT'] },
  { name: 'root-list', kinds: [...YAML_KINDS, 'json'], apply: (c, f) => write(c, f, '- a\n- b\n') },
  { name: 'root-scalar', kinds: YAML_KINDS, apply: (c, f) => write(c, f, 'just a string\n') },
  { name: 'root-number', kinds: YAML_KINDS, apply: (c, f) => write(c, f, '42\n') },
  { name: 'extra-document', kinds: YAML_KINDS, apply: (c, f, o) => write(c, f, `${o.trimEnd()}\n---\nsmuggled: true\n`) },
  { name: 'empty', kinds: [...YAML_KINDS, 'json'], apply: (c, f) => write(c, f, ''), exit: emptyIsFine },
  { name: 'comments-only', kinds: YAML_KINDS, apply: (c, f) => write(c, f, '# nothing here\n'), exit: emptyIsFine },
  {
    // Sparse: the size is there, the bytes are NULs. Refused as too large proves the size is checked before a byte is read.
    name: 'huge',
    kinds: ['yaml', 'values', 'json', 'template', 'config'],
    apply: (c, f) => {
      write(c, f, '');
      truncateSync(join(c.dir, f), 50 * 1024 * 1024);
    },
    codes: () => ['FILE_TOO_LARGE'],
  },
  {
    name: 'over-limit',
    kinds: ['yaml', 'values', 'config'],
    apply: (c, f, o) => {
      const limit = FILE_LIMITS[fileRole(f)];
      write(c, f, `${o}${'#'.repeat(limit - Buffer.byteLength(o))}\n`);
    },
    codes: () => ['FILE_TOO_LARGE'],
  },
  { name: 'symlink-out', kinds: ['yaml', 'values', 'json', 'template', 'config'], apply: (c, f) => replaceWithLink(c, f, relative(dirname(join(c.dir, f)), c.outside)), codes: () => ['FILE_OUTSIDE_REPO'] },
  { name: 'symlink-absolute', kinds: ['yaml', 'values', 'json', 'template', 'config'], apply: (c, f) => replaceWithLink(c, f, c.outside), codes: () => ['FILE_OUTSIDE_REPO'] },
  {
    // Argo CD refuses an absolute link even when it names a file inside the repository.
    name: 'symlink-absolute-inside',
    kinds: ['yaml', 'values', 'json', 'template', 'config'],
    apply: (c, f, o) => {
      write(c, 'shared/copy', o);
      replaceWithLink(c, f, join(c.dir, 'shared/copy'));
    },
    codes: () => ['FILE_OUTSIDE_REPO'],
  },
  {
    // Where actions/checkout keeps the token.
    name: 'symlink-git-config',
    kinds: ['yaml', 'values', 'json', 'template', 'config'],
    apply: (c, f) => replaceWithLink(c, f, `${'../'.repeat(f.split('/').length - 1)}.git/config`),
    codes: () => ['FILE_OUTSIDE_REPO'],
  },
  {
    name: 'symlink-escape-and-back',
    kinds: ['yaml', 'values', 'config'],
    apply: (c, f, o) => {
      write(c, 'shared/copy', o);
      const up = '../'.repeat(f.split('/').length - 1);
      replaceWithLink(c, f, `${up}../${c.dir.split('/').pop()}/shared/copy`);
    },
    codes: () => ['FILE_OUTSIDE_REPO'],
  },
  {
    name: 'symlink-chain-out',
    kinds: ['yaml', 'values', 'config'],
    apply: (c, f) => {
      symlinkSync(c.outside, join(c.dir, 'shared-link'));
      replaceWithLink(c, f, `${'../'.repeat(f.split('/').length - 1)}shared-link`);
    },
    codes: () => ['FILE_OUTSIDE_REPO'],
  },
  {
    name: 'symlink-loop',
    kinds: ['yaml', 'values', 'template', 'config'],
    apply: (c, f) => {
      const base = f.split('/').pop()!;
      replaceWithLink(c, f, `${base}.loop`);
      symlinkSync(base, join(c.dir, `${f}.loop`));
    },
    codes: () => ['FILE_OUTSIDE_REPO'],
  },
  {
    // Inside and relative: Argo CD follows it, and so does the tool.
    name: 'symlink-in',
    kinds: ['yaml', 'values', 'json', 'template', 'config'],
    apply: (c, f, o) => {
      write(c, 'shared/copy', o);
      replaceWithLink(c, f, `${'../'.repeat(f.split('/').length - 1)}shared/copy`);
    },
    exit: () => 0,
  },
  {
    name: 'fifo',
    kinds: ['yaml', 'values', 'template'],
    apply: (c, f) => {
      rmSync(join(c.dir, f));
      execFileSync('mkfifo', [join(c.dir, f)]);
    },
    codes: () => ['FILE_NOT_REGULAR'],
  },
];

function firstKey(text: string): string {
  return /^([A-Za-z][\w-]*):/m.exec(text)?.[1] ?? 'key';
}

/** The role × breaker matrix: every breaker on every file role it applies to. */
function matrixCases(): HostileCase[] {
  const out: HostileCase[] = [];
  for (const r of ROLES) {
    for (const b of BREAKERS) {
      if (!b.kinds.includes(r.kind)) continue;
      const config = r.kind === 'config';
      const exitCode = b.name === 'symlink-in' ? 0 : config ? 2 : (b.exit?.(r.kind) ?? 1);
      const codes = exitCode === 1 ? b.codes?.(r.kind) : undefined;
      out.push({
        id: `${r.role}/${b.name}`,
        role: r.role,
        breaker: b.name,
        file: r.file,
        command: ['lint'],
        setup: (c) => b.apply(c, r.file, readFileSync(join(c.dir, r.file), 'utf8')),
        expect: { exitCode, codes },
      });
    }
  }
  return out;
}

const edit = (path: string, change: (text: string) => string) => (c: CaseDir) => write(c, path, change(readFileSync(join(c.dir, path), 'utf8')));
const APPSET = 'argocd/applicationsets/prod.yaml';
const SHOP = 'services/shop/service.yaml';
const SHOP_VALUES = 'services/shop/values.yaml';
/** Policy findings on rendered objects name the template that rendered them. */
const EXTRA_TEMPLATE = 'platform-charts/web/templates/extra.yaml';

/** Cases aimed at one weakness each: shapes, traversal, injection, escapes, prune. */
function targetedCases(): HostileCase[] {
  const t = (id: string, file: string, command: string[], setup: (c: CaseDir) => void, expect: HostileCase['expect']): HostileCase => ({ id, role: id.split('/')[0]!, breaker: id.split('/')[1]!, file, command, setup, expect });
  const extra = (objects: string) => edit(SHOP_VALUES, (v) => `${v}extraObjects:\n${objects}`);
  return [
    t('applicationset/files-as-string', APPSET, ['lint'], edit(APPSET, (a) => a.replace(/files:\n\s+- path: (.*)/, 'files: $1')), { exitCode: 1, codes: ['APPSET_SCHEMA'], includes: [`${APPSET}:13:`] }),
    t('applicationset/generators-as-string', APPSET, ['lint'], edit(APPSET, (a) => a.replace(/generators:\n[\s\S]*?\n  template:/, 'generators: git\n  template:')), { exitCode: 1, codes: ['APPSET_SCHEMA'] }),
    t('applicationset/no-template', APPSET, ['lint'], edit(APPSET, (a) => a.slice(0, a.indexOf('  template:'))), { exitCode: 1, codes: ['APPSET_SCHEMA'] }),
    t('applicationset/kind-application', APPSET, ['lint'], edit(APPSET, (a) => a.replace('kind: ApplicationSet', 'kind: Application')), { exitCode: 1, codes: ['APPSET_SCHEMA'] }),
    t('applicationset/selector-as-list', APPSET, ['lint'], edit(APPSET, (a) => a.replace(/selector:\n\s+matchExpressions:/, 'selector:\n        - matchExpressions:')), { exitCode: 1, codes: ['APPSET_SCHEMA'] }),
    t('applicationset/elements-scalars', APPSET, ['lint'], edit(APPSET, (a) => a.replace(/    - git:/, '    - list:\n        elements: [1, 2]\n    - git:')), { exitCode: 1, codes: ['APPSET_SCHEMA'] }),
    t('applicationset/goTemplate-string', APPSET, ['lint'], edit(APPSET, (a) => a.replace('goTemplate: true', 'goTemplate: "true"')), { exitCode: 1, codes: ['APPSET_SCHEMA'] }),
    t('applicationset/value-file-traversal', APPSET, ['lint'], edit(APPSET, (a) => a.replace('$values/environments/prod/values.yaml', '$values/../../../../etc/passwd')), { exitCode: 1, codes: ['VALUES_FILE_OUTSIDE_REPO'] }),
    t('applicationset/value-file-traversal-chart', APPSET, ['lint'], edit(APPSET, (a) => a.replace('$values/environments/prod/values.yaml', '../../../outside.yaml')), { exitCode: 1, codes: ['VALUES_FILE_OUTSIDE_REPO'] }),
    t('applicationset/chart-name-traversal', SHOP, ['lint'], edit(APPSET, (a) => a.replace("chart: '{{.chart}}'", "chart: '../../{{.chart}}'")), { exitCode: 1 }),
    t('applicationset/chart-path-traversal', APPSET, ['lint'], edit(APPSET, (a) => a.replace("chart: '{{.chart}}'", "path: '../../{{.chart}}'")), { exitCode: 1 }),
    t('applicationset/value-file-symlink-dir', 'services/shop/linked', ['lint'], (c) => {
      symlinkSync(c.outsideDir, join(c.dir, 'services/shop/linked'));
      edit(APPSET, (a) => a.replace("'$values/{{.path.path}}/values.yaml'", "'$values/{{.path.path}}/linked/values.yaml'"))(c);
    }, { exitCode: 1, codes: ['FILE_OUTSIDE_REPO'] }),
    t('applicationset/emptied', APPSET, ['lint'], (c) => write(c, APPSET, ''), { exitCode: 1, codes: ['APPSET_EMPTY'] }),
    t('applicationset/emptied-check', APPSET, ['check'], (c) => write(c, APPSET, '# retired\n'), { exitCode: 1, codes: ['APPSET_EMPTY'] }),
    t('applicationset/emptied-diff', APPSET, ['diff', '--base', 'main'], (c) => write(c, APPSET, ''), { exitCode: 1, codes: ['APPSET_EMPTY'], includes: ['Argo CD will prune 2 Applications', 'prod/shop (shop-prod): Deployment commerce/shop', 'prod/cart (cart-prod)'] }),
    t('applicationset/removed-diff', 'prod/shop', ['diff', '--base', 'main'], (c) => rmSync(join(c.dir, APPSET)), { exitCode: 0, includes: ['Argo CD will prune 2 Applications and their 2 resources', 'prod/shop (shop-prod): Deployment commerce/shop'] }),
    t('applicationset/selector-no-match-diff', 'prod/cart', ['diff', '--base', 'main', '--format', 'markdown'], edit(APPSET, (a) => a.replace('key: releases.prod.chart', 'key: releases.production.chart')), { exitCode: 0, includes: ['> [!WARNING]', 'Argo CD will prune 2 Applications', '**prod/cart** (cart-prod): `Deployment commerce/cart`'] }),
    t('service/removed-from-env-diff', 'prod/cart', ['diff', '--base', 'main', '--format', 'json'], edit('services/cart/service.yaml', (s) => s.replace(/\n  prod:.*/, '')), { exitCode: 0, includes: ['"prune": [', '"name": "cart-prod"'] }),
    t('service/name-traversal', SHOP, ['lint'], edit(SHOP, (s) => s.replace('name: shop', 'name: ../../etc')), { exitCode: 1, codes: ['SERVICE_SCHEMA'] }),
    t('service/chart-traversal', SHOP, ['lint'], edit(SHOP, (s) => s.replace('chart: web', 'chart: ../../../tmp')), { exitCode: 1 }),
    t('service/team-template-injection', SHOP, ['lint'], edit(SHOP, (s) => s.replace('team: commerce', 'team: "{{ .releases }}"')), { exitCode: 1, codes: ['SERVICE_SCHEMA'] }),
    t('service/image-arg-injection', SHOP, ['lint'], edit(SHOP, (s) => s.replace('image: "1.9.0"', 'image: "1.9.0 --set replicaCount=100"')), { exitCode: 1, codes: ['SERVICE_SCHEMA'] }),
    t('service/releases-list', SHOP, ['lint'], edit(SHOP, (s) => s.replace(/releases:[\s\S]*/, 'releases:\n  - dev\n')), { exitCode: 1, codes: ['SERVICE_SCHEMA'] }),
    t('service/unknown-env', SHOP, ['lint'], edit(SHOP, (s) => `${s}  ../prod: { chart: 1.0.0, image: "1" }\n`), { exitCode: 1, codes: ['SERVICE_SCHEMA'] }),
    t('service/dir-symlink-out', 'services/evil', ['lint'], (c) => symlinkSync(c.outsideDir, join(c.dir, 'services/evil')), { exitCode: 1, codes: ['FILE_OUTSIDE_REPO'] }),
    t('service/new-service-symlink-out', 'services/evil/service.yaml', ['lint'], (c) => {
      mkdirSync(join(c.dir, 'services/evil'));
      symlinkSync(join(c.outsideDir, 'shop/service.yaml'), join(c.dir, 'services/evil/service.yaml'));
    }, { exitCode: 1, codes: ['FILE_OUTSIDE_REPO'] }),
    t('environment/dir-symlink-in', 'environments/prod', ['lint'], (c) => {
      rmSync(join(c.dir, 'environments/prod'), { recursive: true });
      symlinkSync('dev', join(c.dir, 'environments/prod'));
    }, { exitCode: 1, codes: ['SERVICE_SCHEMA'] }),
    t('environment/version-injection', 'environments/prod/environment.yaml', ['lint'], edit('environments/prod/environment.yaml', (e) => e.replace('"1.34.0"', '"1.34.0 --post-renderer /bin/sh"')), { exitCode: 1, codes: ['ENVIRONMENT_SCHEMA'] }),
    t('environment/name-mismatch', 'environments/prod/environment.yaml', ['lint'], edit('environments/prod/environment.yaml', (e) => e.replace('name: prod', 'name: dev')), { exitCode: 1, codes: ['ENVIRONMENT_SCHEMA'] }),
    t('chart/no-chart-yaml', 'platform-charts/web/Chart.yaml', ['check'], (c) => rmSync(join(c.dir, 'platform-charts/web/Chart.yaml')), { exitCode: 1, codes: ['CHART_YAML_MISSING'] }),
    t('chart/stray-directory', 'platform-charts/stray/Chart.yaml', ['lint'], (c) => {
      mkdirSync(join(c.dir, 'platform-charts/stray'));
      write(c, 'platform-charts/stray/values.yaml', 'a: 1\n');
    }, { exitCode: 1, codes: ['CHART_YAML_MISSING'] }),
    t('chart/dependency-traversal', 'platform-charts/web/Chart.yaml', ['lint'], edit('platform-charts/web/Chart.yaml', (s) => s.replace('file://../lib', 'file://../../../outside')), { exitCode: 1, codes: ['CHART_DEPENDENCY'] }),
    t('chart/template-symlink-out-check', 'platform-charts/web/templates/leak.yaml', ['check'], (c) => symlinkSync(c.outside, join(c.dir, 'platform-charts/web/templates/leak.yaml')), { exitCode: 1, codes: ['FILE_OUTSIDE_REPO'] }),
    t('chart/no-version', 'platform-charts/web/Chart.yaml', ['lint'], edit('platform-charts/web/Chart.yaml', (s) => s.replace(/^version:.*$/m, '')), { exitCode: 1, codes: ['CHART_INVALID'] }),
    t('appproject/kind-wrong', 'argocd/projects/team-commerce.yaml', ['lint'], edit('argocd/projects/team-commerce.yaml', (s) => s.replace('kind: AppProject', 'kind: ClusterRole')), { exitCode: 1, codes: ['PROJECT_SCHEMA'] }),
    // helm does not evaluate values as templates (the chart uses no tpl): the text comes out as it went in.
    t('values/template-injection', SHOP_VALUES, ['render', '--env', 'dev', '--service', 'shop'], edit(SHOP_VALUES, (v) => `${v}environment: '{{ .Files.Get "../../outside" }}{{ lookup "v1" "Secret" "kube-system" "x" }}'\n`), { exitCode: 0, includes: ['environment: "{{ .Files.Get \\"../../outside\\" }}'] }),
    // A value that closes the quotes of the template it lands in and starts a document of its own.
    t('values/manifest-injection', 'platform-charts/web/templates/deployment.yaml', ['check', '--env', 'prod', '--service', 'shop'], edit(SHOP_VALUES, (v) => v.replace('registry.example.com/commerce/shop', '"x:1\\"\\n---\\napiVersion: rbac.authorization.k8s.io/v1\\nkind: ClusterRole\\nmetadata:\\n  name: pwn\\nrules: []\\nx: \\"y"')), { exitCode: 1, codes: ['POLICY_CLUSTER_SCOPED_RESOURCE'], includes: ['ClusterRole pwn'] }),
    t('values/cluster-scoped-clusterrole', EXTRA_TEMPLATE, ['check', '--env', 'prod', '--service', 'shop'], extra('  - apiVersion: rbac.authorization.k8s.io/v1\n    kind: ClusterRoleBinding\n    metadata: { name: pwn }\n    roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin }\n    subjects: [{ kind: ServiceAccount, name: default, namespace: commerce }]\n'), { exitCode: 1, codes: ['POLICY_CLUSTER_SCOPED_RESOURCE'] }),
    t('values/cluster-scoped-namespace', EXTRA_TEMPLATE, ['check', '--env', 'prod', '--service', 'shop'], extra('  - { apiVersion: v1, kind: Namespace, metadata: { name: pwn } }\n'), { exitCode: 1, codes: ['POLICY_CLUSTER_SCOPED_RESOURCE'] }),
    t('values/cluster-scoped-crd', EXTRA_TEMPLATE, ['check', '--env', 'dev', '--service', 'shop'], extra('  - { apiVersion: apiextensions.k8s.io/v1, kind: CustomResourceDefinition, metadata: { name: pwns.example.com } }\n'), { exitCode: 1, codes: ['POLICY_CLUSTER_SCOPED_RESOURCE'] }),
    t('values/namespace-escape', SHOP_VALUES, ['check', '--env', 'prod', '--service', 'shop'], extra('  - { apiVersion: v1, kind: ConfigMap, metadata: { name: pwn, namespace: kube-system }, data: { a: b } }\n'), { exitCode: 1, codes: ['POLICY_PROJECT_DESTINATION_DENIED'] }),
    t('values-env/namespace-escape', 'services/shop/values-prod.yaml', ['check', '--env', 'prod', '--service', 'shop'], edit('services/shop/values-prod.yaml', (v) => `${v}extraObjects:\n  - { apiVersion: v1, kind: Secret, metadata: { name: pwn, namespace: argocd }, stringData: { a: b } }\n`), { exitCode: 1, codes: ['POLICY_PROJECT_DESTINATION_DENIED'] }),
    t('service/team-namespace-escape', SHOP, ['check', '--env', 'prod', '--service', 'shop'], edit(SHOP, (s) => s.replace('team: commerce', 'team: kube-system')), { exitCode: 1, codes: ['APP_PROJECT_UNKNOWN'] }),
    t('values/symlink-out-check', SHOP_VALUES, ['check', '--env', 'prod', '--service', 'shop'], (c) => replaceWithLink(c, SHOP_VALUES, c.outside), { exitCode: 1, codes: ['FILE_OUTSIDE_REPO'] }),
    t('values/symlink-out-render', SHOP_VALUES, ['render', '--env', 'prod', '--service', 'shop'], (c) => replaceWithLink(c, SHOP_VALUES, c.outside), { exitCode: 1, codes: ['FILE_OUTSIDE_REPO'] }),
    t('values/huge-check', SHOP_VALUES, ['check', '--env', 'prod', '--service', 'shop'], (c) => truncateSync(join(c.dir, SHOP_VALUES), 50 * 1024 * 1024), { exitCode: 1, codes: ['FILE_TOO_LARGE'] }),
    t('values/extra-document-render', 'services/shop/values-prod.yaml', ['render', '--env', 'prod', '--service', 'shop'], edit('services/shop/values-prod.yaml', (v) => `${v}---\nreplicaCount: 99\n`), { exitCode: 1, codes: ['YAML_MULTIPLE_DOCUMENTS'] }),
    t('values/root-list-render', 'services/shop/values-prod.yaml', ['render', '--env', 'prod', '--service', 'shop'], (c) => write(c, 'services/shop/values-prod.yaml', '- 1\n'), { exitCode: 1, codes: ['YAML_NOT_A_MAPPING'] }),
    t('waivers/symlink-out-policy', 'services/shop/waivers.yaml', ['policy', '--env', 'prod', '--service', 'shop'], (c) => replaceWithLink(c, 'services/shop/waivers.yaml', c.outside), { exitCode: 2, codes: ['FILE_REFUSED'] }),
    // Committed hostile files, read from Git objects (diff's base and head are commits).
    t('commit/symlink-out', SHOP_VALUES, ['diff', '--base', 'HEAD~1', '--head', 'HEAD'], (c) => commitAfter(c, () => replaceWithLink(c, SHOP_VALUES, c.outside)), { exitCode: 1, codes: ['FILE_OUTSIDE_REPO'] }),
    t('commit/symlink-git-config', SHOP_VALUES, ['diff', '--base', 'HEAD~1', '--head', 'HEAD'], (c) => commitAfter(c, () => replaceWithLink(c, SHOP_VALUES, '../../.git/config')), { exitCode: 1, codes: ['FILE_OUTSIDE_REPO'] }),
    t('commit/symlink-in', SHOP_VALUES, ['diff', '--base', 'HEAD~1', '--head', 'HEAD'], (c) => commitAfter(c, () => replaceWithLink(c, SHOP_VALUES, '../cart/values.yaml')), { exitCode: 0, includes: ['registry.example.com/commerce/cart'] }),
    // A chart version released with a symlink out of the repository, then the link removed from the work tree: only the render reads it.
    t('commit/chart-symlink-out', 'platform-charts/web/templates/leak.yaml', ['check', '--env', 'prod', '--service', 'shop'], (c) => {
      commitAfter(c, () => {
        edit('platform-charts/web/Chart.yaml', (y) => y.replace('version: 1.0.0', 'version: 1.1.0'))(c);
        symlinkSync(c.outside, join(c.dir, 'platform-charts/web/templates/leak.yaml'));
        edit(SHOP, (y) => y.replace('prod: { chart: 1.0.0', 'prod: { chart: 1.1.0'))(c);
      });
      rmSync(join(c.dir, 'platform-charts/web/templates/leak.yaml'));
    }, { exitCode: 1, includes: ['FILE_OUTSIDE_REPO'] }),
    t('commit/too-large', 'services/shop/values-prod.yaml', ['diff', '--base', 'HEAD~1', '--head', 'HEAD'], (c) => commitAfter(c, () => write(c, 'services/shop/values-prod.yaml', `replicaCount: 3\n${'#'.repeat(2 * 1024 * 1024)}\n`)), { exitCode: 1, codes: ['FILE_TOO_LARGE'] }),
    t('commit/invalid-utf8', 'services/shop/values-prod.yaml', ['diff', '--base', 'HEAD~1', '--head', 'HEAD'], (c) => commitAfter(c, () => write(c, 'services/shop/values-prod.yaml', Buffer.from([0x72, 0x3a, 0x20, 0xff, 0x0a]))), { exitCode: 1, codes: ['FILE_NOT_TEXT'] }),
  ];
}

function commitAfter(c: CaseDir, change: () => void): void {
  change();
  const env = { ...process.env, GIT_AUTHOR_DATE: '2026-01-02T00:00:00Z', GIT_COMMITTER_DATE: '2026-01-02T00:00:00Z' };
  execFileSync('git', ['add', '--all'], { cwd: c.dir, env });
  execFileSync('git', ['commit', '--quiet', '-m', 'hostile'], { cwd: c.dir, env });
}

export function hostileCases(): HostileCase[] {
  return [...matrixCases(), ...targetedCases()];
}
