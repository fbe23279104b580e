import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';

/**
 * The files of a chart package (.tgz), path -> sha256, with packaged dependencies
 * (charts/*.tgz) listed by their own files: helm writes the time of packaging into every
 * archive, so two packages of the same sources differ in bytes but never in files.
 */
export async function packageFiles(file: string): Promise<Map<string, string>> {
  return filesOf(await readArchive(createReadStream(file)));
}

async function filesOf(entries: Map<string, Buffer>): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const [path, data] of entries) {
    if (/(^|\/)charts\/[^/]+\.tgz$/.test(path)) {
      const inner = await filesOf(await readArchive(Readable.from([data])));
      for (const [innerPath, hash] of inner) files.set(`${path}!/${innerPath}`, hash);
    } else files.set(path, createHash('sha256').update(/(^|\/)Chart\.lock$/.test(path) ? withoutGeneratedTime(data) : data).digest('hex'));
  }
  return files;
}

/**
 * `helm dependency build` writes the time into a Chart.lock it generates (when none is
 * committed): that line says when a package was built, not what it contains.
 */
function withoutGeneratedTime(data: Buffer): string {
  return data.toString('utf8').replace(/^generated: .*$/m, '');
}

/** Paths that differ between two packages' files: added, removed or changed. */
export function diffPackageFiles(expected: Map<string, string>, actual: Map<string, string>): string[] {
  const paths = new Set([...expected.keys(), ...actual.keys()]);
  return [...paths].filter((p) => expected.get(p) !== actual.get(p)).sort();
}

function readArchive(stream: NodeJS.ReadableStream): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    const entries = new Map<string, Buffer>();
    const parser = new Parser({
      onReadEntry: (entry: ReadEntry) => {
        if (entry.type !== 'File') {
          entry.resume();
          return;
        }
        const chunks: Buffer[] = [];
        entry.on('data', (c: Buffer) => chunks.push(c));
        entry.on('end', () => entries.set(entry.path, Buffer.concat(chunks)));
      },
    });
    parser.on('end', () => resolve(entries));
    parser.on('error', reject);
    stream.on('error', reject);
    stream.pipe(createGunzip()).on('error', reject).pipe(parser);
  });
}
