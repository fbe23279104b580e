import { hash } from 'node:crypto';
import { MemoTable } from '../../memo-table.js';
import { ValueStore } from '../../value-store.js';
import type { Finding } from '../findings.js';
import type { PlainScalar } from './yaml11-scalars.js';

/** What a text parsed to, without its syntax trees: enough for every reader that needs no position. */
export interface StoredParse {
  findings: Finding[];
  docs: { index: number; data: unknown; start: number; contentsStart: number | undefined; yaml11Scalars: readonly PlainScalar[] }[];
}

let store: ValueStore<StoredParse> | undefined;
let valuesFindings: MemoTable<Finding[]> | undefined;

/**
 * Keeps what each text parses to in the user cache, keyed by the text, its file and the YAML
 * version (and the tool's build, its parser's version included): a later run reads the data
 * back, and parses the text for its syntax tree only when a position in it is asked for.
 */
export function keepParsedYaml(cacheDir: string | undefined): void {
  store = cacheDir === undefined ? undefined : new ValueStore(cacheDir, 'yaml');
  valuesFindings = cacheDir === undefined ? undefined : new MemoTable(cacheDir, 'values-syntax', '', 50_000, Array.isArray);
}

/**
 * What a values file's text parses to as helm reads it, as findings only (a render checks
 * every value file before helm reads it): one table for the fleet, so a run that needs no
 * document of a file reads no parse of it.
 */
export function recallValuesFindings(file: string, text: string): { stored?: Finding[]; store: (findings: Finding[]) => void } {
  const table = valuesFindings;
  if (!table) return { store: () => {} };
  const key = hash('sha256', `${file}\0${text}`, 'base64url');
  const stored = table.get(key);
  return { stored, store: (findings) => table.set(key, findings) };
}

/** The stored parse of a text, and how to store it when there is none. */
export function recallParse(file: string, text: string, version: string): { stored?: StoredParse; store: (parse: StoredParse) => void } {
  const current = store;
  if (!current) return { store: () => {} };
  const key = `${version}\0${file}\0${text}`;
  const stored = current.get(key);
  return { stored: stored && Array.isArray(stored.docs) ? stored : undefined, store: (parse) => current.set(key, parse) };
}
