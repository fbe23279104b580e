import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UsageError } from '../core/errors.js';
import type { Finding } from '../core/findings.js';
import { parseManifests, type ParsedManifests } from '../core/manifests/manifest.js';
import { MAX_FILE_BYTES } from '../runners/snapshots.js';

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

export interface ManifestFilesOptions {
  /** Paths are relative to this directory. */
  cwd: string;
  /** The repository root: files inside it are named by their repository path. */
  root?: string;
}

/**
 * Reads manifest files and directories given on the command line (a directory: its .yaml,
 * .yml and .json files, recursively). A path that does not exist is a usage error; a file
 * that cannot be read, is too large or is binary is a finding about that file.
 */
export async function readManifestFiles(paths: readonly string[], options: ManifestFilesOptions): Promise<ParsedManifests & { files: number }> {
  const files = new Map<string, string>(); // absolute path -> name shown
  for (const path of paths) {
    const absolute = resolve(options.cwd, path);
    if (!existsSync(absolute)) {
      throw new UsageError('PATH_NOT_FOUND', `${path}: no such file or directory`, { hint: 'Pass manifest files or directories; without paths, gitops validate checks the rendered Applications.' });
    }
    if (statSync(absolute).isDirectory()) {
      for (const file of manifestFilesIn(absolute)) if (!files.has(file)) files.set(file, displayName(file, join(path, relative(absolute, file)), options.root));
    } else if (!files.has(absolute)) {
      files.set(absolute, displayName(absolute, path, options.root));
    }
  }

  const out: ParsedManifests & { files: number } = { manifests: [], problems: [], findings: [], files: files.size };
  for (const [absolute, name] of files) {
    const { text, finding } = await readText(absolute, name);
    if (finding) out.findings.push(finding);
    if (text === undefined) continue;
    const parsed = parseManifests(name, text, { kind: 'file' });
    out.manifests.push(...parsed.manifests);
    out.problems.push(...parsed.problems);
    out.findings.push(...parsed.findings);
  }
  return out;
}

/** Manifest files under a directory, sorted; `.git` is not looked into. */
function manifestFilesIn(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && MANIFEST_FILE.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .filter((file) => !relative(dir, file).split(sep).includes('.git'))
    .sort();
}

/** The repository path when the file is in the repository, else the path as given. */
function displayName(absolute: string, given: string, root: string | undefined): string {
  if (root) {
    const rel = relative(root, absolute);
    if (rel && !rel.startsWith('..') && !isAbsolute(rel)) return rel.split(sep).join('/');
  }
  return given.split(sep).join('/');
}

async function readText(absolute: string, name: string): Promise<{ text?: string; finding?: Finding }> {
  const unreadable = (message: string, hint?: string): { finding: Finding } => ({
    finding: { code: 'MANIFEST_UNREADABLE', severity: 'error', message, hint, location: { file: name } },
  });
  try {
    const size = statSync(absolute).size;
    if (size > MAX_FILE_BYTES) {
      const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
      return unreadable(`file is ${mib(size)}, more than the ${mib(MAX_FILE_BYTES)} a manifest file may be`, 'Split it, or check that it is the file you meant.');
    }
    return { text: await readFile(absolute, 'utf8') };
  } catch (err) {
    return unreadable(`cannot read the file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'Check its permissions.');
  }
}
