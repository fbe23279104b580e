import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** E2E tests run the built CLI (bin/gitops.js -> dist/): build it once per run. */
export default function setup(): void {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  // The ApplicationSet engine (dist/wasm/): Go's build cache makes this quick when unchanged.
  execFileSync(process.execPath, [join(root, 'scripts', 'build-appset-wasm.mjs')], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, [join(root, '..', '..', 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
}
