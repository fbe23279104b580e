import { readFileSync } from 'node:fs';
import { pointerToPath } from '../json-pointer.js';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { toolRoot } from '../../paths.js';
import { compileCached } from '../../validate/compiled-validators.js';
import type { Finding, FindingCode } from '../findings.js';
import { locate, type YamlDoc } from '../yaml/parse-yaml.js';

/** The JSON Schemas of the files people edit; published in tools/gitops/schemas/. */
export type OwnSchema = 'service' | 'environment' | 'gitops-config' | 'waivers' | 'applicationset';

const compiled = new Map<OwnSchema, ValidateFunction>();
let ajv: Ajv | undefined;

function validatorFor(name: OwnSchema): ValidateFunction {
  let fn = compiled.get(name);
  if (!fn) {
    // No meta-schema check at run time (a quarter of a second at start-up): schema-store.test.ts
    // checks each published schema against it instead.
    ajv ??= new Ajv({ allErrors: true, strict: true, useDefaults: false, validateSchema: false, code: { source: true } });
    const schema = JSON.parse(readFileSync(join(toolRoot, 'schemas', `${name}.schema.json`), 'utf8')) as object;
    // Kept beside the build (keyed by the schema's content): every run loads the files people edit.
    fn = compileCached(ajv, schema, 'own allErrors strict', join(toolRoot, 'dist'));
    compiled.set(name, fn);
  }
  return fn;
}

/** Validates a parsed file against one of our schemas; each error located at the line to edit. */
export function validateOwnFile(doc: YamlDoc, name: OwnSchema, code: FindingCode): Finding[] {
  const validate = validatorFor(name);
  if (validate(doc.data)) return [];
  return (validate.errors ?? []).map((err) => toFinding(doc, err, code));
}

function toFinding(doc: YamlDoc, err: ErrorObject, code: FindingCode): Finding {
  // Array indices as numbers, so that locate() walks into sequences (mapping keys compare as strings either way).
  const path = pointerToPath(err.instancePath);
  const where = path.join('.') || '(top level)';
  switch (err.keyword) {
    case 'additionalProperties': {
      const key = String(err.params.additionalProperty);
      return { code, severity: 'error', message: `${where}: "${key}" is not allowed`, location: locate(doc, [...path, key], 'key') };
    }
    case 'required':
      return {
        code,
        severity: 'error',
        message: `${where}: "${String(err.params.missingProperty)}" is required`,
        location: locate(doc, path, 'key'),
      };
    default:
      return { code, severity: 'error', message: `${where}: ${err.message ?? 'is invalid'}`, location: locate(doc, path) };
  }
}
