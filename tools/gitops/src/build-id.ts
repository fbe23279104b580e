import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toolRoot } from './paths.js';

let id: string | undefined;

/**
 * Identifies the tool's code as it is on disk: its modules and the ApplicationSet engine,
 * by name, size and modification time, and the version of each library it runs on (the YAML
 * parsers, the schema validator). Caches of what the tool itself computes (expansions,
 * verdicts) are keyed by it, so a rebuilt tool never reads a result an older build wrote.
 */
export function toolBuildId(): string {
  if (id !== undefined) return id;
  const hash = createHash('sha256');
  const add = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) add(full);
      else if (/\.(js|ts|cjs|wasm)$/.test(entry.name)) {
        const stat = statSync(full);
        hash.update(`${full}\0${stat.size}\0${stat.mtimeMs}\n`);
      }
    }
  };
  add(dirname(fileURLToPath(import.meta.url)));
  add(join(toolRoot, 'dist', 'wasm'));
  for (const [name, version] of dependencyVersions()) hash.update(`${name}@${version}\n`);
  id = hash.digest('hex').slice(0, 32);
  return id;
}

/** The installed version of each runtime dependency, found as Node resolves it (nearest node_modules first). */
function dependencyVersions(): [string, string][] {
  let names: string[];
  try {
    names = Object.keys((JSON.parse(readFileSync(join(toolRoot, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {});
  } catch {
    return [];
  }
  return names.sort().map((name) => {
    for (let dir = toolRoot; ; dir = dirname(dir)) {
      const manifest = join(dir, 'node_modules', name, 'package.json');
      if (existsSync(manifest)) return [name, (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version ?? '?'];
      if (dirname(dir) === dir) return [name, 'missing'];
    }
  });
}
