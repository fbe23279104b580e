import type { Manifest } from '../core/manifests/manifest.js';
import type { KindSchema } from './kind-schemas.js';
import type { SchemaError } from './schema-errors.js';

export type EngineName = 'builtin' | 'kubeconform';

/** One object and the strict schema of its kind. */
export interface EngineInput {
  manifest: Manifest;
  schema: KindSchema;
}

/** An engine's verdict on one object: engines only judge objects that have a schema. */
export interface EngineVerdict {
  status: 'valid' | 'invalid';
  errors: SchemaError[];
}

/** Checks objects against their strict schemas; verdicts in input order. */
export interface ValidationEngine {
  readonly name: EngineName;
  validate(inputs: readonly EngineInput[]): Promise<EngineVerdict[]>;
}
