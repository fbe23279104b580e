import type { Manifest } from '../core/manifests/manifest.js';
import type { KindSchema } from './kind-schemas.js';
import type { SchemaError } from './schema-errors.js';

export type EngineName = 'builtin' | 'kubeconform';

/** One object and the strict schema of its kind. */
export interface EngineInput {
  manifest: Manifest;
  schema: KindSchema;
}

/**
 * An engine's verdict on one object: engines only judge objects that have a schema. `error`:
 * the object could not be judged (its kind's schema does not compile, the engine could not
 * read it); the reason is in `errors`, and `schemaProblem` names a schema that is at fault.
 */
export interface EngineVerdict {
  status: 'valid' | 'invalid' | 'error';
  errors: SchemaError[];
  schemaProblem?: string;
}

/** Checks objects against their strict schemas; verdicts in input order. */
export interface ValidationEngine {
  readonly name: EngineName;
  validate(inputs: readonly EngineInput[]): Promise<EngineVerdict[]>;
}
