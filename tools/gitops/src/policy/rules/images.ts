import { str } from '../model.js';
import type { Rule, Violation } from '../rule.js';
import { onContainer } from './common.js';

/**
 * Why an image reference does not name one immutable image, or undefined when it does.
 * A digest pins it whatever the tag says; otherwise the tag is what follows the last ":"
 * of the last path segment (a registry port such as `registry:5000/app` is not a tag).
 */
export function unpinnedReason(image: string): string | undefined {
  if (image.trim() === '') return 'has no image';
  const at = image.indexOf('@');
  if (at >= 0) {
    return /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/.test(image.slice(at + 1)) ? undefined : `image "${image}" has a malformed digest`;
  }
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.indexOf(':');
  const tag = colon >= 0 ? lastSegment.slice(colon + 1) : '';
  if (tag === '') return `image "${image}" has no tag (pulls :latest)`;
  if (tag.toLowerCase() === 'latest') return `image "${image}" uses the moving tag :latest`;
  return undefined;
}

export const imageRules: Rule[] = [
  {
    code: 'POLICY_IMAGE_NOT_PINNED',
    title: 'Every container image names a release tag or a digest, never :latest or no tag.',
    hint: 'Pin the image to the release (service.yaml releases.<env>.image) or to a digest (@sha256:…), so that a rollback and a re-sync run the same image.',
    severity: { baseline: 'error', restricted: 'error' },
    check(app) {
      const out: Violation[] = [];
      for (const w of app.workloads) {
        for (const c of w.containers) {
          const reason = unpinnedReason(str(c.spec.image));
          if (reason) out.push(onContainer(w, c, '/image', reason));
        }
      }
      return out;
    },
  },
];
