import type { FleetCell, FleetSummary, FleetView } from './fleet-view.js';

/** How a cell stands, in the order marks are shown. */
export const MARKS = [
  { key: 'behind', symbol: '↓', label: 'behind its promotion source' },
  { key: 'blocked', symbol: '⊘', label: 'blocked: a promotion would be refused now' },
  { key: 'failing', symbol: '✗', label: 'failing gitops check' },
  { key: 'waived', symbol: '≈', label: 'a policy waiver applies' },
] as const;

export type MarkKey = (typeof MARKS)[number]['key'];

export function cellMarks(cell: FleetCell): MarkKey[] {
  const on: Record<MarkKey, boolean> = { behind: Boolean(cell.behind), blocked: Boolean(cell.blocked), failing: cell.errors > 0, waived: cell.waivers > 0 };
  return MARKS.filter((m) => on[m.key]).map((m) => m.key);
}

/** A config commit as people read it: its first 7 characters; none pinned: the default branch. */
export function shortConfig(cell: FleetCell): string | undefined {
  const config = cell.release?.config;
  return config?.kind === 'commit' ? config.commit.slice(0, 7) : undefined;
}

/** "9 services in 4 environments: 27 Applications, 12 behind, 2 blocked, 3 failing, 1 waived; 3 errors, 11 warnings". */
export function summaryLine(view: Pick<FleetView, 'summary'>): string {
  const s: FleetSummary = view.summary;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(s.services, 'service')} in ${plural(s.environments, 'environment')}: ${plural(s.applications, 'Application')}, ${s.behind} behind, ${s.blocked} blocked, ${s.failing} failing, ${s.waived} waived; ${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}`;
}
