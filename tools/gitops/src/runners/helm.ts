import { existsSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { ExternalToolError, UsageError } from '../core/errors.js';
import { toolRoot } from '../paths.js';
import { ValueStore } from '../value-store.js';
import { exec, lastLines } from './exec.js';
import { HelmServerPool } from './helm-server.js';

interface HelmPin {
  version: string;
  goInstall: string;
}

export function readHelmPin(): HelmPin {
  return JSON.parse(readFileSync(join(toolRoot, 'helm-pin.json'), 'utf8')) as HelmPin;
}

/** How helm reaches an OCI registry. */
export interface RegistryAccess {
  /** Plain HTTP, for a registry without TLS (a local test registry). */
  plainHttp: boolean;
  /** helm's registry config file (credentials from `helm registry login`). */
  config?: string;
}

function registryHint(ref: string): string {
  const host = ref.replace(/^oci:\/\//, '').split('/')[0];
  return `Check that ${host} is reachable and that you are logged in (\`helm registry login ${host}\`, or HELM_REGISTRY_CONFIG pointing at a registry config); a registry without TLS needs --plain-http.`;
}

export interface HelmTemplateResult {
  ok: boolean;
  stdout: string;
  /** helm's error, `Error: ` prefix removed, when ok is false. */
  error: string;
  /** helm reports a dependency listed in Chart.yaml but absent from charts/. */
  missingDependency: boolean;
}

/**
 * How `helm template` runs: `binary` starts the helm binary per render; `server` sends each
 * render to a pool of long-lived helm-renderer processes (tools/helm-renderer: helm's own
 * commands on the Helm SDK at the pinned version), which saves helm's start-up per
 * Application. The binary is the reference the renderer is tested against.
 */
export type HelmRendererMode = 'binary' | 'server';

/** The renderer built by `npm ci` where Go is installed (scripts/build-helm-renderer.mjs). */
export function rendererPath(version: string): string {
  return join(toolRoot, '.helm', version, 'helm-renderer');
}

const TIMEOUT_MS = 120_000;

/**
 * The helm binary at the pinned version, with its own empty HELM_*_HOME so that a user's
 * repositories, plugins and registry logins cannot change a render (Argo CD's repo-server
 * does the same with a temporary helm home).
 */
export class HelmRunner {
  private constructor(
    readonly bin: string,
    readonly version: string,
    private readonly home: string,
    private readonly server: HelmServerPool | undefined,
  ) {}

  get renderer(): HelmRendererMode {
    return this.server ? 'server' : 'binary';
  }

  /** Stops the renderer processes now rather than when they fall idle or the CLI exits. */
  close(): void {
    this.server?.stop();
  }

  /**
   * Finds helm (GITOPS_HELM_BIN, then the installed pin, then PATH) and checks its version:
   * once per binary file, remembered in `cacheDir` by its path, size, inode and times (a
   * rebuilt, replaced or chmod-ed binary is asked again). helm's home is `cacheDir/helm-home`.
   */
  static async locate(options: { cacheDir: string; env?: NodeJS.ProcessEnv }): Promise<HelmRunner> {
    const env = options.env ?? process.env;
    const helmHome = join(options.cacheDir, 'helm-home');
    const versions = new ValueStore<string>(options.cacheDir, 'tool-versions');
    const pin = readHelmPin();
    const bundled = join(toolRoot, '.helm', pin.version, 'helm');
    const fix = `Run \`npm ci\` (installs helm ${pin.version}), or \`go install ${pin.goInstall}\` and put it on PATH, or set GITOPS_HELM_BIN to a helm ${pin.version} binary.`;

    const candidates: { bin: string; origin: string }[] = [];
    if (env.GITOPS_HELM_BIN) candidates.push({ bin: env.GITOPS_HELM_BIN, origin: 'GITOPS_HELM_BIN' });
    else {
      if (existsSync(bundled)) candidates.push({ bin: bundled, origin: 'the installed pin' });
      candidates.push({ bin: 'helm', origin: 'PATH' });
    }

    let mismatch: string | undefined;
    for (const { bin, origin } of candidates) {
      const version = await helmVersion(bin, env, versions);
      if (version === undefined) continue;
      if (version === pin.version) return new HelmRunner(bin, version, helmHome, chooseRenderer(env, pin.version));
      mismatch ??= `helm from ${origin} (${bin}) is ${version}, the pinned version is ${pin.version}`;
    }
    if (mismatch) throw new ExternalToolError('HELM_VERSION_MISMATCH', mismatch, { hint: fix });
    const where = env.GITOPS_HELM_BIN ? `GITOPS_HELM_BIN=${env.GITOPS_HELM_BIN} cannot be run` : `helm ${pin.version} is not installed`;
    throw new ExternalToolError('HELM_NOT_FOUND', where, { hint: fix });
  }

  private env(): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      HOME: this.home,
      HELM_CACHE_HOME: join(this.home, 'cache'),
      HELM_CONFIG_HOME: join(this.home, 'config'),
      HELM_DATA_HOME: join(this.home, 'data'),
    };
  }

  /** Runs helm with a full `template …` argument list (see buildHelmArgs). */
  async template(chartDir: string, args: readonly string[]): Promise<HelmTemplateResult> {
    const r = this.server ? await this.server.run(chartDir, args, this.env(), this.bin) : await exec(this.bin, [...args], { cwd: chartDir, env: this.env(), timeoutMs: TIMEOUT_MS });
    if (r.exitCode === 0) return { ok: true, stdout: r.stdout, error: '', missingDependency: false };
    this.assertNotCrashed(r.stderr, r.exitCode, 'template');
    const error = cleanError(r.stderr);
    return { ok: false, stdout: '', error, missingDependency: /missing in charts\/ directory|found in Chart\.yaml, but missing/.test(error) };
  }

  /** `helm dependency build`; returns helm's error text, or undefined on success. */
  async dependencyBuild(chartDir: string): Promise<string | undefined> {
    // Once per chart and revision: the binary is fast enough, and it writes charts/.
    const r = await exec(this.bin, ['dependency', 'build', '--skip-refresh'], { cwd: chartDir, env: this.env(), timeoutMs: TIMEOUT_MS });
    if (r.exitCode === 0) return undefined;
    this.assertNotCrashed(r.stderr, r.exitCode, 'dependency build');
    return cleanError(r.stderr);
  }

  /**
   * `helm lint .` in a chart directory (dependencies built) with extra flags (`--values`,
   * `--kube-version`); helm's report on stdout, and whether it found errors.
   */
  async lint(chartDir: string, args: readonly string[]): Promise<{ ok: boolean; stdout: string }> {
    const r = await exec(this.bin, ['lint', '.', ...args], { cwd: chartDir, env: this.env(), timeoutMs: TIMEOUT_MS });
    if (r.exitCode !== 0) this.assertNotCrashed(r.stderr, r.exitCode, 'lint');
    return { ok: r.exitCode === 0, stdout: r.stdout };
  }

  /** `helm package` of a chart directory into `destDir`; the package path, or helm's error. */
  async package(chartDir: string, destDir: string): Promise<{ file: string } | { error: string }> {
    const r = await exec(this.bin, ['package', '.', '--destination', destDir], { cwd: chartDir, env: this.env(), timeoutMs: 120_000 });
    if (r.exitCode !== 0) {
      this.assertNotCrashed(r.stderr, r.exitCode, 'package');
      return { error: cleanError(r.stderr) };
    }
    // "Successfully packaged chart and saved it to: <path>"
    const file = /saved it to: (.+\.tgz)\s*$/m.exec(r.stdout)?.[1];
    if (!file) throw new ExternalToolError('HELM_FAILED', 'helm package did not say where it saved the package', { cmd: `${this.bin} package`, stderr: lastLines(r.stdout + r.stderr) });
    return { file };
  }

  /**
   * `helm pull oci://… --version V` into `destDir`, as Argo CD's repo-server pulls a Helm OCI
   * chart. `notFound` when the registry has no such version; other failures throw (exit 2).
   */
  async pull(ref: string, version: string, destDir: string, registry: RegistryAccess): Promise<{ file: string } | { notFound: string }> {
    const args = ['pull', ref, '--version', version, '--destination', destDir, ...(registry.plainHttp ? ['--plain-http'] : [])];
    const r = await exec(this.bin, args, { cwd: destDir, env: this.registryEnv(registry), timeoutMs: 120_000 });
    if (r.exitCode === 0) {
      const name = `${ref.split('/').pop()}-${version}.tgz`;
      return { file: join(destDir, name) };
    }
    this.assertNotCrashed(r.stderr, r.exitCode, 'pull');
    const error = cleanError(r.stderr);
    if (/not found|manifest unknown|name unknown|404/i.test(error)) return { notFound: error };
    throw new ExternalToolError('HELM_REGISTRY_FAILED', `helm pull ${ref} --version ${version} failed: ${error}`, {
      cmd: `helm ${args.join(' ')}`,
      exitCode: r.exitCode,
      stderr: lastLines(r.stderr),
      hint: registryHint(ref),
    });
  }

  /** `helm push <package> oci://…`. */
  async push(file: string, remote: string, registry: RegistryAccess): Promise<void> {
    const args = ['push', file, remote, ...(registry.plainHttp ? ['--plain-http'] : [])];
    const r = await exec(this.bin, args, { cwd: process.cwd(), env: this.registryEnv(registry), timeoutMs: 300_000 });
    if (r.exitCode === 0) return;
    this.assertNotCrashed(r.stderr, r.exitCode, 'push');
    throw new ExternalToolError('HELM_REGISTRY_FAILED', `helm push ${file.split('/').pop()} ${remote} failed: ${cleanError(r.stderr)}`, {
      cmd: `helm ${args.join(' ')}`,
      exitCode: r.exitCode,
      stderr: lastLines(r.stderr),
      hint: registryHint(remote),
    });
  }

  /**
   * Renders stay isolated from the user's helm state; registry verbs need the user's login:
   * HELM_REGISTRY_CONFIG when set, else helm's default registry config.
   */
  private registryEnv(registry: RegistryAccess): NodeJS.ProcessEnv {
    const env = this.env();
    if (registry.config) env.HELM_REGISTRY_CONFIG = registry.config;
    return env;
  }

  /** helm exits 1 for bad charts and for its own failures alike; a panic is never the chart's fault. */
  private assertNotCrashed(stderr: string, exitCode: number, verb: string): void {
    if (/^panic:|goroutine \d+ \[/m.test(stderr) || !/Error:/.test(stderr)) {
      throw new ExternalToolError('HELM_FAILED', `helm ${verb} failed unexpectedly (exit ${exitCode})`, {
        cmd: `${this.server && verb === 'template' ? this.server.bin : this.bin} ${verb}`,
        exitCode,
        stderr: lastLines(stderr),
        hint: 'This is not a problem in the chart. Check the helm binary (GITOPS_HELM_BIN) and re-run with --verbose.',
      });
    }
  }
}

/**
 * GITOPS_HELM_RENDERER=binary|server forces one; otherwise the renderer is used when it is
 * built, unless GITOPS_HELM_BIN names a helm binary to use. GITOPS_HELM_RENDERER_BIN overrides
 * the renderer's path.
 */
function chooseRenderer(env: NodeJS.ProcessEnv, version: string): HelmServerPool | undefined {
  const mode = env.GITOPS_HELM_RENDERER?.trim() || 'auto';
  if (mode !== 'auto' && mode !== 'binary' && mode !== 'server') {
    throw new UsageError('USAGE', `GITOPS_HELM_RENDERER=${mode} is not a renderer`, { hint: 'Use binary (a helm process per render), server (the helm renderer) or leave it unset (the renderer when it is built).' });
  }
  if (mode === 'binary') return undefined;
  const bin = env.GITOPS_HELM_RENDERER_BIN || rendererPath(version);
  if (!existsSync(bin)) {
    if (mode === 'auto') return undefined;
    throw new ExternalToolError('HELM_NOT_FOUND', `GITOPS_HELM_RENDERER=server, but the helm renderer is not built (${bin})`, {
      hint: 'Install Go and run `npm ci` (it builds tools/helm-renderer), or set GITOPS_HELM_RENDERER=binary.',
    });
  }
  if (mode === 'auto' && env.GITOPS_HELM_BIN && !env.GITOPS_HELM_RENDERER_BIN) return undefined;
  let pool = pools.get(bin);
  if (!pool) {
    // Grows with the renders in flight, so it ends up the size of the render concurrency.
    pool = new HelmServerPool(bin, { version, maxProcesses: Math.max(availableParallelism(), 64), timeoutMs: TIMEOUT_MS, idleMs: 10_000 });
    pools.set(bin, pool);
  }
  return pool;
}

/** One pool per renderer, shared by every render of a run (each request carries its own helm home). */
const pools = new Map<string, HelmServerPool>();

async function helmVersion(bin: string, env: NodeJS.ProcessEnv, versions: ValueStore<string>): Promise<string | undefined> {
  // Only a binary named by its path is remembered: `helm` is whatever PATH finds today.
  const stamp = isAbsolute(bin) ? binaryStamp(bin) : undefined;
  const known = stamp && versions.get(stamp);
  if (typeof known === 'string') return known;
  try {
    const r = await exec(bin, ['version', '--template', '{{.Version}}'], { cwd: process.cwd(), env: { PATH: env.PATH, HOME: env.HOME }, timeoutMs: 20_000 });
    const version = r.exitCode === 0 ? r.stdout.trim() : undefined;
    if (stamp && version) versions.set(stamp, version);
    return version;
  } catch {
    // Not installed or not executable: try the next candidate.
    return undefined;
  }
}

/** What identifies a binary file as it is now; undefined when it cannot be read. */
function binaryStamp(bin: string): string | undefined {
  try {
    const s = statSync(bin);
    return `helm\0${bin}\0${s.ino}\0${s.size}\0${s.mtimeMs}\0${s.ctimeMs}`;
  } catch {
    return undefined;
  }
}

function cleanError(stderr: string): string {
  const lines = stderr
    .split('\n')
    .filter((l) => l.trim() && !/^(WARNING|walk\.go|coalesce\.go)/.test(l.trim()));
  return lines.join('\n').replace(/^Error: /m, '').trim();
}
