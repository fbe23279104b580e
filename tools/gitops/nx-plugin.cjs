// Nx projects for the fleet, inferred from the repository's own files, so that
// `nx show projects --affected` names what a change can affect and `nx affected -t check`
// checks only that, each service's check cached on its inputs.
const { readFileSync } = require('node:fs');
const { dirname, join, basename } = require('node:path');
const { parse } = require('yaml');

const FLEET_INPUTS = ['{workspaceRoot}/gitops.yaml', '{workspaceRoot}/argocd/**/*', { dependentTasksOutputFiles: '**/*', transitive: false }];

/**
 * What else a service's check reads, so Nx never replays a stale green: the waivers of every
 * environment, the date waivers expire against, the pinned helm, and the schemas. (Other
 * services' files are left out on purpose: Nx counts a target's inputs as what makes a
 * project affected, and a values edit must affect its own service only.)
 */
const CHECK_INPUTS = [
  '{workspaceRoot}/environments/waivers.yaml',
  '{workspaceRoot}/tools/gitops/helm-pin.json',
  { env: 'GITOPS_TODAY' },
  { env: 'GITOPS_SCHEMA_DIR' },
  { runtime: 'node -e "process.stdout.write(new Date().toISOString().slice(0, 10))"' },
  { runtime: 'node tools/gitops/scripts/schema-fingerprint.mjs' },
];

/**
 * A project per chart (with a `check` target: gitops chart check) and per environment, and one
 * per service (services/<name>/service.yaml) that depends on the environments it is released in.
 */
const createNodesV2 = [
  '{services/*/service.yaml,environments/*/environment.yaml,platform-charts/*/Chart.yaml}',
  async (files, _options, context) => {
    return files.map((file) => {
      const root = dirname(file);
      const name = basename(root);
      if (file.startsWith('environments/')) {
        return [file, { projects: { [root]: { name: `env-${name}`, root, tags: ['type:environment'] } } }];
      }
      if (file.startsWith('platform-charts/')) {
        // A chart built on the library changes when the library does.
        const deps = (readYaml(context, file).dependencies ?? []).filter((d) => String(d.repository ?? '').startsWith('file://')).map((d) => `chart-${d.name}`);
        const targets = {
          // Compares with the merge base, so never replayed from the cache.
          check: { command: `node tools/gitops/bin/gitops.js chart check --chart ${name}`, options: { cwd: '{workspaceRoot}' }, cache: false, dependsOn: ['gitops:build'] },
        };
        return [file, { projects: { [root]: { name: `chart-${name}`, root, tags: ['type:chart'], implicitDependencies: deps, targets } } }];
      }
      const service = readYaml(context, file);
      const envs = Object.keys(service.releases ?? {});
      return [
        file,
        {
          projects: {
            [root]: {
              name: `service-${name}`,
              root,
              tags: ['type:service', ...(service.team ? [`team:${service.team}`] : [])],
              // Not on its chart: a service renders the released package its pins name (rebuilt
              // from Git history), so a chart change reaches it only when a pin in service.yaml
              // moves. The chart's own check (chart-<name>:check) renders every consumer with it.
              implicitDependencies: envs.map((e) => `env-${e}`),
              targets: {
                check: {
                  command: `node tools/gitops/bin/gitops.js check --service ${name}`,
                  options: { cwd: '{workspaceRoot}' },
                  cache: true,
                  // Its own files and its environments', through the dependencies; its chart's
                  // released versions come from Git history, which a pin names exactly.
                  inputs: ['{projectRoot}/**/*', '^{projectRoot}/**/*', ...FLEET_INPUTS, ...CHECK_INPUTS],
                  dependsOn: ['gitops:build'],
                },
              },
            },
          },
        },
      ];
    });
  },
];

/** The file's data, or {} when it does not parse: the project still exists and `check` reports the problem. */
function readYaml(context, file) {
  try {
    return parse(readFileSync(join(context.workspaceRoot, file), 'utf8')) ?? {};
  } catch {
    return {};
  }
}

module.exports = { createNodesV2 };
