import { describe, expect, it } from 'vitest';
import { appSet, fleetFiles } from '../fixtures/fleet.js';
import { createRepo } from '../helpers/git-repo.js';
import { runCli } from '../helpers/run-cli.js';

/** The Applications a render printed, as "<env>/<service>". */
function rendered(stdout: string): string[] {
  return [...stdout.matchAll(/^# ([a-z-]+\/[a-z-]+): /gm)].map((m) => m[1]!).sort();
}

/** The helm command line printed under an Application's header. */
function commandLine(stdout: string, app: string): string | undefined {
  const lines = stdout.split('\n');
  const at = lines.findIndex((l) => l.startsWith(`# ${app}: `));
  return at >= 0 ? lines[at + 1]?.replace(/^# /, '') : undefined;
}

const findingLines = (stderr: string) => stderr.split('\n').filter((l) => / (error|warning) [A-Z_]+ /.test(l));

describe('gitops render expands ApplicationSets as the controller does', () => {
  it('a missing key under missingkey=error blocks the whole ApplicationSet: one finding at the template line, the other set renders', () => {
    const prod = appSet('prod', 'prod-cluster').replace("      name: '{{.name}}-prod'\n", "      name: '{{.name}}-prod'\n      annotations:\n        owner: '{{.owner}}'\n");
    const repo = createRepo({ ...fleetFiles(), 'argocd/applicationsets/prod.yaml': prod });
    const r = runCli(['render', '--show-command'], { cwd: repo.dir });
    expect(r.exitCode, r.stderr).toBe(1);
    expect(findingLines(r.stderr)).toEqual([
      'argocd/applicationsets/prod.yaml:23:16 error APPSET_TEMPLATE ApplicationSet prod: no Application of the set is created or updated: ' +
        'failed to execute go template {{.owner}}: template: base:1:2: executing "base" at <.owner>: map has no entry for key "owner"',
    ]);
    expect(rendered(r.stdout)).toEqual(['dev/blog', 'dev/cart', 'dev/shop']);

    // The JSON report lists the blocked set with Argo CD's error, and none of its Applications.
    const json = runCli(['render', '--format', 'json'], { cwd: repo.dir });
    const report = JSON.parse(json.stdout) as { applicationSets: { name: string; applications: string[]; error?: string }[]; applications: { name: string }[] };
    expect(report.applicationSets.find((s) => s.name === 'prod')).toMatchObject({ applications: [], error: expect.stringContaining('map has no entry for key "owner"') });
    expect(report.applicationSets.find((s) => s.name === 'dev')).toEqual({ name: 'dev', file: 'argocd/applicationsets/dev.yaml', applications: ['blog-dev', 'cart-dev', 'shop-dev'] });
    expect(report.applications.map((a) => a.name)).toEqual(['blog-dev', 'cart-dev', 'shop-dev']);
  });

  it('renders a goTemplate: false ApplicationSet (fasttemplate) to the same helm command line as its Go template twin', () => {
    const fast = appSet('prod', 'prod-cluster')
      .replace('  goTemplate: true\n  goTemplateOptions: ["missingkey=error"]\n', '  goTemplate: false\n')
      .replace(/\{\{\.path\.path\}\}/g, '{{path}}')
      .replace(/\{\{\.([a-z.]+)\}\}/g, '{{$1}}');
    expect(fast).toContain("targetRevision: '{{releases.prod.chart}}'");
    const goRepo = createRepo(fleetFiles());
    const fastRepo = createRepo({ ...fleetFiles(), 'argocd/applicationsets/prod.yaml': fast });
    const expected = runCli(['render', '--env', 'prod', '--show-command'], { cwd: goRepo.dir });
    const r = runCli(['render', '--env', 'prod', '--show-command'], { cwd: fastRepo.dir });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(rendered(r.stdout)).toEqual(['prod/cart', 'prod/shop']);
    expect(commandLine(r.stdout, 'prod/shop')).toBe(commandLine(expected.stdout, 'prod/shop'));
    expect(commandLine(r.stdout, 'prod/shop')).toContain('--set-string image.tag=1.9.0 --values environments/prod/values.yaml --values services/shop/values.yaml');
  });

  it('an Application whose AppProject does not exist is not created; the rest of its set is', () => {
    const files = fleetFiles();
    delete files['argocd/projects/team-content.yaml'];
    const repo = createRepo(files);
    const r = runCli(['render', '--env', 'dev', '--show-command'], { cwd: repo.dir });
    expect(r.exitCode, r.stderr).toBe(1);
    expect(findingLines(r.stderr)).toEqual([
      'services/blog/service.yaml:2:7 error APP_PROJECT_UNKNOWN ApplicationSet dev: application references project team-content which does not exist; Argo CD does not create or update blog-dev',
    ]);
    expect(rendered(r.stdout)).toEqual(['dev/cart', 'dev/shop']);
  });
});
