/**
 * The page's only style sheet, inlined: the page must open from an artifact or a file with no
 * network, so nothing is linked. System fonts; wide tables scroll inside their own box so the
 * page itself never scrolls sideways on a phone.
 */
export const FLEET_CSS = `
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #fff; --head: #f6f8fa;
  --behind: #fff1c2; --blocked: #f3d9fa; --failing: #ffd7d5; --waived: #d7f0fb; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header, main, nav { max-width: 1200px; margin: 0 auto; padding: 0 16px; }
header { padding-top: 20px; }
h1 { font-size: 1.6em; margin: 0 0 4px; }
h2 { font-size: 1.3em; margin: 32px 0 8px; padding-top: 8px; border-top: 1px solid var(--line); }
h3 { font-size: 1.1em; margin: 24px 0 6px; }
p.meta, .muted { color: var(--muted); }
nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 16px; padding: 8px 0; margin: 0; border-bottom: 1px solid var(--line); }
nav a { font-weight: 600; }
a { color: #0969da; }
dl.figures { display: flex; flex-wrap: wrap; gap: 8px; margin: 12px 0; }
dl.figures div { border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px; min-width: 96px; }
dl.figures dt { font-size: .8em; color: var(--muted); }
dl.figures dd { margin: 0; font-size: 1.4em; font-weight: 600; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--head); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .92em; }
td.cell { white-space: nowrap; }
td.absent { color: var(--muted); text-align: center; }
td.behind { background: var(--behind); }
td.waived { background: var(--waived); }
td.blocked { background: var(--blocked); }
td.failing { background: var(--failing); }
.mark { font-weight: 700; margin-left: 4px; }
ul.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 16px; }
ul.legend span.swatch { display: inline-block; width: 1em; height: 1em; vertical-align: -2px; border: 1px solid var(--line); margin-right: 4px; }
section.service { border-top: 1px dashed var(--line); }
.error { color: #b3261e; font-weight: 600; }
.warning { color: #8a5a00; font-weight: 600; }
@media (max-width: 640px) { body { font-size: 14px; } th, td { padding: 3px 5px; } }
`;
