import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it, onTestFinished } from 'vitest';
import { exampleFleetRepo, promoteWorkTree, schemaDir } from '../fixtures/example-fleet.js';
import { fleetFiles } from '../fixtures/fleet.js';
import { createRepo } from '../helpers/git-repo.js';
import { runCli, tempCache } from '../helpers/run-cli.js';

// Caches of what the tool computes (ApplicationSet expansions, parsed files and rendered
// objects, validation verdicts) make a warm run cheap; these tests hold that a warm run still
// sees every change.

const without = (s: string) => s.replace(/ in \d+\.\ds/g, '');

it('a warm check gives the same report, and sees a changed generator file', () => {
  const repo = exampleFleetRepo();
  const cache = tempCache();
  const env = { GITOPS_SCHEMA_DIR: schemaDir, GITOPS_TODAY: '2026-11-24' };
  const check = () => runCli(['check', '--env', 'dev'], { cwd: repo.dir, env, cacheDir: cache });

  const cold = check();
  expect(cold.exitCode, cold.stdout + cold.stderr).toBe(0);
  expect(readdirSync(join(cache, 'appsets')).length).toBeGreaterThan(0);
  expect(readdirSync(join(cache, 'verdicts')).length).toBe(1);
  const warm = check();
  expect(warm.exitCode).toBe(0);
  expect(without(warm.stdout + warm.stderr)).toBe(without(cold.stdout + cold.stderr));

  // The expansion is keyed by the files the git generator reads: a moved team is seen at once.
  const serviceYaml = readFileSync(join(repo.dir, 'services/orders/service.yaml'), 'utf8');
  repo.write({ 'services/orders/service.yaml': serviceYaml.replace('team: commerce', 'team: nobody') });
  const moved = check();
  expect(moved.exitCode).toBe(1);
  expect(moved.stdout).toMatch(/^services\/orders\/service\.yaml:\d+:\d+ error APP_PROJECT_UNKNOWN ApplicationSet dev: application references project team-nobody which does not exist/m);
});

it('a remembered verdict follows the object and its schema file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-verdicts-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const schema = (required: string[]) =>
    JSON.stringify({ type: 'object', required, properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, spec: { type: 'object', additionalProperties: false, properties: { size: { type: 'integer' } } } } });
  mkdirSync(join(dir, 'schemas', 'crds', 'widgets.example.com'), { recursive: true });
  // No built-in kind is validated here, but a source must hold the version.
  mkdirSync(join(dir, 'schemas', 'kubernetes', 'v1.34.0-standalone-strict'), { recursive: true });
  const schemaFile = join(dir, 'schemas', 'crds', 'widgets.example.com', 'widget_v1.json');
  writeFileSync(schemaFile, schema(['spec']));
  const widget = (spec: string) => `apiVersion: widgets.example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n${spec}\n`;
  writeFileSync(join(dir, 'w.yaml'), widget('  size: 3'));
  const cache = tempCache();
  const validate = () => runCli(['validate', '--schema-dir', 'schemas', '--kubernetes-version', '1.34.0', 'w.yaml'], { cwd: dir, cacheDir: cache });

  expect(validate().exitCode).toBe(0);
  expect(validate().exitCode).toBe(0);
  writeFileSync(join(dir, 'w.yaml'), widget('  size: 3\n  colour: red'));
  const changed = validate();
  expect(changed.exitCode).toBe(1);
  expect(changed.stdout).toContain('error MANIFEST_INVALID Widget w: /spec/colour: unknown field "colour"');

  writeFileSync(join(dir, 'w.yaml'), widget('  size: 3'));
  expect(validate().exitCode).toBe(0);
  // The same object against a schema that now requires a status: judged again, not remembered.
  writeFileSync(schemaFile, schema(['spec', 'status']));
  const stricter = validate();
  expect(stricter.exitCode, stricter.stdout + stricter.stderr).toBe(1);
  expect(stricter.stdout).toContain('error MANIFEST_INVALID Widget w');
});

it('a warm check reads parsed values and rendered objects back, and places every finding as a cold one', () => {
  const repo = createRepo(fleetFiles());
  // A schema error, a YAML 1.1 boolean and an object the cluster refuses: findings at values
  // lines, found through the trees a warm run no longer parses unless asked for a position.
  repo.commit('bad', { 'services/shop/values-prod.yaml': '# prod\nreplicaCount: many\npodLabels:\n  canary: on\n' });
  const cache = tempCache();
  const check = () => runCli(['check', '--env', 'prod', '--service', 'shop'], { cwd: repo.dir, env: { GITOPS_SCHEMA_DIR: schemaDir, GITOPS_TODAY: '2026-11-24' }, cacheDir: cache });

  const cold = check();
  expect(cold.exitCode, cold.stderr).toBe(1);
  expect(cold.stdout).toContain('services/shop/values-prod.yaml:2:15 error VALUES_WRONG_TYPE replicaCount: string "many" where integer is expected');
  expect(cold.stdout).toContain('services/shop/values-prod.yaml:4:11 warning VALUES_YAML11 "on" is read by helm as a boolean');
  expect(cold.stdout).toMatch(/ error MANIFEST_INVALID .*Deployment shop.*\/spec\/replicas/);
  const stored = (dir: string) => readdirSync(join(cache, dir)).map((f) => join(cache, dir, f));
  expect(stored('yaml').length).toBeGreaterThan(5);
  expect(stored('manifests').length).toBeGreaterThan(0);
  expect(stored('stream-summaries').length).toBeGreaterThan(0);

  // Warm: the rendered objects are known by their summaries and read back only where a finding asks for a position.
  const warm = check();
  expect(without(warm.stdout + warm.stderr)).toBe(without(cold.stdout + cold.stderr));

  // Damaged entries are parsed again and replaced (the remembered findings too, or no file would be parsed).
  const stores = ['yaml', 'manifests', 'stream-summaries', 'file-lint', 'values-facts', 'values-syntax'];
  for (const file of stores.flatMap(stored)) writeFileSync(file, 'not what was stored');
  const damaged = check();
  expect(without(damaged.stdout + damaged.stderr)).toBe(without(cold.stdout + cold.stderr));
  for (const dir of stores) expect(stored(dir).every((f) => readFileSync(f, 'utf8') !== 'not what was stored'), dir).toBe(true);
  // Summaries kept, the objects' data lost: the objects a finding needs are parsed from the text again.
  for (const file of stored('manifests')) writeFileSync(file, 'not what was stored');
  const summarized = check();
  expect(without(summarized.stdout + summarized.stderr)).toBe(without(cold.stdout + cold.stderr));

  // A changed file is parsed again: its finding moves with it.
  repo.write({ 'services/shop/values-prod.yaml': '# prod\n\nreplicaCount: many\n' });
  const moved = check();
  expect(moved.stdout).toContain('services/shop/values-prod.yaml:3:15 error VALUES_WRONG_TYPE');
  expect(moved.stdout).not.toContain('VALUES_YAML11');
});

it("an environment's remembered policy findings follow every Application of it, not only the one reported on", { timeout: 600_000 }, () => {
  const repo = exampleFleetRepo();
  const cache = tempCache();
  const env = { GITOPS_SCHEMA_DIR: schemaDir, GITOPS_TODAY: '2026-11-24' };
  const policy = () => runCli(['policy', '--env', 'prod', '--service', 'api-gateway'], { cwd: repo.dir, env, cacheDir: cache });

  const cold = policy();
  expect(cold.exitCode, cold.stdout + cold.stderr).toBe(0);
  expect(readdirSync(join(cache, 'policy')).length).toBeGreaterThan(0);
  const warm = policy();
  expect(without(warm.stdout + warm.stderr)).toBe(without(cold.stdout + cold.stderr));

  // Another Application of prod moves its port: the gateway's route is judged again.
  const before = readFileSync(join(repo.dir, 'services/orders/values-prod.yaml'), 'utf8');
  repo.write({ 'services/orders/values-prod.yaml': `${before}\nservice:\n  port: 8081\n` });
  promoteWorkTree(repo, 'orders', 'prod');
  const moved = policy();
  expect(moved.exitCode).toBe(1);
  expect(moved.stdout).toMatch(/ error POLICY_ROUTE_HOST_UNKNOWN api-gateway-prod: VirtualService api-gateway-edge: routes to orders\.commerce\.svc\.cluster\.local:80, but Service orders of orders-prod has no port 80/);
});

it("an Application's remembered values findings follow its value files and where its parameters are written", () => {
  const repo = createRepo(fleetFiles());
  // A schema error and a key the release pin sets again (image.tag, a helm parameter from service.yaml).
  repo.commit('bad', { 'services/shop/values-prod.yaml': '# prod\nreplicaCount: many\nimage:\n  tag: "1.0.0"\n' });
  const cache = tempCache();
  const check = () => runCli(['check', '--env', 'prod', '--service', 'shop'], { cwd: repo.dir, env: { GITOPS_SCHEMA_DIR: schemaDir, GITOPS_TODAY: '2026-11-24' }, cacheDir: cache });
  const shadowed = (line: number) => `services/shop/values-prod.yaml:4:3 warning VALUES_NO_EFFECT image.tag does nothing in shop-prod: the Application's helm parameter image.tag (services/shop/service.yaml:${line}) overrides it`;

  const cold = check();
  expect(cold.exitCode, cold.stderr).toBe(1);
  expect(cold.stdout).toContain('services/shop/values-prod.yaml:2:15 error VALUES_WRONG_TYPE replicaCount: string "many" where integer is expected');
  expect(cold.stdout).toContain(shadowed(6));
  const table = readdirSync(join(cache, 'values-facts')).map((f) => join(cache, 'values-facts', f));
  expect(table).toHaveLength(1);
  const warm = check();
  expect(without(warm.stdout + warm.stderr)).toBe(without(cold.stdout + cold.stderr));

  // The pin moves a line down: the finding names the line it is on now, not the remembered one.
  const service = readFileSync(join(repo.dir, 'services/shop/service.yaml'), 'utf8');
  repo.write({ 'services/shop/service.yaml': `# the shop\n${service}` });
  const pinMoved = check();
  expect(pinMoved.stdout).toContain(shadowed(7));
  expect(pinMoved.stdout).not.toContain(shadowed(6));

  // The value file fixed: both findings go.
  repo.write({ 'services/shop/values-prod.yaml': '# prod\nreplicaCount: 2\n' });
  const fixed = check();
  expect(fixed.stdout).not.toContain('VALUES_WRONG_TYPE');
  expect(fixed.stdout).not.toContain('VALUES_NO_EFFECT');

  // A damaged table is computed again and replaced.
  repo.write({ 'services/shop/values-prod.yaml': '# prod\nreplicaCount: many\nimage:\n  tag: "1.0.0"\n', 'services/shop/service.yaml': service });
  writeFileSync(table[0]!, '{"not": ');
  const damaged = check();
  expect(without(damaged.stdout + damaged.stderr)).toBe(without(cold.stdout + cold.stderr));
  expect(() => JSON.parse(readFileSync(table[0]!, 'utf8')) as unknown).not.toThrow();

  // Tables that parse but hold something else at every key (another build or tool wrote them): each entry is computed again.
  const tables = ['values-facts', 'file-lint', 'values-syntax', 'verdicts'].flatMap((dir) => readdirSync(join(cache, dir)).map((f) => join(cache, dir, f)));
  expect(tables.length).toBeGreaterThanOrEqual(4);
  for (const file of tables) {
    const entries = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify(Object.fromEntries(Object.keys(entries).map((k) => [k, 5]))));
  }
  const foreign = check();
  expect(without(foreign.stdout + foreign.stderr)).toBe(without(cold.stdout + cold.stderr));
});
