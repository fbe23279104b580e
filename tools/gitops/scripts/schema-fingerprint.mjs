#!/usr/bin/env node
// Prints a fingerprint of the Kubernetes and CRD schemas `gitops check` validates against
// (GITOPS_SCHEMA_DIR, else schemaDir in gitops.yaml): file names, sizes and modification
// times. Nx hashes it as a runtime input, so a cached check is replayed only against the
// schemas it was computed with, though they live outside the workspace.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = process.cwd();
let dir = process.env.GITOPS_SCHEMA_DIR;
if (!dir && existsSync(join(root, 'gitops.yaml'))) {
  const m = /^schemaDir:\s*["']?([^"'\n#]+?)["']?\s*(#.*)?$/m.exec(readFileSync(join(root, 'gitops.yaml'), 'utf8'));
  if (m) dir = resolve(root, m[1]);
}
const hash = createHash('sha256');
const walk = (d, rel) => {
  for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(d, entry.name);
    if (entry.isDirectory()) walk(path, `${rel}${entry.name}/`);
    else {
      const st = statSync(path);
      hash.update(`${rel}${entry.name}\0${st.size}\0${st.mtimeMs}\n`);
    }
  }
};
if (dir && existsSync(dir)) walk(dir, '');
else hash.update('no schemas');
process.stdout.write(hash.digest('hex'));
