import { ValueStore } from '../../value-store.js';
import type { Finding } from '../findings.js';
import type { PlainScalar } from './yaml11-scalars.js';

/** What a text parsed to, without its syntax trees: enough for every reader that needs no position. */
export interface StoredParse {
  findings: Finding[];
  docs: { index: number; data: unknown; start: number; contentsStart: number | undefined; yaml11Scalars: readonly PlainScalar[] }[];
}

let store: ValueStore<StoredParse> | undefined;

/**
 * Keeps what each text parses to in the user cache, keyed by the text, its file and the YAML
 * version (and the tool's build, its parser's version included): a later run reads the data
 * back, and parses the text for its syntax tree only when a position in it is asked for.
 */
export function keepParsedYaml(cacheDir: string | undefined): void {
  store = cacheDir === undefined ? undefined : new ValueStore(cacheDir, 'yaml');
}

/** The stored parse of a text, and how to store it when there is none. */
export function recallParse(file: string, text: string, version: string): { stored?: StoredParse; store: (parse: StoredParse) => void } {
  const current = store;
  if (!current) return { store: () => {} };
  const key = `${version}\0${file}\0${text}`;
  const stored = current.get(key);
  return { stored: stored && Array.isArray(stored.docs) ? stored : undefined, store: (parse) => current.set(key, parse) };
}
