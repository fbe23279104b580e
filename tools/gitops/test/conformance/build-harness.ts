import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Builds the Argo CD harness (tools/conformance); Go's build cache makes a rebuild cheap. */
export default function setup(): void {
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'conformance');
  try {
    execFileSync('go', ['build', '-o', 'bin/argocd-conformance', '.'], { cwd: dir, stdio: 'inherit' });
  } catch (e) {
    throw new Error(`could not build the Argo CD harness in ${dir} (needs Go 1.26): ${(e as Error).message}`);
  }
}
