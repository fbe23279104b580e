/**
 * The ApplicationSet controller's own parameter and template code, run as WebAssembly
 * (appset-wasm/, built by scripts/build-appset-wasm.mjs): Go's text/template with Argo CD's
 * sprig function map, fasttemplate, sigs.k8s.io/yaml and the flattening post-selectors see.
 * Re-implementing Go templates here could only approximate what Argo CD renders.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { InternalError } from '../errors.js';

/** One parameter set, kept by the engine with its Go types; `params` is its JSON view. */
export interface EngineParamSet {
  id: number;
  params: Record<string, unknown>;
}

/** A rendered template string, or Argo CD's error for it. */
export interface EngineRenderResult {
  text: string;
  /** Parameter paths the template read, e.g. ["releases","prod","chart"]. */
  reads?: string[][];
  error?: string;
}

export interface GitFilesRequest {
  repoURL: string;
  files: { path: string; content: string }[];
  values?: Record<string, string>;
  goTemplate: boolean;
  options: string[];
  pathParamPrefix?: string;
}

export interface GitDirectoriesRequest {
  paths: string[];
  values?: Record<string, string>;
  goTemplate: boolean;
  options: string[];
  pathParamPrefix?: string;
}

export interface ListRequest {
  elements: unknown[];
  elementsYaml?: string;
  goTemplate: boolean;
}

export interface AppSetEngine {
  /** Forgets parameter sets once their ApplicationSet is expanded. */
  release(ids: number[]): void;
  gitFiles(req: GitFilesRequest): { sets: EngineParamSet[] } | { error: string };
  gitDirectories(req: GitDirectoriesRequest): { sets: EngineParamSet[] } | { error: string };
  list(req: ListRequest): { sets: EngineParamSet[] } | { error: string };
  /** The labels a post-selector matches: leaf keys joined with dots, values as Go's %v. */
  flatten(id: number): { labels: Record<string, string> } | { error: string };
  render(id: number, goTemplate: boolean, options: string[], templates: string[]): EngineRenderResult[];
}

const WASM_DIR = new URL('../../../dist/wasm/', import.meta.url);

/** The parts of Node's WebAssembly and Go's loader used here (the DOM typings are not loaded). */
interface WasmGlobals {
  Go: new () => { importObject: object; run(instance: object): Promise<void> };
  WebAssembly: { instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: object }> };
}

let loading: Promise<AppSetEngine> | undefined;

/** Loads the engine once per process. */
export function loadAppSetEngine(): Promise<AppSetEngine> {
  loading ??= instantiate();
  return loading;
}

async function instantiate(): Promise<AppSetEngine> {
  const wasmPath = fileURLToPath(new URL('appset.wasm', WASM_DIR));
  const loaderPath = fileURLToPath(new URL('wasm_exec.cjs', WASM_DIR));
  if (!existsSync(wasmPath) || !existsSync(loaderPath)) {
    throw new InternalError('INTERNAL', `the ApplicationSet engine is not built (${wasmPath} is missing)`, {
      hint: 'Run `npm ci` (or `node tools/gitops/scripts/build-appset-wasm.mjs`); it needs Go >= 1.26.',
    });
  }
  createRequire(import.meta.url)(loaderPath);
  const { Go, WebAssembly: wasm } = globalThis as unknown as WasmGlobals;
  const go = new Go();
  const { instance } = await wasm.instantiate(readFileSync(wasmPath), go.importObject);
  // run() returns when the module exits; main() blocks after registering gitopsAppset.
  void go.run(instance);
  const call = (globalThis as unknown as { gitopsAppset?: (op: string, json: string) => string }).gitopsAppset;
  if (!call) throw new InternalError('INTERNAL', 'the ApplicationSet engine did not start');

  const invoke = <T>(op: string, request: unknown): T => {
    const response = JSON.parse(call(op, JSON.stringify(request))) as T & { internalError?: string };
    if (response.internalError) throw new InternalError('INTERNAL', `ApplicationSet engine (${op}): ${response.internalError}`);
    return response;
  };
  return {
    release: (ids) => void invoke('release', { ids }),
    gitFiles: (req) => invoke('gitFiles', req),
    gitDirectories: (req) => invoke('gitDirectories', req),
    list: (req) => invoke('list', req),
    flatten: (id) => invoke('flatten', { id }),
    render: (id, goTemplate, options, templates) => invoke<{ results: EngineRenderResult[] }>('render', { id, goTemplate, options, templates }).results,
  };
}
