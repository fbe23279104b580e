import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleFleetRepo, promoteWorkTree, schemaDir } from '../fixtures/example-fleet.js';
import { fleetFiles } from '../fixtures/fleet.js';
import { createRepo } from '../helpers/git-repo.js';
import { runCli } from '../helpers/run-cli.js';

const env = { GITOPS_SCHEMA_DIR: schemaDir, GITOPS_TODAY: '2026-11-24' };

describe('YAML 1.1 numbers that change a value', () => {
  it('is an error at the values line, with what helm renders and the fix the schema asks for', () => {
    const repo = createRepo(fleetFiles());
    repo.commit('octal', { 'services/shop/values-prod.yaml': '# more in prod\nreplicaCount: 0700\n' });

    // What helm really does with it: the Deployment runs 448 replicas.
    const render = runCli(['render', '--env', 'prod', '--service', 'shop'], { cwd: repo.dir });
    expect(render.exitCode, render.stderr).toBe(0);
    expect(render.stdout).toContain('  replicas: 448\n');

    const r = runCli(['lint', '--env', 'prod', '--service', 'shop'], { cwd: repo.dir });
    expect(r.exitCode).toBe(1);
    const lines = r.stdout.split('\n');
    const at = lines.findIndex((l) => l.startsWith('services/shop/values-prod.yaml:2:15 '));
    expect(lines[at]).toBe('services/shop/values-prod.yaml:2:15 error VALUES_YAML11_NUMBER 0700 is read as octal: helm renders 448, not 700 (YAML 1.1)');
    expect(lines[at + 1]).toBe("  hint: Write 700 if you mean 700 (or 448, the octal value, if that is meant): the chart's schema wants a number here.");
    // One finding at that line, not a second one without the schema's hint.
    expect(lines.filter((l) => l.startsWith('services/shop/values-prod.yaml:2:15 '))).toHaveLength(1);
  });

  it("Go's explicit octal 0o700 is read as helm reads it: octal, a number, not a type error", () => {
    const repo = createRepo(fleetFiles());
    repo.commit('octal', { 'services/shop/values-prod.yaml': 'replicaCount: 0o700\n' });
    const render = runCli(['render', '--env', 'prod', '--service', 'shop'], { cwd: repo.dir });
    expect(render.stdout).toContain('  replicas: 448\n');
    const r = runCli(['lint', '--env', 'prod', '--service', 'shop'], { cwd: repo.dir });
    expect(r.exitCode).toBe(1);
    const lines = r.stdout.split('\n').filter((l) => / (error|warning) [A-Z0-9_]+ /.test(l));
    expect(lines).toEqual(['services/shop/values-prod.yaml:1:15 error VALUES_YAML11_NUMBER 0o700 is read as octal: helm renders 448, not 700 (YAML 1.1)']);
  });

  it('a leading zero helm drops is an error too, and a string field is told to quote it', () => {
    const repo = createRepo(fleetFiles());
    repo.commit('zero', { 'services/shop/values-prod.yaml': 'environment: 0800\n' });

    const render = runCli(['render', '--env', 'prod', '--service', 'shop', '--show-command'], { cwd: repo.dir });
    // helm's own schema check refuses the number 800 where the chart wants a string.
    expect(render.stderr).toContain('HELM_TEMPLATE_FAILED');

    const r = runCli(['lint', '--env', 'prod', '--service', 'shop'], { cwd: repo.dir });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('services/shop/values-prod.yaml:1:14 error VALUES_YAML11_NUMBER 0800 is read as the number 800: helm drops the leading zero (YAML 1.1)\n  hint: Quote it ("0800"): the chart\'s schema wants a string here.\n');
  });

  it('helm reads 0800 as 800 and 1:30 as text: the renders agree with the findings', () => {
    const files = fleetFiles();
    files['platform-charts/web/templates/configmap.yaml'] =
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  zero: {{ .Values.image.repository | quote }}\n';
    const repo = createRepo(files);
    repo.commit('values', { 'services/shop/values-prod.yaml': 'replicaCount: 0800\nimage:\n  repository: 1:30\n' });
    const render = runCli(['render', '--env', 'prod', '--service', 'shop'], { cwd: repo.dir });
    expect(render.exitCode, render.stderr).toBe(0);
    expect(render.stdout).toContain('  replicas: 800\n');
    expect(render.stdout).toContain('  zero: "1:30"\n');

    const r = runCli(['lint', '--env', 'prod', '--service', 'shop'], { cwd: repo.dir });
    expect(r.stdout).toContain('services/shop/values-prod.yaml:1:15 error VALUES_YAML11_NUMBER 0800 is read as the number 800: helm drops the leading zero (YAML 1.1)\n  hint: Write 800: the chart\'s schema wants a number here.\n');
    // go-yaml v2 has no base-60 numbers: 1:30 is the string it looks like.
    expect(r.stdout).not.toContain('1:30');
    expect(r.stdout).not.toContain('image.repository');
    expect(r.exitCode).toBe(1);
  });

  it('check fails on it in one run', () => {
    const repo = createRepo(fleetFiles());
    repo.commit('octal', { 'services/shop/values-prod.yaml': 'replicaCount: 0700\n' });
    const r = runCli(['check', '--env', 'prod', '--service', 'shop'], { cwd: repo.dir, env });
    expect(r.stdout).toContain('services/shop/values-prod.yaml:1:15 error VALUES_YAML11_NUMBER 0700 is read as octal: helm renders 448');
    expect(r.exitCode, r.stderr).toBe(1);
  });
});

describe('counts and words', () => {
  it('the JSON summary counts what the text says, with the same words', () => {
    const repo = createRepo(fleetFiles());
    repo.commit('values', { 'services/shop/values-prod.yaml': 'replicaCount: 0700\nenvironment: on\n' });
    const r = runCli(['check', '--env', 'prod', '--service', 'shop', '--format', 'text', '--format', 'json=report.json'], { cwd: repo.dir, env });
    expect(r.exitCode, r.stderr).toBe(1);
    const report = JSON.parse(readFileSync(join(repo.dir, 'report.json'), 'utf8')) as {
      schemaVersion: number;
      summary: { applications: number; rendered: number; findings: number; errors: number; warnings: number; unchecked: number };
      findings: { severity: string }[];
    };
    const textLines = r.stdout.split('\n').filter((l) => / (error|warning) [A-Z0-9_]+ /.test(l));
    const textErrors = textLines.filter((l) => / error [A-Z0-9_]+ /.test(l)).length;
    const textWarnings = textLines.filter((l) => / warning [A-Z0-9_]+ /.test(l)).length;
    expect(textErrors).toBeGreaterThan(0);
    expect(textWarnings, r.stdout).toBeGreaterThan(0);
    expect(report.schemaVersion).toBe(2);
    expect(report.summary).toMatchObject({ applications: 1, findings: textLines.length, errors: textErrors, warnings: textWarnings });
    expect(new Set(report.findings.map((f) => f.severity))).toEqual(new Set(['error', 'warning']));
    // The summary line: singular where there is one, and the same totals.
    const summary = new RegExp(`^checked 1 application \\((\\d) rendered, \\d+/\\d+ resources? valid\\): ${textErrors} errors?, ${textWarnings} warnings? in [\\d.]+s$`, 'm');
    expect(r.stderr).toMatch(summary);
    expect(Number(summary.exec(r.stderr)![1])).toBe(report.summary.rendered);
  });
});

describe('one round', () => {
  it('values that break the schema still render: validate and policy findings come in the same check, helm refusal once', () => {
    const repo = createRepo(fleetFiles());
    repo.commit('bad', { 'services/shop/values-prod.yaml': 'replicaCount: many\n' });
    const r = runCli(['check', '--env', 'prod', '--service', 'shop'], { cwd: repo.dir, env });
    expect(r.exitCode, r.stderr).toBe(1);
    const lines = r.stdout.split('\n').filter((l) => / (error|warning) [A-Z0-9_]+ /.test(l));
    // The root cause first, once, without helm's copy of the values errors and without sending the team to another command.
    expect(lines[0]).toBe("services/shop/values-prod.yaml error HELM_TEMPLATE_FAILED shop-prod: helm refuses to render these values: they break the chart's values.schema.json (each error above, at its values line)");
    expect(lines.filter((l) => l.includes('HELM_TEMPLATE_FAILED'))).toHaveLength(1);
    expect(r.stdout).not.toContain('gitops lint');
    expect(r.stdout).not.toContain("at '/replicaCount'");
    expect(r.stdout).toContain('services/shop/values-prod.yaml:1:15 error VALUES_WRONG_TYPE replicaCount: string "many" where integer is expected');
    // The objects helm renders without its schema check are validated and put through policy in the same run.
    expect(r.stdout).toMatch(/ error MANIFEST_INVALID .*Deployment shop.*\/spec\/replicas/);
    expect(r.stdout).toMatch(/ (error|warning) POLICY_[A-Z_]+ shop-prod: /);
    // Argo CD would get no manifests: not counted as rendered.
    expect(r.stderr).toMatch(/checked 1 application \(0 rendered, /);
  });

  it('a render that fails for another reason says how to reproduce it, not to run lint', () => {
    const files = fleetFiles();
    files['platform-charts/web/templates/fail.yaml'] = '{{- if eq .Values.environment "broken" }}{{ fail "environment broken" }}{{ end }}\n';
    const repo = createRepo(files);
    repo.commit('broken', { 'services/shop/values-prod.yaml': 'environment: broken\n' });
    const r = runCli(['check', '--env', 'prod', '--service', 'shop'], { cwd: repo.dir, env });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^services\/shop\/values-prod\.yaml error HELM_TEMPLATE_FAILED shop-prod: helm template failed: .*environment broken/m);
    expect(r.stdout).toContain('hint: `gitops render --show-command` prints the helm command line to reproduce it.');
    expect(r.stdout).not.toContain('gitops lint');
  });
});

describe('no blame on others', () => {
  it('an Application that does not render makes no error on its callers; its failure comes first', { timeout: 600_000 }, () => {
    const repo = exampleFleetRepo();
    const file = join(repo.dir, 'services/api-gateway/values-prod.yaml');
    const prod = readFileSync(file, 'utf8');
    expect(prod).toContain('  minReplicas: 3\n  maxReplicas: 15\n');
    // A template failure (minimum above maximum), not a schema error: api-gateway-prod does not render.
    repo.write({ 'services/api-gateway/values-prod.yaml': prod.replace('  minReplicas: 3\n  maxReplicas: 15\n', '  minReplicas: 5\n  maxReplicas: 4\n') });
    // prod reads values at its config pin: the edit reaches it by promotion.
    promoteWorkTree(repo, 'api-gateway', 'prod');

    const r = runCli(['check', '--env', 'prod'], { cwd: repo.dir, env });
    expect(r.exitCode).toBe(1);
    const lines = r.stdout.split('\n').filter((l) => / (error|warning) [A-Z0-9_]+ /.test(l));
    expect(lines[0]).toMatch(/^services\/api-gateway\/values-prod\.yaml error HELM_TEMPLATE_FAILED api-gateway-prod: helm template failed: .*greater than autoscaling\.maxReplicas/);
    const consequences = lines.filter((l) => l.includes('POLICY_AUTHZ_PRINCIPAL_UNKNOWN'));
    expect(consequences.length).toBeGreaterThan(0);
    for (const line of consequences) {
      expect(line).toMatch(/ warning POLICY_AUTHZ_PRINCIPAL_UNKNOWN .*\(not checked: api-gateway-prod did not render\)$/);
    }
    expect(lines.filter((l) => / error /.test(l) && !l.includes('api-gateway'))).toEqual([]);
  });
});

describe('contracts between the Applications of an environment', () => {
  it('a Service port change that breaks a caller is reported at the change, naming the caller', { timeout: 600_000 }, () => {
    const repo = exampleFleetRepo();
    const file = join(repo.dir, 'services/orders/values-prod.yaml');
    const before = readFileSync(file, 'utf8');
    expect(before).not.toMatch(/^service:/m);
    repo.write({ 'services/orders/values-prod.yaml': `${before}\nservice:\n  port: 8081\n` });
    promoteWorkTree(repo, 'orders', 'prod');
    const line = before.split('\n').length + 2;

    const r = runCli(['check', '--env', 'prod', '--service', 'orders'], { cwd: repo.dir, env });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(
      `services/orders/values-prod.yaml:${line}:9 error POLICY_ROUTE_HOST_UNKNOWN orders-prod: Service orders: serves no port 80, which VirtualService api-gateway-edge of api-gateway-prod routes to (ports: 8081, 9090)`,
    );
    // The caller's own route is reported too when the caller is checked.
    const caller = runCli(['policy', '--env', 'prod', '--service', 'api-gateway'], { cwd: repo.dir, env });
    expect(caller.stdout).toMatch(/ error POLICY_ROUTE_HOST_UNKNOWN api-gateway-prod: VirtualService api-gateway-edge: routes to orders\.commerce\.svc\.cluster\.local:80, but Service orders of orders-prod has no port 80 \(it serves 8081, 9090\)/);
  });

  it('a route to a host no Service has fails', { timeout: 600_000 }, () => {
    const repo = exampleFleetRepo();
    const file = join(repo.dir, 'services/api-gateway/values.yaml');
    const before = readFileSync(file, 'utf8');
    repo.write({ 'services/api-gateway/values.yaml': before.replace('host: products.commerce.svc.cluster.local', 'host: product.commerce.svc.cluster.local') });
    promoteWorkTree(repo, 'api-gateway', 'prod');
    const r = runCli(['check', '--env', 'prod', '--service', 'api-gateway'], { cwd: repo.dir, env });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^services\/api-gateway\/values\.yaml:\d+:\d+ error POLICY_ROUTE_HOST_UNKNOWN api-gateway-prod: VirtualService api-gateway-edge: routes to product\.commerce\.svc\.cluster\.local:80, but no Application of prod renders a Service product\.commerce\.svc\.cluster\.local/m);
  });
});

describe('NetworkPolicies of caller and callee agree', () => {
  it('an ingress that stops admitting a caller is reported at the change, naming the caller, and at the caller\'s egress', { timeout: 600_000 }, () => {
    const repo = exampleFleetRepo();
    const file = join(repo.dir, 'services/auth/values.yaml');
    const before = readFileSync(file, 'utf8');
    const admitted = '  ingress:\n    - namespace: edge\n      service: api-gateway\n    - namespace: commerce\n';
    expect(before).toContain(admitted);
    repo.write({ 'services/auth/values.yaml': before.replace(admitted, '  ingress:\n    - namespace: commerce\n') });
    promoteWorkTree(repo, 'auth', 'prod');
    const line = before.slice(0, before.indexOf(admitted)).split('\n').length + 1;

    const r = runCli(['check', '--env', 'prod', '--service', 'auth'], { cwd: repo.dir, env });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(
      `services/auth/values.yaml:${line}:18 error POLICY_NETWORK_EGRESS_DENIED auth-prod: NetworkPolicy auth: does not admit Deployment api-gateway of api-gateway-prod (namespace edge) on port 8080, which NetworkPolicy api-gateway lets it send to Deployment auth`,
    );
    const caller = runCli(['policy', '--env', 'prod', '--service', 'api-gateway'], { cwd: repo.dir, env });
    expect(caller.stdout).toMatch(/^services\/api-gateway\/values\.yaml:\d+:\d+ error POLICY_NETWORK_EGRESS_DENIED api-gateway-prod: NetworkPolicy api-gateway: egress to Deployment auth \(namespace identity\) on port 8080 is not admitted by its ingress \(NetworkPolicy auth of auth-prod\): the connection is dropped/m);
  });
});

describe('values that do nothing', () => {
  it('an image tag the release pin overrides and replicas an HPA manages are warnings at their lines', { timeout: 600_000 }, () => {
    const repo = exampleFleetRepo();
    const file = join(repo.dir, 'services/orders/values-prod.yaml');
    const before = readFileSync(file, 'utf8');
    expect(before).toMatch(/^autoscaling:\n {2}enabled: true\n/m);
    repo.write({ 'services/orders/values-prod.yaml': `${before}\nreplicas: 4\nimage:\n  tag: "9.9.9"\n` });
    promoteWorkTree(repo, 'orders', 'prod');
    const line = before.split('\n').length + 1;

    const r = runCli(['check', '--env', 'prod', '--service', 'orders'], { cwd: repo.dir, env });
    expect(r.stdout).toContain(
      `services/orders/values-prod.yaml:${line}:1 warning VALUES_NO_EFFECT replicas does nothing in orders-prod: HorizontalPodAutoscaler orders manages the replicas of Rollout orders, which the chart renders without spec.replicas`,
    );
    expect(r.stdout).toMatch(new RegExp(`^services/orders/values-prod\\.yaml:${line + 2}:3 warning VALUES_NO_EFFECT image\\.tag does nothing in orders-prod: the Application's helm parameter image\\.tag \\(services/orders/service\\.yaml:9\\) overrides it$`, 'm'));
    expect(r.stdout).toContain('hint: Remove it: the image tag is the release pinned in service.yaml, moved by promotion.');
    // Warnings only: the pin still wins, nothing is broken.
    expect(r.exitCode, r.stdout).toBe(0);
  });
});

describe('exact provenance: each finding at the line that set the field', () => {
  it('a value whose key differs from the field it sets is found by rendering with markers', { timeout: 600_000 }, () => {
    const repo = exampleFleetRepo();
    const file = join(repo.dir, 'services/orders/values-prod.yaml');
    const before = readFileSync(file, 'utf8');
    expect(before).not.toMatch(/^mesh:/m);
    repo.write({ 'services/orders/values-prod.yaml': `${before}\nmesh:\n  mtlsMode: PERMISSIVE\n` });
    promoteWorkTree(repo, 'orders', 'prod');
    const line = before.split('\n').length + 2;

    const r = runCli(['check', '--env', 'prod', '--service', 'orders'], { cwd: repo.dir, env });
    expect(r.exitCode).toBe(1);
    // mesh.mtlsMode becomes spec.mtls.mode: no key name in common, so only the marker render can tell.
    expect(r.stdout).toContain(
      `services/orders/values-prod.yaml:${line}:13 error POLICY_MTLS_NOT_STRICT orders-prod: PeerAuthentication orders: sets mTLS mode PERMISSIVE for the pods of Rollout orders (rendered by platform-charts/microservice/templates/peerauthentication.yaml)\n`,
    );
    expect(r.stdout).not.toContain('matched by value');
  });

  const shop = (template: (text: string) => string, prodImage: string) => {
    const files = fleetFiles();
    const repo = createRepo({
      ...files,
      'platform-charts/web/templates/deployment.yaml': template(files['platform-charts/web/templates/deployment.yaml']!),
      'services/shop/service.yaml': files['services/shop/service.yaml']!.replace('image: "1.9.0"', `image: "${prodImage}"`),
    });
    return { ...runCli(['check', '--env', 'prod', '--service', 'shop'], { cwd: repo.dir, env }), template: readFileSync(join(repo.dir, 'platform-charts/web/templates/deployment.yaml'), 'utf8').split('\n') };
  };
  const imageLine = 'image: "{{ .Values.image.repository }}:{{ required "image.tag is set by the release pin" .Values.image.tag }}"';

  it('a value the template changes is still found, and the finding says the template transforms it', () => {
    const r = shop((t) => t.replace(imageLine, 'image: "{{ .Values.image.repository }}:{{ .Values.image.tag | lower }}"'), 'LATEST');
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^services\/shop\/service\.yaml:\d+:\d+ error POLICY_IMAGE_NOT_PINNED shop-prod: Deployment shop: container app image "registry\.example\.com\/commerce\/shop:latest" uses the moving tag :latest \(from image\.tag, which the template transforms; rendered by platform-charts\/web\/templates\/deployment\.yaml\)$/m);
  });

  it('where the template hides the value the line is matched by value, and says so', () => {
    // trunc 6 cuts the marker but leaves "latest" as it is.
    const r = shop((t) => t.replace(imageLine, 'image: "{{ .Values.image.repository }}:{{ .Values.image.tag | trunc 6 }}"'), 'latest');
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^services\/shop\/service\.yaml:\d+:\d+ error POLICY_IMAGE_NOT_PINNED .*\(values line matched by value: the template does not pass it through; rendered by platform-charts\/web\/templates\/deployment\.yaml\)$/m);
  });

  it('a boolean, which holds no marker, is found by flipping the values that may set it', () => {
    const files = fleetFiles();
    const schema = JSON.parse(files['platform-charts/web/values.schema.json']!) as { properties: Record<string, unknown> };
    schema.properties.isolated = { type: 'boolean' };
    schema.properties.debug = { type: 'boolean' };
    const repo = createRepo({
      ...files,
      'platform-charts/web/values.schema.json': JSON.stringify(schema, null, 2),
      'platform-charts/web/values.yaml': `${files['platform-charts/web/values.yaml']}isolated: true\ndebug: false\n`,
      // Neither the key nor the value matches the field: hostNetwork is the negation of isolated.
      'platform-charts/web/templates/deployment.yaml': files['platform-charts/web/templates/deployment.yaml']!.replace('      containers:\n', '      hostNetwork: {{ not .Values.isolated }}\n      containers:\n'),
      'services/shop/values-prod.yaml': 'replicaCount: 3\ndebug: false\nisolated: false\n',
    });
    const r = runCli(['check', '--env', 'prod', '--service', 'shop'], { cwd: repo.dir, env });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^services\/shop\/values-prod\.yaml:3:11 error POLICY_HOST_NAMESPACE shop-prod: Deployment shop: .*\(rendered by platform-charts\/web\/templates\/deployment\.yaml\)$/m);
  });

  it('a field the template writes itself is reported at its line in the template', () => {
    const r = shop((t) => t.replace('      containers:\n', '      hostNetwork: true\n      containers:\n'), '1.9.0');
    expect(r.exitCode).toBe(1);
    const { template } = r;
    const hostNetwork = template.findIndex((l) => l.trim() === 'hostNetwork: true') + 1;
    expect(r.stdout).toMatch(new RegExp(`^platform-charts/web/templates/deployment\\.yaml:${hostNetwork}:7 error POLICY_HOST_NAMESPACE `, 'm'));
    // A missing field: at the list the template writes it in.
    const containers = template.findIndex((l) => l.trim() === 'containers:') + 1;
    expect(r.stdout).toContain(`platform-charts/web/templates/deployment.yaml:${containers}:7 error POLICY_RUN_AS_ROOT shop-prod: Deployment shop: container app may run as root: runAsNonRoot is not set\n`);
  });
});
