import { cellMarks, MARKS, shortConfig, summaryLine } from './fleet-marks.js';
import type { FleetCell, FleetView } from './fleet-view.js';

/** `--format markdown`: the matrix and what needs attention, for a job summary or an issue. */
export function fleetMarkdown(view: FleetView): string {
  const cell = (c: FleetCell) => {
    if (!c.release) return '—';
    const symbols = cellMarks(c).map((k) => MARKS.find((m) => m.key === k)!.symbol).join('');
    const config = view.configPins ? ` \`${shortConfig(c) ?? 'main'}\`` : '';
    return `${c.release.chart} · ${c.release.image}${config}${symbols ? ` ${symbols}` : ''}`;
  };
  const lines = [
    '## Fleet',
    '',
    summaryLine(view),
    '',
    `| service | team | ${view.environments.map((e) => (e.source ? `${e.name} (← ${e.source})` : e.name)).join(' | ')} |`,
    `| --- | --- | ${view.environments.map(() => '---').join(' | ')} |`,
    ...view.services.map((s) => `| ${escape(s.name)} | ${escape(s.team)} | ${s.cells.map(cell).join(' | ')} |`),
    '',
    `${MARKS.map((m) => `${m.symbol} ${m.label}`).join(' · ')} · — not deployed`,
  ];
  const attention = view.services.flatMap((s) =>
    s.cells
      .filter((c) => c.behind || c.blocked || c.errors > 0)
      .map((c) => {
        const what = [
          c.behind && `behind ${c.behind.source} (${c.behind.changes.map((ch) => `${ch.part} ${ch.from ?? '—'} → ${ch.to}`).join(', ')})`,
          c.blocked && `blocked: ${c.blocked.join('; ')}`,
          c.errors > 0 && `${c.errors} error${c.errors === 1 ? '' : 's'}`,
        ].filter(Boolean);
        return `- **${escape(s.name)}/${c.env}**: ${escape(what.join(', '))}`;
      }),
  );
  if (attention.length > 0) lines.push('', '### Needs attention', '', ...attention);
  const soon = view.waivers.filter((w) => w.status !== 'active' || w.daysLeft <= 30);
  if (soon.length > 0) {
    lines.push('', '### Waivers expired, unused or expiring within 30 days', '', '| rule | service | owner | expires | status |', '| --- | --- | --- | --- | --- |');
    for (const w of soon) lines.push(`| \`${w.rule}\` | ${escape(w.service)}${w.environment ? `/${w.environment}` : ''} | ${escape(w.owner)} | ${w.expires} | ${w.status} |`);
  }
  if (view.teams.length > 0) {
    lines.push('', '### Findings by team', '', '| team | errors | warnings |', '| --- | --- | --- |');
    for (const t of view.teams) lines.push(`| ${escape(t.team)} | ${t.findings.filter((f) => f.severity === 'error').length} | ${t.findings.filter((f) => f.severity === 'warning').length} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** Table cells: a pipe ends the cell, and Markdown in names would render. */
function escape(text: string): string {
  return text.replace(/[\\|*_`<>[\]]/g, (c) => `\\${c}`);
}
