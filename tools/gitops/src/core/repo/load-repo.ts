import { posix } from 'node:path';
import { ConfigError } from '../errors.js';
import { normalizeKubeVersion } from '../render/plan.js';
import type { Finding } from '../findings.js';
import { validateOwnFile } from '../schema/schema-store.js';
import { parseYamlDocs, parseYamlMapping, locate, type YamlDoc } from '../yaml/parse-yaml.js';
import { APPSET_DIR, CONFIG_FILE, type Environment, type GitopsConfig, type RepoModel, type Service } from './model.js';
import { FileRefusedError, refusalFinding, type Snapshot } from './snapshot.js';
import { validateAppSetFile } from './validate-appsets.js';

const ENV_FILE = /^environments\/([^/]+)\/environment\.yaml$/;
const SERVICE_FILE = /^services\/([^/]+)\/service\.yaml$/;
const APPSET_FILE = new RegExp(`^${APPSET_DIR}/[^/]+\\.ya?ml$`);

/**
 * Reads and parses the repository's own files once. Content problems become findings.
 * `settings`: gitops.yaml and the environments alone (no services, no ApplicationSets), for
 * a command that reads nothing else, such as `validate` on manifest files.
 */
export async function loadRepo(snapshot: Snapshot, scope: 'all' | 'settings' = 'all'): Promise<RepoModel> {
  const files = await snapshot.listFiles();
  const wanted = files.filter((f) => f === CONFIG_FILE || ENV_FILE.test(f) || (scope === 'all' && (SERVICE_FILE.test(f) || APPSET_FILE.test(f))));
  const reads = await snapshot.readFilesChecked(wanted);
  const findings: Finding[] = [];
  const cache = new Map<string, { docs: YamlDoc[]; findings: Finding[] }>();
  const texts = new Map<string, string>();
  for (const [file, read] of reads) {
    if (read.kind === 'text') texts.set(file, read.text);
    else if (read.kind === 'refused') {
      if (file === CONFIG_FILE) throw new FileRefusedError(read.refusal);
      findings.push(refusalFinding(read.refusal));
      cache.set(file, { docs: [], findings: [refusalFinding(read.refusal)] });
    }
  }

  const configText = texts.get(CONFIG_FILE);
  if (configText === undefined) {
    throw new ConfigError('CONFIG_NOT_FOUND', `${CONFIG_FILE} not found in ${snapshot.label}`, {
      hint: `Run gitops at the root of the platform repository, or pass --repo DIR. The file names the repoURL Argo CD uses for this repository.`,
    });
  }
  const config = parseConfig(configText);

  const environments = new Map<string, Environment>();
  const services = new Map<string, Service>();
  const appSets: YamlDoc[] = [];

  for (const file of wanted) {
    const text = texts.get(file);
    if (text === undefined || file === CONFIG_FILE) continue;
    const envMatch = ENV_FILE.exec(file);
    const svcMatch = SERVICE_FILE.exec(file);
    if (envMatch) {
      const { doc, findings: parsed } = parseYamlMapping(file, text);
      findings.push(...parsed);
      if (!doc) continue;
      cache.set(file, { docs: [doc], findings: [] });
      const problems = validateOwnFile(doc, 'environment', 'ENVIRONMENT_SCHEMA');
      problems.push(...nameMatchesDir(doc, envMatch[1]!, 'ENVIRONMENT_SCHEMA', 'environments'));
      findings.push(...problems);
      if (problems.length === 0) environments.set(envMatch[1]!, toEnvironment(doc));
    } else if (svcMatch) {
      const { doc, findings: parsed } = parseYamlMapping(file, text);
      findings.push(...parsed);
      if (!doc) continue;
      cache.set(file, { docs: [doc], findings: [] });
      const problems = validateOwnFile(doc, 'service', 'SERVICE_SCHEMA');
      problems.push(...nameMatchesDir(doc, svcMatch[1]!, 'SERVICE_SCHEMA', 'services'));
      findings.push(...problems);
      if (problems.length === 0) services.set(svcMatch[1]!, toService(doc, posix.dirname(file)));
    } else {
      const checked = validateAppSetFile(file, text);
      findings.push(...checked.findings);
      appSets.push(...checked.appSets);
    }
  }

  for (const service of services.values()) {
    for (const env of Object.keys(service.releases)) {
      if (!environments.has(env)) {
        findings.push({
          code: 'SERVICE_SCHEMA',
          severity: 'error',
          message: `releases.${env}: there is no environment "${env}" (known: ${[...environments.keys()].sort().join(', ')})`,
          hint: `Fix the name, or add environments/${env}/environment.yaml.`,
          location: locate(service.doc, ['releases', env], 'key'),
          service: service.name,
        });
      }
    }
  }

  const fileSet = new Set(files);
  return {
    snapshot,
    config,
    files,
    environments,
    services,
    appSets,
    findings,
    async readYaml(path) {
      const hit = cache.get(path);
      if (hit) return hit;
      if (!fileSet.has(path)) return undefined;
      const read = (await snapshot.readFilesChecked([path])).get(path);
      if (!read || read.kind === 'missing') return undefined;
      if (read.kind === 'refused') return { docs: [], findings: [refusalFinding(read.refusal)] };
      const parsed = parseYamlDocs(path, read.text);
      cache.set(path, parsed);
      return parsed;
    },
  };
}

function parseConfig(text: string): GitopsConfig {
  const { doc, findings } = parseYamlMapping(CONFIG_FILE, text);
  const problems = doc ? validateOwnFile(doc, 'gitops-config', 'CONFIG_SCHEMA') : findings;
  if (!doc || problems.length > 0) {
    const first = problems[0]!;
    throw new ConfigError('CONFIG_INVALID', `${CONFIG_FILE}:${first.location?.line ?? 1}: ${first.message}`, {
      hint: 'See tools/gitops/schemas/gitops-config.schema.json for the settings.',
    });
  }
  const data = doc.data as Partial<Omit<GitopsConfig, 'charts'>> & { repoURL: string; charts?: { registry: string; dir?: string } };
  const charts = data.charts && {
    registry: data.charts.registry,
    repoURL: data.charts.registry.replace(/^oci:\/\//, ''),
    dir: (data.charts.dir ?? 'platform-charts').replace(/\/+$/, ''),
  };
  return { repoURL: data.repoURL, defaultBranch: data.defaultBranch ?? 'main', newGitFileGlobbing: data.newGitFileGlobbing ?? false, schemaDir: data.schemaDir, schemas: data.schemas, charts, owners: data.owners };
}

function nameMatchesDir(doc: YamlDoc, dirName: string, code: Finding['code'], parent: string): Finding[] {
  const name = (doc.data as { name?: unknown }).name;
  if (name === undefined || name === dirName) return [];
  return [
    {
      code,
      severity: 'error',
      message: `name "${String(name)}" does not match its directory ${parent}/${dirName}`,
      hint: `Rename the directory or set name: ${dirName}.`,
      location: locate(doc, ['name']),
    },
  ];
}

function toEnvironment(doc: YamlDoc): Environment {
  const d = doc.data as {
    name: string;
    cluster: { name: string; server: string };
    kubernetesVersion: string;
    apiVersions?: string[];
    mesh?: 'istio' | 'none';
    policyProfile?: 'baseline' | 'restricted';
    promotion?: { from: string; soak?: string; freeze?: { from: string; until: string; reason?: string }[] };
  };
  return {
    name: d.name,
    cluster: d.cluster,
    // As Argo CD hands it to helm (v and distribution suffix dropped), and as schemas are named.
    kubernetesVersion: normalizeKubeVersion(d.kubernetesVersion) ?? d.kubernetesVersion,
    apiVersions: d.apiVersions ?? [],
    mesh: d.mesh ?? 'istio',
    policyProfile: d.policyProfile ?? 'restricted',
    promotionFrom: d.promotion?.from,
    promotion: d.promotion && { from: d.promotion.from, soak: d.promotion.soak, freeze: d.promotion.freeze ?? [] },
    doc,
  };
}

function toService(doc: YamlDoc, dir: string): Service {
  const d = doc.data as Omit<Service, 'dir' | 'doc'>;
  return { name: d.name, team: d.team, chart: d.chart, releases: d.releases, dir, doc };
}
