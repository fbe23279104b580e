import type { FreezeWindow } from '../repo/model.js';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A soak duration of environment.yaml (`24h`, `3d`, `90m`) in milliseconds; undefined when it does not parse. */
export function parseSoak(soak: string): number | undefined {
  const m = /^([1-9][0-9]*)(m|h|d)$/.exec(soak);
  return m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : undefined;
}

/** `90m`, `1d 2h`: a duration for people, to the minute. */
export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  return [d ? `${d}d` : '', h ? `${h}h` : '', m || (!d && !h) ? `${m}m` : ''].filter(Boolean).join(' ');
}

/** How much longer the release must soak; 0 when it soaked long enough. */
export function soakRemaining(args: { soak: string; arrived: Date; now: Date }): number {
  const need = parseSoak(args.soak);
  if (need === undefined) throw new TypeError(`soak "${args.soak}" does not parse`);
  return Math.max(0, args.arrived.getTime() + need - args.now.getTime());
}

/** A freeze window's bound as an instant: a date alone is midnight UTC. */
export function freezeInstant(bound: string): Date {
  return new Date(/^\d{4}-\d{2}-\d{2}$/.test(bound) ? `${bound}T00:00:00Z` : bound);
}

/** The freeze window `now` falls in, [from, until), if any. */
export function activeFreeze(windows: readonly FreezeWindow[], now: Date): { window: FreezeWindow; index: number } | undefined {
  const index = windows.findIndex((w) => freezeInstant(w.from) <= now && now < freezeInstant(w.until));
  return index === -1 ? undefined : { window: windows[index]!, index };
}
