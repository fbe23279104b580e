import { _, Ajv, type ValidateFunction } from 'ajv';
import { compileCached } from './compiled-validators.js';
import type { EngineInput, EngineVerdict, ValidationEngine } from './engine.js';
import { FORMAT_CHECKS } from './formats.js';
import { goRegExp } from './go-regexp.js';
import type { KindSchema } from './kind-schemas.js';
import { schemaErrors } from './schema-errors.js';

/**
 * ajv in-process: no binary needed. Each kind's schema is compiled once per run, and the
 * generated code is kept in the cache directory: compiling is most of the cost of a run (a
 * Deployment schema is 2 MB of code), loading it back a fraction of it.
 */
/**
 * Two validators per schema: `pass` stops at the first error and keeps nothing for messages,
 * so the common case (a valid object) costs the least; `explain` (allErrors, verbose) runs
 * only on an object `pass` rejects, and is loaded only then.
 */
type Mode = 'pass' | 'explain';

function createAjv(mode: Mode): Ajv {
  return new Ajv({
    allErrors: mode === 'explain',
    // Kubernetes schemas are not written for ajv's strict mode (type unions, keywords it does not know).
    strict: false,
    // Errors carry the schema and the data, for messages that name allowed values and fields.
    verbose: mode === 'explain',
    logger: false,
    // The strict schemas keep only the formats kubeconform asserts (strict-schema.ts), checked
    // as it checks them; patterns are Go's.
    formats: FORMAT_CHECKS,
    // source: the generated code is what the cache keeps, and names the formats as `formats`.
    // ajv's optimisation passes roughly double the compile time and save little when validating.
    code: { regExp: goRegExp, optimize: false, source: true, formats: _`formats` },
  });
}

export class BuiltinEngine implements ValidationEngine {
  readonly name = 'builtin';
  private readonly ajv: Record<Mode, Ajv> = { pass: createAjv('pass'), explain: createAjv('explain') };
  /** A validator per mode and schema file, or why that schema does not compile. */
  private readonly compiled = new Map<string, ValidateFunction | string>();

  /** `cacheDir`: where compiled validators are kept between runs; none: compile every run. */
  constructor(private readonly cacheDir?: string) {}

  async validate(inputs: readonly EngineInput[]): Promise<EngineVerdict[]> {
    return inputs.map(({ manifest, schema }): EngineVerdict => {
      const pass = this.validator(schema, 'pass');
      if (typeof pass === 'string') return { status: 'error', errors: [{ pointer: '', message: pass }], schemaProblem: pass };
      if (pass(manifest.object)) return { status: 'valid', errors: [] };
      const explain = this.validator(schema, 'explain');
      if (typeof explain === 'string' || explain(manifest.object)) return { status: 'invalid', errors: [{ pointer: '', message: 'breaks its schema' }] };
      const errors = schemaErrors(explain.errors ?? []);
      return { status: 'invalid', errors: errors.length > 0 ? errors : [{ pointer: '', message: 'breaks its schema' }] };
    });
  }

  private validator(schema: KindSchema, mode: Mode): ValidateFunction | string {
    const key = `${mode}\0${schema.source}`;
    let fn = this.compiled.get(key);
    if (fn === undefined) {
      fn = this.compile(schema, mode);
      this.compiled.set(key, fn);
    }
    return fn;
  }

  /** A schema that does not compile is a reason, not a crash: its kind's objects get an `error` verdict. */
  private compile(schema: KindSchema, mode: Mode): ValidateFunction | string {
    try {
      return compileCached(this.ajv[mode], schema.schema, `kubernetes v2 ${mode}`, this.cacheDir);
    } catch (cause) {
      return `the schema of ${schema.id} does not compile: ${(cause as Error).message}`;
    }
  }
}
