import type { Finding } from '../findings.js';
import type { YamlDoc } from '../yaml/parse-yaml.js';
import type { Snapshot } from './snapshot.js';

/** gitops.yaml */
export interface GitopsConfig {
  /** The URL Argo CD knows this repository by. */
  repoURL: string;
  /** Branch Argo CD tracks for this repository's HEAD sources. */
  defaultBranch: string;
  /** Argo CD's new git file globbing (doublestar) for the files generator. */
  newGitFileGlobbing: boolean;
  /** Directory of the Kubernetes and CRD JSON schemas, relative to the repository root. */
  schemaDir?: string;
  /** Where else Kubernetes and CRD schemas come from: offline mirrors, and the download locations (false: none). */
  schemas?: { mirrors?: string[]; download?: boolean | string[] };
  /** Where chart sources live and where released versions are published. */
  charts?: ChartsConfig;
  /** CODEOWNERS handles of the platform team and the release managers; inferred from CODEOWNERS when absent. */
  owners?: { platform?: string[]; release?: string[] };
}

/** gitops.yaml `charts`. */
export interface ChartsConfig {
  /** oci://<host>/<path>: the registry `gitops chart release` publishes to. */
  registry: string;
  /** The registry as Argo CD's Helm OCI sources name it: <host>/<path>, no scheme. */
  repoURL: string;
  /** Chart sources, repository-relative (platform-charts). */
  dir: string;
}

/** environments/<name>/environment.yaml */
export interface Environment {
  name: string;
  cluster: { name: string; server: string };
  kubernetesVersion: string;
  /** Cluster API versions beyond the built-in ones, passed as --api-versions. */
  apiVersions: string[];
  mesh: 'istio' | 'none';
  policyProfile: 'baseline' | 'restricted';
  promotionFrom?: string;
  /** environment.yaml `promotion`: the source and the gates of promotions into this environment. */
  promotion?: PromotionSettings;
  doc: YamlDoc;
}

/** environment.yaml `promotion`. */
export interface PromotionSettings {
  /** The environment releases are promoted from. */
  from: string;
  /** How long a release must have run in the source before it is promoted here (e.g. 24h, 3d). */
  soak?: string;
  /** Windows in which nothing is promoted here. */
  freeze: FreezeWindow[];
}

/** A time window closed to promotions, [from, until). */
export interface FreezeWindow {
  /** ISO 8601 date-time (or date, UTC midnight). */
  from: string;
  until: string;
  reason?: string;
}

export interface Release {
  chart: string;
  image: string;
  /** The commit this environment reads the service's values files at; none: the default branch. */
  config?: string;
}

/** services/<name>/service.yaml */
export interface Service {
  name: string;
  team: string;
  chart: string;
  /** Environment name -> pinned release. */
  releases: Record<string, Release>;
  /** services/<name> */
  dir: string;
  doc: YamlDoc;
}

/** The repository at one snapshot, parsed once with positions. */
export interface RepoModel {
  snapshot: Snapshot;
  config: GitopsConfig;
  files: readonly string[];
  environments: Map<string, Environment>;
  services: Map<string, Service>;
  /** Documents of argocd/applicationsets/*.yaml whose kind is ApplicationSet. */
  appSets: YamlDoc[];
  /** Problems found while loading: each file is reported once, here. */
  findings: Finding[];
  /** Parses a YAML file of the snapshot (cached); undefined when it does not exist. */
  readYaml(path: string): Promise<{ docs: YamlDoc[]; findings: Finding[] } | undefined>;
}

export const CONFIG_FILE = 'gitops.yaml';
export const APPSET_DIR = 'argocd/applicationsets';
