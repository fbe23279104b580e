import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomic } from '../write-atomic.js';

/** A values text as helm reads it: a content-addressed copy, and the hash that names it in render keys. */
export interface ValuesCopy {
  file: string;
  hash: string;
}

/**
 * The values copies of one run, in the user cache: value files are handed to helm as copies
 * named by their content, so a render of any ref works the same and its cache key is the
 * content, not the path. Each text is hashed and written once per run: an environment's
 * values file is read by every Application of it (the same string, which keeps its hash).
 */
export class ValuesCopies {
  private readonly copies = new Map<string, Promise<ValuesCopy>>();

  constructor(private readonly cacheDir: string) {}

  store(text: string): Promise<ValuesCopy> {
    let copy = this.copies.get(text);
    if (!copy) {
      const hash = createHash('sha256').update(text).digest('hex');
      const file = join(this.cacheDir, 'values', `${hash}.yaml`);
      copy = (existsSync(file) ? Promise.resolve() : writeAtomic(file, text)).then(() => ({ file, hash }));
      // A copy that could not be written is tried again by the next Application that needs it.
      copy.catch(() => this.copies.delete(text));
      this.copies.set(text, copy);
    }
    return copy;
  }
}
