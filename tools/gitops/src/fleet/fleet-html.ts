import { formatLocation, type Finding } from '../core/findings.js';
import { FLEET_CSS } from './fleet-html-style.js';
import { cellMarks, MARKS, shortConfig, summaryLine, type MarkKey } from './fleet-marks.js';
import { formatDuration } from '../core/release/gates.js';
import type { FleetCell, FleetService, FleetView } from './fleet-view.js';

/**
 * `--format html`: one self-contained static page. No script, no external asset, and a
 * Content-Security-Policy that forbids fetching anything, so it opens the same from a CI
 * artifact, GitHub Pages or a file, with or without JavaScript.
 */
export function fleetHtml(view: FleetView): string {
  const now = Date.parse(view.asOf);
  // Only sections that exist are linked: a team without findings or a chart never released has none.
  const anchors = new Set([...view.teams.map((t) => teamId(t.team)), ...view.charts.map((c) => chartId(c.chart))]);
  const body = [
    `<header><h1>Fleet</h1><p class="meta">As of ${esc(view.asOf.slice(0, 16).replace('T', ' '))} UTC. ${esc(summaryLine(view))}</p></header>`,
    nav(),
    '<main>',
    figures(view),
    matrix(view),
    `<h2 id="services">Services</h2>`,
    ...view.services.map((s) => serviceSection(s, now, anchors)),
    charts(view),
    waivers(view),
    findings(view),
    '</main>',
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Fleet: ${esc(summaryLine(view))}</title>
<style>${FLEET_CSS}</style>
</head>
<body>
${body.join('\n')}
</body>
</html>
`;
}

const SECTIONS = [
  ['matrix', 'Matrix'],
  ['services', 'Services'],
  ['charts', 'Charts'],
  ['waivers', 'Waivers'],
  ['findings', 'Findings'],
] as const;

function nav(): string {
  return `<nav aria-label="Sections"><ul>${SECTIONS.map(([id, label]) => `<li><a href="#${id}">${label}</a></li>`).join('')}</ul></nav>`;
}

function figures(view: FleetView): string {
  const s = view.summary;
  const items: [string, number][] = [
    ['services', s.services],
    ['environments', s.environments],
    ['applications', s.applications],
    ['behind', s.behind],
    ['blocked', s.blocked],
    ['failing', s.failing],
    ['waived', s.waived],
    ['errors', s.errors],
    ['warnings', s.warnings],
  ];
  return `<dl class="figures" id="summary">${items.map(([k, v]) => `<div data-figure="${k}"><dt>${k}</dt><dd>${v}</dd></div>`).join('')}</dl>`;
}

function matrix(view: FleetView): string {
  const head = view.environments.map((e) => `<th scope="col">${esc(e.name)}${e.source ? `<br><span class="muted">from ${esc(e.source)}</span>` : ''}${e.frozen ? `<br><span class="muted">frozen ${esc(e.frozen)}</span>` : ''}</th>`);
  const rows = view.services.map(
    (s) => `<tr data-service="${esc(s.name)}"><th scope="row"><a href="#${serviceId(s.name)}">${esc(s.name)}</a></th><td>${esc(s.team)}</td>${s.cells.map((c) => matrixCell(c, view.configPins)).join('')}</tr>`,
  );
  const legend = `<ul class="legend">${MARKS.map((m) => `<li><span class="swatch" style="background: var(--${m.key})"></span><b>${m.symbol}</b> ${esc(m.label)}</li>`).join('')}<li>— not deployed</li></ul>`;
  return `<h2 id="matrix">Matrix</h2>
<p>Pinned chart version, image tag${view.configPins ? ' and config commit' : ''} per service and environment, environments in promotion order.</p>
${legend}
<div class="scroll"><table class="matrix"><thead><tr><th scope="col">service</th><th scope="col">team</th>${head.join('')}</tr></thead>
<tbody>${rows.join('\n')}</tbody></table></div>`;
}

function matrixCell(c: FleetCell, configPins: boolean): string {
  if (!c.release) return `<td class="absent" data-env="${esc(c.env)}">—</td>`;
  const marks = cellMarks(c);
  const title = cellTitle(c);
  const config = configPins ? `<br><code>${esc(shortConfig(c) ?? 'main')}</code>` : '';
  return `<td class="cell ${marks.join(' ')}" data-env="${esc(c.env)}"${title ? ` title="${esc(title)}"` : ''}>${esc(c.release.chart)} · ${esc(c.release.image)}${config}${markSymbols(marks)}</td>`;
}

function markSymbols(marks: readonly MarkKey[]): string {
  return marks.map((k) => {
    const m = MARKS.find((x) => x.key === k)!;
    return `<span class="mark" title="${esc(m.label)}" aria-label="${esc(m.label)}">${m.symbol}</span>`;
  }).join('');
}

function cellTitle(c: FleetCell): string {
  return [
    c.behind && `behind ${c.behind.source}: ${c.behind.changes.map((ch) => `${ch.part} ${ch.from ?? '—'} → ${ch.to}`).join(', ')}`,
    c.blocked && `blocked: ${c.blocked.join('; ')}`,
    c.errors > 0 && `${c.errors} errors`,
    c.waivers > 0 && `${c.waivers} waivers apply`,
  ]
    .filter(Boolean)
    .join('\n');
}

function serviceSection(s: FleetService, now: number, anchors: ReadonlySet<string>): string {
  const releases = s.cells.map((c) => {
    if (!c.release) return `<tr><th scope="row">${esc(c.env)}</th><td colspan="6" class="muted">not deployed</td></tr>`;
    const config = c.release.config.kind === 'commit' ? `<code>${esc(c.release.config.commit.slice(0, 12))}</code>` : '<span class="muted">default branch</span>';
    const running = c.since ? formatDuration(now - Date.parse(c.since)) : '';
    const state = [
      c.behind && `behind ${esc(c.behind.source)}: ${c.behind.changes.map((ch) => `${ch.part} ${esc(ch.from ?? '—')} → ${esc(ch.to.length === 40 ? ch.to.slice(0, 12) : ch.to)}`).join(', ')}`,
      c.blocked && `<b>blocked</b>: ${c.blocked.map(esc).join('; ')}`,
      c.errors + c.warnings > 0 && link(teamId(s.team), `${c.errors} errors, ${c.warnings} warnings`, anchors),
      c.waivers > 0 && `<a href="#waivers">${c.waivers} waived</a>`,
    ].filter(Boolean);
    return `<tr><th scope="row">${esc(c.env)}</th><td>${esc(c.release.chart)}</td><td>${esc(c.release.image)}</td><td>${config}</td><td>${c.since ? esc(c.since.slice(0, 10)) : '<span class="muted">uncommitted</span>'}</td><td>${running}</td><td>${state.join('<br>') || '<span class="muted">up to date</span>'}</td></tr>`;
  });
  const diffs =
    s.differences.length === 0
      ? '<p>Every environment runs the same release.</p>'
      : `<ul class="differences">${s.differences.map((d) => `<li><b>${d.part}</b>: ${d.values.map((v) => `${esc(v.env)} <code>${esc(d.part === 'config' && v.value.length === 40 ? v.value.slice(0, 12) : v.value)}</code>`).join(', ')}</li>`).join('')}</ul>`;
  const history =
    s.history.length === 0
      ? '<p class="muted">No pin changes in the history.</p>'
      : `<div class="scroll"><table class="history"><thead><tr><th>date</th><th>environment</th><th>change</th><th>author</th><th>commit</th></tr></thead><tbody>${s.history
          .map(
            (e) =>
              `<tr><td>${esc(e.date.slice(0, 10))}</td><td>${esc(e.env)}</td><td>${e.changes.map((c) => `${c.part} ${esc(short(c.from) ?? '—')} → ${esc(short(c.to) ?? '—')}`).join('<br>')}</td><td>${esc(e.author)}</td><td><code>${esc(e.commit.slice(0, 12))}</code> ${esc(e.subject)}</td></tr>`,
          )
          .join('\n')}</tbody></table></div>`;
  return `<section class="service" id="${serviceId(s.name)}" aria-labelledby="${serviceId(s.name)}-title">
<h3 id="${serviceId(s.name)}-title">${esc(s.name)}</h3>
<p>Team ${link(teamId(s.team), s.team, anchors)}, chart ${link(chartId(s.chart), s.chart, anchors)}.${s.description ? ` ${esc(s.description)}` : ''}</p>
<div class="scroll"><table class="releases"><thead><tr><th>environment</th><th>chart</th><th>image</th><th>config</th><th>since</th><th>running for</th><th>state</th></tr></thead><tbody>${releases.join('')}</tbody></table></div>
<h4>What differs between environments</h4>
${diffs}
<h4>Promotion history</h4>
${history}
<p><a href="#matrix">Back to the matrix</a></p>
</section>`;
}

function charts(view: FleetView): string {
  const envs = view.environments.map((e) => e.name);
  const parts = view.charts.map((c) => {
    const rows = c.versions.map((v) => {
      const cells = envs.map((env) => {
        const who = v.pins.filter((p) => p.env === env).map((p) => `<a href="#${serviceId(p.service)}">${esc(p.service)}</a>`);
        return `<td>${who.join(', ')}</td>`;
      });
      return `<tr><th scope="row">${esc(v.version)}${v.version === c.newest ? ' <span class="muted">newest</span>' : ''}</th><td><code>${esc(v.commit.slice(0, 12))}</code></td><td class="num">${v.pins.length}</td>${cells.join('')}</tr>`;
    });
    return `<h3 id="${chartId(c.chart)}">${esc(c.chart)}</h3>
<div class="scroll"><table class="chart-usage" data-chart="${esc(c.chart)}"><thead><tr><th>version</th><th>release commit</th><th>pins</th>${envs.map((e) => `<th>${esc(e)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div>
<p>${c.unused.length ? `Pinned nowhere: ${c.unused.map(esc).join(', ')}. ` : ''}${c.behind.length ? `${c.behind.length} pins behind ${esc(c.newest ?? '')}.` : 'No pin is behind the newest release.'}</p>`;
  });
  return `<h2 id="charts">Charts</h2>\n${parts.join('\n') || '<p>No released chart.</p>'}`;
}

function waivers(view: FleetView): string {
  if (view.waivers.length === 0) return `<h2 id="waivers">Waivers</h2><p>No waivers.</p>`;
  const rows = view.waivers.map(
    (w) =>
      `<tr class="${w.status}"><td><code>${esc(w.rule)}</code></td><td>${w.service === '*' ? 'every service' : `<a href="#${serviceId(w.service)}">${esc(w.service)}</a>`}</td><td>${esc(w.environment ?? 'all')}</td><td>${esc([w.resource?.kind, w.resource?.name].filter(Boolean).join('/') || 'all')}</td><td>${esc(w.owner)}</td><td>${esc(w.expires)}</td><td class="num">${w.daysLeft}</td><td>${w.status}</td><td>${esc(w.reason)}</td><td><code>${esc(w.file)}${w.line ? `:${w.line}` : ''}</code></td></tr>`,
  );
  return `<h2 id="waivers">Waivers</h2>
<p>Soonest expiry first; days left from ${esc(view.today)}.</p>
<div class="scroll"><table class="waivers"><thead><tr><th>rule</th><th>service</th><th>environment</th><th>resource</th><th>owner</th><th>expires</th><th>days left</th><th>status</th><th>reason</th><th>file</th></tr></thead><tbody>${rows.join('\n')}</tbody></table></div>`;
}

function findings(view: FleetView): string {
  if (view.teams.length === 0) return `<h2 id="findings">Findings</h2><p>No findings: gitops check passes.</p>`;
  const index = `<ul>${view.teams.map((t) => `<li><a href="#${teamId(t.team)}">${esc(t.team)}</a>: ${count(t.findings, 'error')} errors, ${count(t.findings, 'warning')} warnings</li>`).join('')}</ul>`;
  const parts = view.teams.map(
    (t) => `<h3 id="${teamId(t.team)}">${esc(t.team)}</h3>
<div class="scroll"><table class="findings" data-team="${esc(t.team)}"><thead><tr><th>severity</th><th>code</th><th>where</th><th>Application</th><th>message</th></tr></thead><tbody>${t.findings.map(findingRow).join('\n')}</tbody></table></div>`,
  );
  return `<h2 id="findings">Findings</h2>\n${index}\n${parts.join('\n')}`;
}

function findingRow(f: Finding): string {
  const app = f.service ? `${f.service}${f.env ? `/${f.env}` : ''}` : '';
  return `<tr><td class="${f.severity}">${f.severity}</td><td><code>${esc(f.code)}</code></td><td><code>${esc(formatLocation(f.location))}</code></td><td>${app ? `<a href="#${serviceId(f.service!)}">${esc(app)}</a>` : ''}</td><td>${esc(f.message)}${f.hint ? `<br><span class="muted">${esc(f.hint)}</span>` : ''}</td></tr>`;
}

const link = (id: string, text: string, anchors: ReadonlySet<string>) => (anchors.has(id) ? `<a href="#${id}">${esc(text)}</a>` : esc(text));
const count = (list: readonly Finding[], severity: Finding['severity']) => list.filter((f) => f.severity === severity).length;
const short = (value: string | undefined) => (value && /^[0-9a-f]{40}$/.test(value) ? value.slice(0, 12) : value);

/** Ids from names: names are DNS labels, but a fragment must never break out of its attribute. */
const slug = (name: string) => name.replace(/[^A-Za-z0-9_-]/g, (c) => `_${c.codePointAt(0)!.toString(16)}`);
const serviceId = (name: string) => `service-${slug(name)}`;
const teamId = (name: string) => `team-${slug(name)}`;
const chartId = (name: string) => `chart-${slug(name)}`;

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
