import { Option } from 'commander';

/** commander accumulator for repeatable options (--env a --env b). */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a positive whole number, got "${value}"`);
  return n;
}

/** --concurrency, shared by every command that runs helm. */
export function concurrencyOption(): Option {
  return new Option('--concurrency <n>', 'helm processes at once (default: CPU count)').argParser(positiveInt);
}
