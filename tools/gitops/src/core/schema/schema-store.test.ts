import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { expect, it } from 'vitest';
import { toolRoot } from '../../paths.js';

it('every published schema is valid against its meta-schema (the store skips that check at run time)', () => {
  const dir = join(toolRoot, 'schemas');
  const files = readdirSync(dir).filter((f) => f.endsWith('.schema.json'));
  expect(files.length).toBeGreaterThan(4);
  for (const file of files) {
    const ajv = new Ajv({ allErrors: true, strict: true });
    const schema = JSON.parse(readFileSync(join(dir, file), 'utf8')) as object;
    expect(ajv.validateSchema(schema), `${file}: ${ajv.errorsText()}`).toBe(true);
    expect(() => ajv.compile(schema), file).not.toThrow();
  }
});
