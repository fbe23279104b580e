// Types of differential.mjs, for the test that imports it.
export const KUBERNETES_VERSION: string;
export interface Mutant {
  name: string;
  mutation: string;
  text: string;
}
export interface Judged {
  status: string;
  paths: string[];
  groups?: string[];
}
export interface Judgement {
  builtin: { byFile?: Map<string, Judged[]>; aborted?: string };
  engine: { byFile?: Map<string, Judged[]>; aborted?: string };
  binary: Map<string, Judged[]>;
}
export interface Difference {
  file: string;
  mutation: string;
  why: string;
  text: string;
}
export interface Comparison {
  aborted?: string;
  objects: number;
  agreeing: number;
  deliberate: Difference[];
  undocumented: Difference[];
  byMutation: Record<string, { objects: number; agreeing: number }>;
  engineAborted?: string;
}
export const ODD_SCALARS: string[];
export const DELIBERATE: { id: string; why: string }[];
export function rng(seed: number): { next(): number; int(n: number): number; pick<T>(list: readonly T[]): T };
export function seedObjects(dirs: readonly string[]): Record<string, unknown>[];
export function mutants(seeds: readonly Record<string, unknown>[], options?: { seed?: number; count?: number }): Mutant[];
export function writeMutants(list: readonly Mutant[], dir: string): void;
export function judge(dir: string, options: { cli?: string; kubeconform?: string; schemaDir: string; cacheDir: string; env?: NodeJS.ProcessEnv }): Judgement;
export function compare(list: readonly Mutant[], judged: Judgement): Comparison;
