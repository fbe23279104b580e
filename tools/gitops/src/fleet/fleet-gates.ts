import type { FreezeWindow } from '../core/repo/model.js';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** environment.yaml `promotion.soak` ("24h", "3d", "90m") in milliseconds; undefined when it is not one (the schema reports it). */
export function parseSoak(text: string): number | undefined {
  const m = /^([1-9][0-9]*)(m|h|d)$/.exec(text);
  return m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : undefined;
}

/** The freeze window open at `now`, if any: [from, until), a bare date meaning UTC midnight. */
export function activeFreeze(windows: readonly FreezeWindow[], now: Date): FreezeWindow | undefined {
  const at = (text: string) => Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  return windows.find((w) => at(w.from) <= now.getTime() && now.getTime() < at(w.until));
}
