import { describe, expect, it } from 'vitest';
import { activeFreeze, formatDuration, parseSoak, soakRemaining } from './gates.js';

describe('soak', () => {
  it('parses minutes, hours and days and says how long is left', () => {
    expect([parseSoak('90m'), parseSoak('24h'), parseSoak('3d'), parseSoak('1w'), parseSoak('0h')]).toEqual([5_400_000, 86_400_000, 259_200_000, undefined, undefined]);
    const arrived = new Date('2026-01-01T00:00:00Z');
    expect(soakRemaining({ soak: '24h', arrived, now: new Date('2026-01-01T20:30:00Z') })).toBe(3.5 * 3_600_000);
    expect(soakRemaining({ soak: '24h', arrived, now: new Date('2026-01-02T00:00:00Z') })).toBe(0);
    expect(formatDuration(3.5 * 3_600_000)).toBe('3h 30m');
    expect(formatDuration(26 * 3_600_000)).toBe('1d 2h');
    expect(formatDuration(0)).toBe('0m');
  });
});

describe('activeFreeze', () => {
  const windows = [
    { from: '2026-12-21', until: '2027-01-04', reason: 'year end' },
    { from: '2026-06-01T18:00:00+02:00', until: '2026-06-02T06:00:00Z' },
  ];
  it('finds the window now falls in, from inclusive, until exclusive, dates at midnight UTC', () => {
    expect(activeFreeze(windows, new Date('2026-12-21T00:00:00Z'))?.index).toBe(0);
    expect(activeFreeze(windows, new Date('2027-01-04T00:00:00Z'))).toBeUndefined();
    expect(activeFreeze(windows, new Date('2026-06-01T16:00:00Z'))?.index).toBe(1);
    expect(activeFreeze(windows, new Date('2026-06-01T15:59:59Z'))).toBeUndefined();
  });
});
