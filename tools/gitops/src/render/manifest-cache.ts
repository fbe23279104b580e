import type { Finding } from '../core/findings.js';
import type { DecodeMemo, DecodedDocument, ManifestOrigin, ManifestProblem } from '../core/manifests/manifest.js';
import { JSON_CODEC, ValueStore } from '../value-store.js';

/**
 * What a rendered stream parses to, without its objects: each manifest's kind, name and place,
 * the stream's findings and problems. Enough for every stage that reads no object: a verdict
 * already known, an environment whose policy findings are remembered.
 */
export interface StreamSummary {
  manifests: { origin: ManifestOrigin; doc: number; pointer: string; apiVersion: string; kind: string; name: string; namespace?: string }[];
  problems: ManifestProblem[];
  findings: Finding[];
}

/**
 * Rendered streams in the user cache, keyed by a digest of the stream's text, in two entries:
 * the data of its documents (js-yaml costs ~7× reading it back), and its summary (a small
 * fraction of that), so that a run whose objects are all judged already reads no object. The
 * positions a finding needs are still worked out from the text itself.
 */
export class ManifestCache {
  private readonly docs: ValueStore<DecodedDocument[]>;
  private readonly summaries: ValueStore<StreamSummary>;

  constructor(cacheDir: string) {
    // JSON holds all the cluster reads (kube-yaml refuses NaN and infinities, decodes !!binary
    // to text); a -0.0 reads back as 0, which no schema or rule tells apart.
    this.docs = new ValueStore(cacheDir, 'manifests', JSON_CODEC);
    this.summaries = new ValueStore(cacheDir, 'stream-summaries', JSON_CODEC);
  }

  /** What an earlier run read of the stream with this digest, as a memo for parseManifests; `save` keeps what it read now. */
  recall(digest: string): { memo: DecodeMemo; save: () => void } {
    const stored = this.docs.get(digest);
    const known = Array.isArray(stored) ? stored : undefined;
    const memo: DecodeMemo = { known, seen: [] };
    const save = () => {
      if (!known) this.docs.set(digest, memo.seen);
    };
    return { memo, save };
  }

  /** The summary of a stream as parsed under `key` (its digest, file and origin), if an earlier run kept one. */
  summary(key: string): StreamSummary | undefined {
    const stored = this.summaries.get(key);
    return stored && Array.isArray(stored.manifests) && Array.isArray(stored.problems) && Array.isArray(stored.findings) ? stored : undefined;
  }

  keepSummary(key: string, summary: StreamSummary): void {
    this.summaries.set(key, summary);
  }
}
