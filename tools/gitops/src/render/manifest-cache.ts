import type { DecodeMemo, DecodedDocument } from '../core/manifests/manifest.js';
import { JSON_CODEC, ValueStore } from '../value-store.js';

/**
 * The data of rendered streams in the user cache, keyed by a digest of the stream's text: an
 * unchanged render is not read as YAML again (js-yaml costs ~7× reading it back). The
 * positions a finding needs are still worked out from the text itself.
 */
export class ManifestCache {
  private readonly store: ValueStore<DecodedDocument[]>;

  constructor(cacheDir: string) {
    // JSON holds all the cluster reads (kube-yaml refuses NaN and infinities, decodes !!binary
    // to text); a -0.0 reads back as 0, which no schema or rule tells apart.
    this.store = new ValueStore(cacheDir, 'manifests', JSON_CODEC);
  }

  /** What an earlier run read of the stream with this digest, as a memo for parseManifests; `save` keeps what it read now. */
  recall(digest: string): { memo: DecodeMemo; save: () => void } {
    const stored = this.store.get(digest);
    const known = Array.isArray(stored) ? stored : undefined;
    const memo: DecodeMemo = { known, seen: [] };
    const save = () => {
      if (!known) this.store.set(digest, memo.seen);
    };
    return { memo, save };
  }
}
