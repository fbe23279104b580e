/**
 * The largest file the tool reads, per role, checked before a byte is read or parsed. A
 * person's YAML is a few kilobytes; a 50 MiB values file is a mistake or an attack, and
 * parsing it costs gigabytes of heap. Chart files may be larger (bundled dashboards, CRDs).
 */
export type FileRole = 'config' | 'service' | 'environment' | 'values' | 'appset' | 'project' | 'waivers' | 'chart' | 'other';

const KiB = 1024;
const MiB = 1024 * KiB;

export const FILE_LIMITS: Readonly<Record<FileRole, number>> = {
  config: 256 * KiB,
  service: 256 * KiB,
  environment: 256 * KiB,
  values: 1 * MiB,
  appset: 1 * MiB,
  project: 1 * MiB,
  waivers: 1 * MiB,
  chart: 5 * MiB,
  other: 5 * MiB,
};

const ROLES: [RegExp, FileRole][] = [
  [/^gitops\.ya?ml$/, 'config'],
  [/^services\/[^/]+\/service\.ya?ml$/, 'service'],
  [/^environments\/[^/]+\/environment\.ya?ml$/, 'environment'],
  [/^(services\/[^/]+\/values(-[^/]+)?|environments\/[^/]+\/values)\.ya?ml$/, 'values'],
  [/^(services\/[^/]+|environments)\/waivers\.ya?ml$/, 'waivers'],
  [/^argocd\/applicationsets\//, 'appset'],
  [/^argocd\/projects\//, 'project'],
  [/^platform-charts\//, 'chart'],
];

/** The role of a repository file, by its path. */
export function fileRole(path: string): FileRole {
  return ROLES.find(([re]) => re.test(path))?.[1] ?? 'other';
}

export function maxBytesFor(path: string): number {
  return FILE_LIMITS[fileRole(path)];
}

/** "1 MiB", "256 KiB". */
export function formatBytes(bytes: number): string {
  return bytes >= MiB && bytes % MiB === 0 ? `${bytes / MiB} MiB` : bytes >= KiB ? `${Math.round(bytes / KiB)} KiB` : `${bytes} bytes`;
}
