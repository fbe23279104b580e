import type { DecodeMemo, DecodedDocument } from '../core/manifests/manifest.js';
import { ValueStore } from '../value-store.js';

/**
 * The data of rendered streams in the user cache, keyed by a digest of the stream's text: an
 * unchanged render is not read as YAML again (js-yaml costs ~7× reading it back). The
 * positions a finding needs are still worked out from the text itself.
 */
export class ManifestCache {
  private readonly store: ValueStore<DecodedDocument[]>;

  constructor(cacheDir: string) {
    this.store = new ValueStore(cacheDir, 'manifests');
  }

  /** What an earlier run read of the stream with this digest, as a memo for parseManifests; `save` keeps what it read now. */
  recall(digest: string): { memo: DecodeMemo; save: () => void } {
    const stored = this.store.get(digest);
    const known = Array.isArray(stored) ? stored : undefined;
    const memo: DecodeMemo = { known, seen: [] };
    return { memo, save: () => known ?? this.store.set(digest, memo.seen) };
  }
}
