import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { chartFiles, fleetFiles, REPO_URL } from '../fixtures/fleet.js';

/**
 * The fleet fixture, plus what hostile input aims at: AppProjects that allow each team its
 * own namespace only, a service waiver file, and a chart value (extraObjects) that renders
 * arbitrary objects, as many real charts have, so a team's values can try to deploy
 * cluster-scoped kinds or escape their namespace.
 */
export function hostileFleetFiles(): Record<string, string> {
  const schema = JSON.parse(chartFiles['platform-charts/web/values.schema.json']!) as { properties: Record<string, unknown> };
  schema.properties.extraObjects = { type: 'array', items: { type: 'object' } };
  return {
    ...fleetFiles(),
    'platform-charts/web/values.yaml': `${chartFiles['platform-charts/web/values.yaml']}extraObjects: []\n`,
    'platform-charts/web/values.schema.json': JSON.stringify(schema, null, 2),
    'platform-charts/web/templates/extra.yaml': '{{- range .Values.extraObjects }}\n---\n{{ toYaml . }}\n{{- end }}\n',
    'argocd/projects/team-commerce.yaml': project('commerce'),
    'argocd/projects/team-content.yaml': project('content'),
    'services/shop/waivers.yaml': `waivers:
  - rule: POLICY_ROOT_FILESYSTEM_WRITABLE
    environment: prod
    reason: The image writes its cache under /tmp until the next release.
    owner: "@acme/commerce"
    expires: 2099-01-01
`,
  };
}

function project(team: string): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata:
  name: team-${team}
  namespace: argocd
spec:
  sourceRepos:
    - ${REPO_URL}
  destinations:
    - name: dev-cluster
      namespace: ${team}
    - name: prod-cluster
      namespace: ${team}
`;
}

/** Writes the files and commits them in a new repository at `dir` (real git, fixed identity and dates). */
export function commitFixture(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const env = { ...process.env, GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z', GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z' };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env, stdio: 'pipe' });
  git('init', '--quiet', '--initial-branch=main');
  for (const [k, v] of [['user.name', 'Test'], ['user.email', 'test@example.com'], ['commit.gpgSign', 'false'], ['gc.auto', '0']]) git('config', k!, v!);
  git('add', '--all');
  git('commit', '--quiet', '-m', 'fleet');
}
