import { createHash } from 'node:crypto';
import { escapeSegment, pathToPointer } from '../core/json-pointer.js';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { ExternalToolError, ToolError } from '../core/errors.js';
import type { KubeconformResult, KubeconformRunner } from '../runners/kubeconform.js';
import type { EngineInput, EngineVerdict, ValidationEngine } from './engine.js';
import { KUBECONFORM_LOCATION, type KindSchema } from './kind-schemas.js';
import type { SchemaError } from './schema-errors.js';

/**
 * The real kubeconform binary, fed the strict schemas the built-in engine compiles (written
 * to a content-addressed directory) and each object as JSON, so that both engines judge the
 * same data against the same schemas. Any answer but "valid" or "invalid" is kubeconform
 * failing, never a verdict: every object it receives has a schema.
 */
export class KubeconformEngine implements ValidationEngine {
  readonly name = 'kubeconform';

  constructor(
    private readonly runner: KubeconformRunner,
    /** Strict schemas are written under `<cacheDir>/kubeconform-schemas/<hash>/`. */
    private readonly cacheDir: string,
  ) {}

  async validate(inputs: readonly EngineInput[]): Promise<EngineVerdict[]> {
    if (inputs.length === 0) return [];
    const dir = await writeStrictSchemas(this.cacheDir, inputs.map((i) => i.schema));
    const failures: ExternalToolError[] = [];
    const verdicts = await this.judge(inputs, join(dir, KUBECONFORM_LOCATION), failures);
    // A kubeconform that fails on every object is broken, not the objects: could not run.
    if (failures.length === inputs.length) throw failures[0]!;
    return verdicts;
  }

  /**
   * One kubeconform run for all the objects; should it fail as a whole (a crash, a report it
   * cannot finish), the objects are judged in halves, down to the one it fails on, which is an
   * `error` verdict: one object never costs the others theirs. A missing binary still stops the run.
   */
  private async judge(inputs: readonly EngineInput[], schemaLocation: string, failures: ExternalToolError[]): Promise<EngineVerdict[]> {
    try {
      const results = await this.runner.validate(
        inputs.map((i) => JSON.stringify(i.manifest.object)),
        { schemaLocation, workers: availableParallelism() },
      );
      return results.map((result, i) => toVerdict(result, inputs[i]!));
    } catch (err) {
      if (!(err instanceof ExternalToolError) || err.code !== 'KUBECONFORM_FAILED') throw err;
      if (inputs.length === 1) {
        failures.push(err);
        return [{ status: 'error', errors: [{ pointer: '', message: `kubeconform could not judge this object: ${err.message}` }] }];
      }
      const half = Math.ceil(inputs.length / 2);
      return [...(await this.judge(inputs.slice(0, half), schemaLocation, failures)), ...(await this.judge(inputs.slice(half), schemaLocation, failures))];
    }
  }
}

function toVerdict(result: KubeconformResult, input: EngineInput): EngineVerdict {
  if (result.status === 'statusValid') return { status: 'valid', errors: [] };
  if (result.status === 'statusInvalid') {
    const errors = result.validationErrors.flatMap((e) => toSchemaErrors({ path: pointerIn(input.manifest.object, e.path), msg: e.msg }));
    // An invalid verdict always carries a reason, so that it is never a silent pass.
    return { status: 'invalid', errors: errors.length > 0 ? errors : [{ pointer: '', message: result.msg }] };
  }
  // Every object given has a schema written for it: "could not find schema" is kubeconform
  // failing to compile that schema (it then looks no further), a fault of the schema file.
  const { schema } = input;
  if (/^could not find schema/.test(result.msg)) {
    const reason = `kubeconform could not compile the schema of ${schema.id}`;
    return { status: 'error', errors: [{ pointer: '', message: reason }], schemaProblem: reason };
  }
  return { status: 'error', errors: [{ pointer: '', message: `kubeconform could not judge this object: ${result.msg || result.status}` }] };
}

/**
 * kubeconform joins the keys of a path with "/" unescaped, so a label key `app.kubernetes.io/name`
 * reads as two segments: walk the object to find which segments make one key, and escape it.
 */
function pointerIn(object: unknown, raw: string): string {
  const segments = raw.split('/').slice(1);
  const out: string[] = [];
  let node = object;
  for (let i = 0; i < segments.length; i++) {
    let key = segments[i]!;
    if (node !== null && typeof node === 'object' && !Array.isArray(node)) {
      // The longest run of segments that is a key of this map.
      for (let j = segments.length; j > i + 1; j--) {
        const joined = segments.slice(i, j).join('/');
        if (Object.hasOwn(node, joined)) {
          key = joined;
          i = j - 1;
          break;
        }
      }
    }
    out.push(key);
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  }
  return pathToPointer(out);
}

/**
 * kubeconform names one error for all the unknown fields of an object, at the object; the
 * built-in engine names each field. Split it so both engines point at the same fields.
 */
function toSchemaErrors(error: { path: string; msg: string }): SchemaError[] {
  // kubeconform's JSON keeps only the first level of jsonschema's error tree.
  if (error.msg === 'validation failed') return [{ pointer: error.path, message: 'several errors below this field (kubeconform reports them as one; --engine builtin names each)' }];
  const unknown = /^additional propert(?:y|ies) (.+) not allowed$/.exec(error.msg);
  if (!unknown) return [{ pointer: error.path, message: error.msg }];
  const fields = [...unknown[1]!.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1]!);
  if (fields.length === 0) return [{ pointer: error.path, message: error.msg }];
  return fields.map((field) => ({ pointer: `${error.path}/${escapeSegment(field)}`, message: `unknown field "${field}"`, atKey: true }));
}

/**
 * Writes each schema at its layout path under a directory named by the hash of them all; an
 * existing directory is reused as is. Built beside and renamed into place, so a concurrent
 * run never reads a half-written directory.
 */
export async function writeStrictSchemas(cacheDir: string, schemas: readonly KindSchema[]): Promise<string> {
  const byPath = new Map<string, string>();
  for (const schema of schemas) if (!byPath.has(schema.layoutPath)) byPath.set(schema.layoutPath, JSON.stringify(schema.schema));
  const files = [...byPath].sort(([a], [b]) => (a < b ? -1 : 1));
  const hash = createHash('sha256');
  for (const [path, text] of files) hash.update(`${path}\0${text}\0`);
  const dir = join(cacheDir, 'kubeconform-schemas', hash.digest('hex').slice(0, 32));
  if (existsSync(dir)) return dir;

  const building = `${dir}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeTree(building, files);
    await rename(building, dir).catch((err: NodeJS.ErrnoException) => {
      // Another run wrote the same directory first: the content is the same.
      if (!existsSync(dir)) throw err;
    });
  } catch (cause) {
    throw new ToolError('OUTPUT_WRITE_FAILED', `could not write the strict schemas for kubeconform under ${cacheDir}: ${(cause as Error).message}`, {
      hint: 'Check that the cache directory is writable, or set GITOPS_CACHE_DIR to one that is.',
      cause,
    });
  } finally {
    await rm(building, { recursive: true, force: true });
  }
  return dir;
}

async function writeTree(root: string, files: readonly [string, string][]): Promise<void> {
  for (const [path, text] of files) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
}
