import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Ajv, type JSONSchemaType } from 'ajv';
import { ExternalToolError, type ToolError } from '../core/errors.js';
import { exec, lastLines } from './exec.js';

/** The kubeconform the parity of the two engines is established with. */
export const KUBECONFORM_VERSION = 'v0.7.0';
const INSTALL = `go install github.com/yannh/kubeconform/cmd/kubeconform@${KUBECONFORM_VERSION}`;

/** kubeconform's verdict on one document. */
export interface KubeconformResult {
  status: 'statusValid' | 'statusInvalid' | 'statusError' | 'statusSkipped' | 'statusEmpty';
  /** kubeconform's own explanation (errors and invalid resources). */
  msg: string;
  /** The first level of schema errors: `path` is a JSON pointer into the document. */
  validationErrors: { path: string; msg: string }[];
}

export interface KubeconformValidateOptions {
  /** `-schema-location`: a path template ending in .json. */
  schemaLocation: string;
  /** `-n`: documents validated at once. */
  workers?: number;
}

/** `-output json` as kubeconform v0.7.0 writes it; anything else is a failure, not a verdict. */
interface KubeconformOutput {
  resources: { filename: string; status: string; msg: string; validationErrors?: { path: string; msg: string }[] }[];
}

const outputSchema: JSONSchemaType<KubeconformOutput> = {
  type: 'object',
  required: ['resources'],
  properties: {
    resources: {
      type: 'array',
      items: {
        type: 'object',
        required: ['filename', 'status', 'msg'],
        properties: {
          filename: { type: 'string' },
          status: { type: 'string', enum: ['statusValid', 'statusInvalid', 'statusError', 'statusSkipped', 'statusEmpty'] },
          msg: { type: 'string' },
          validationErrors: {
            type: 'array',
            nullable: true,
            items: { type: 'object', required: ['path', 'msg'], properties: { path: { type: 'string' }, msg: { type: 'string' } } },
          },
        },
      },
    },
  },
};
// Compiled on first use: loading this module (every check imports it) must not cost an ajv compile.
let outputValidator: ((data: unknown) => data is KubeconformOutput) | undefined;
const isOutput = (data: unknown): data is KubeconformOutput => (outputValidator ??= new Ajv({ allErrors: false }).compile(outputSchema))(data);

/** The kubeconform binary; verbs: `validate`. */
export class KubeconformRunner {
  private constructor(
    readonly bin: string,
    readonly version: string,
  ) {}

  /** GITOPS_KUBECONFORM_BIN, then PATH, then `$(go env GOPATH)/bin` (where `go install` puts it). */
  static async locate(env: NodeJS.ProcessEnv = process.env): Promise<KubeconformRunner> {
    if (env.GITOPS_KUBECONFORM_BIN) {
      const version = await kubeconformVersion(env.GITOPS_KUBECONFORM_BIN, env);
      if (version) return new KubeconformRunner(env.GITOPS_KUBECONFORM_BIN, version);
      throw notFound(`GITOPS_KUBECONFORM_BIN=${env.GITOPS_KUBECONFORM_BIN} cannot be run`);
    }
    const onPath = await kubeconformVersion('kubeconform', env);
    if (onPath) return new KubeconformRunner('kubeconform', onPath);
    const gopath = await goPath(env);
    if (gopath) {
      const bin = join(gopath.split(':')[0]!, 'bin', 'kubeconform');
      const version = await kubeconformVersion(bin, env);
      if (version) return new KubeconformRunner(bin, version);
    }
    throw notFound('kubeconform is not installed (not on PATH, nor in $(go env GOPATH)/bin)');
  }

  /**
   * Validates each document (JSON text of one Kubernetes object) and returns kubeconform's
   * verdicts in the same order. Each document gets its own file, so that a result is matched
   * to its document by file name whatever order kubeconform's workers finish in.
   */
  async validate(documents: readonly string[], options: KubeconformValidateOptions): Promise<KubeconformResult[]> {
    if (documents.length === 0) return [];
    const dir = await mkdtemp(join(tmpdir(), 'gitops-kubeconform-'));
    try {
      const width = String(documents.length).length;
      await Promise.all(documents.map((doc, i) => writeFile(join(dir, `${String(i).padStart(width, '0')}.json`), doc)));
      // -strict only rejects duplicate keys here (the schemas are already strict); -verbose
      // reports valid resources too, so that every document gets a verdict.
      const args = ['-output', 'json', '-verbose', '-strict', '-schema-location', options.schemaLocation, '-n', String(options.workers ?? 4), dir];
      const command = `${this.bin} ${args.join(' ')}`;
      const r = await exec(this.bin, args, { cwd: dir, timeoutMs: 600_000, notFoundCode: 'KUBECONFORM_NOT_FOUND', notFoundHint: hint() }).catch((cause: ToolError) => {
        if (cause.code === 'KUBECONFORM_NOT_FOUND') throw cause;
        // Killed (timeout, signal) or could not start.
        throw new ExternalToolError('KUBECONFORM_FAILED', `kubeconform did not finish: ${cause.message}`, { cmd: command, hint: failedHint(), cause });
      });
      // 0: all valid; 1: some invalid, or kubeconform failed: only its JSON tells which.
      const output = r.exitCode === 0 || r.exitCode === 1 ? parseOutput(r.stdout) : undefined;
      if (!output) {
        throw new ExternalToolError('KUBECONFORM_FAILED', `kubeconform exited with ${r.exitCode} without a readable JSON report`, {
          cmd: command,
          exitCode: r.exitCode,
          stderr: lastLines(r.stderr || r.stdout),
          hint: failedHint(),
        });
      }
      return matchResults(output, documents.length, command);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

function parseOutput(stdout: string): KubeconformOutput | undefined {
  try {
    const data: unknown = JSON.parse(stdout);
    return isOutput(data) ? data : undefined;
  } catch {
    return undefined;
  }
}

function matchResults(output: KubeconformOutput, count: number, command: string): KubeconformResult[] {
  const results: (KubeconformResult | undefined)[] = new Array(count);
  for (const r of output.resources) {
    const index = Number(/^(\d+)\.json$/.exec(basename(r.filename))?.[1]);
    if (!Number.isInteger(index) || index >= count || results[index]) {
      // A discovery error (unreadable input) or a second verdict on one document.
      throw new ExternalToolError('KUBECONFORM_FAILED', `kubeconform reported on an input it was not given (${r.filename}): ${r.msg}`, { cmd: command, hint: failedHint() });
    }
    results[index] = { status: r.status as KubeconformResult['status'], msg: r.msg, validationErrors: r.validationErrors ?? [] };
  }
  const given = results.filter((r) => r !== undefined).length;
  if (given < count) {
    throw new ExternalToolError('KUBECONFORM_FAILED', `kubeconform gave no verdict on ${count - given} of ${count} documents`, { cmd: command, hint: failedHint() });
  }
  return results as KubeconformResult[];
}

async function kubeconformVersion(bin: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  try {
    const r = await exec(bin, ['-v'], { cwd: process.cwd(), env: { PATH: env.PATH, HOME: env.HOME }, timeoutMs: 20_000 });
    const version = r.stdout.trim();
    return r.exitCode === 0 && version ? version : undefined;
  } catch {
    // Not installed or not executable: try the next place.
    return undefined;
  }
}

async function goPath(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  try {
    const r = await exec('go', ['env', 'GOPATH'], { cwd: process.cwd(), env, timeoutMs: 20_000 });
    return r.exitCode === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
  } catch {
    // No Go toolchain: nothing installed with `go install` either.
    return undefined;
  }
}

function notFound(message: string): ExternalToolError {
  return new ExternalToolError('KUBECONFORM_NOT_FOUND', message, { hint: hint() });
}

function hint(): string {
  return `Install it with \`${INSTALL}\` (or set GITOPS_KUBECONFORM_BIN), or use the built-in engine: --engine builtin.`;
}

function failedHint(): string {
  return `This is not a problem in the manifests. Check the kubeconform binary (${KUBECONFORM_VERSION} is the tested version; GITOPS_KUBECONFORM_BIN), or use --engine builtin.`;
}
