import { styleText } from 'node:util';
import { cellMarks, MARKS, shortConfig, summaryLine, type MarkKey } from './fleet-marks.js';
import type { FleetCell, FleetView } from './fleet-view.js';

type Style = Parameters<typeof styleText>[0];
const MARK_STYLE: Record<MarkKey, Style> = { behind: 'yellow', blocked: 'magenta', failing: 'red', waived: 'cyan' };

/**
 * The terminal matrix: a row per service, a column per environment in promotion order, each
 * cell "chart image [config] marks", a legend and the summary line. `color` only on a terminal.
 */
export function fleetText(view: FleetView, options: { color: boolean }): string {
  const paint = (style: Style, text: string) => (options.color ? styleText(style, text, { validateStream: false }) : text);
  const head = ['SERVICE', 'TEAM', ...view.environments.map((e) => (e.source ? `${e.name} (← ${e.source})` : e.name))];
  const rows = view.services.map((s) => [
    { text: s.name },
    { text: s.team },
    ...s.cells.map((c) => cellText(c, view.configPins, paint)),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.text.length)));
  const line = (cells: { text: string; painted?: string }[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? (c.painted ?? c.text) : (c.painted ?? c.text) + ' '.repeat(widths[i]! - c.text.length)))
      .join('  ')
      .trimEnd();
  let out = `${paint('bold', line(head.map((text) => ({ text }))))}\n`;
  for (const row of rows) out += `${line(row)}\n`;
  if (view.services.length === 0) out += 'no services match\n';
  out += `\n${MARKS.map((m) => `${paint(MARK_STYLE[m.key], m.symbol)} ${m.label}`).join('   ')}; — not deployed\n`;
  // One line per reason: a broken chain or a freeze blocks a whole environment at once.
  const blocked = new Map<string, string[]>();
  for (const s of view.services) for (const c of s.cells) for (const reason of c.blocked ?? []) blocked.set(reason, [...(blocked.get(reason) ?? []), `${s.name}/${c.env}`]);
  if (blocked.size > 0) out += `blocked:\n${[...blocked].map(([reason, apps]) => `  ${apps.join(', ')}: ${reason}\n`).join('')}`;
  return `${out}${summaryLine(view)}\n`;
}

function cellText(cell: FleetCell, configPins: boolean, paint: (style: Style, text: string) => string): { text: string; painted: string } {
  if (!cell.release) return { text: '—', painted: paint('dim', '—') };
  const parts = [cell.release.chart, cell.release.image, ...(configPins ? [shortConfig(cell) ?? 'main'] : [])];
  const marks = cellMarks(cell);
  const symbols = marks.map((k) => MARKS.find((m) => m.key === k)!.symbol);
  const text = [parts.join(' '), ...(symbols.length ? [symbols.join('')] : [])].join(' ');
  const painted = [parts.join(' '), ...(symbols.length ? [marks.map((k, i) => paint(MARK_STYLE[k], symbols[i]!)).join('')] : [])].join(' ');
  return { text, painted };
}
