import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UsageError } from '../core/errors.js';
import { DocumentSplitter } from '../core/manifests/kube-yaml.js';
import { addDocument, type ParsedManifests } from '../core/manifests/manifest.js';

/**
 * A manifest file may be large (a cluster export, a rendered fleet): it is streamed one
 * document at a time, so this bounds only what a single run is asked to hold, not the memory
 * of reading it. Values files keep their own, much smaller limit (runners/snapshots.ts).
 */
export const MAX_MANIFEST_FILE_BYTES = 1024 * 1024 * 1024;

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
  for (const [absolute, name] of files) await readManifestFile(absolute, name, out);
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

/** Streams one file into `out`, document by document; a file that cannot be read is a finding and an error verdict. */
async function readManifestFile(absolute: string, name: string, out: ParsedManifests): Promise<void> {
  const unreadable = (message: string, hint?: string): void => {
    out.findings.push({ code: 'MANIFEST_UNREADABLE', severity: 'error', message, hint, location: { file: name } });
    out.problems.push({ file: name, doc: 0, line: 1, message, reported: true });
  };
  const origin = { kind: 'file' } as const;
  const splitter = new DocumentSplitter();
  let index = 0;
  const add = (docs: ReturnType<DocumentSplitter['push']>) => {
    for (const doc of docs) addDocument(name, index++, doc, origin, out);
  };
  try {
    const size = statSync(absolute).size;
    if (size > MAX_MANIFEST_FILE_BYTES) {
      const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
      return unreadable(`file is ${mib(size)}, more than the ${mib(MAX_MANIFEST_FILE_BYTES)} a manifest file may be`, 'Split it, or check that it is the file you meant.');
    }
    for await (const chunk of createReadStream(absolute, { encoding: 'utf8', highWaterMark: 1024 * 1024 })) {
      if ((chunk as string).includes('\0')) {
        out.findings.push({ code: 'YAML_SYNTAX', severity: 'error', message: 'file is binary, not YAML', location: { file: name } });
        out.problems.push({ file: name, doc: index, line: 1, message: 'file is binary, not YAML', reported: true });
        return;
      }
      add(splitter.push(chunk as string));
    }
    add(splitter.end());
  } catch (err) {
    unreadable(`cannot read the file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'Check its permissions.');
  }
}
