import { createTwoFilesPatch } from 'diff';
import { formatLocation, type Finding } from '../core/findings.js';
import type { PartChange } from '../core/release/release-delta.js';
import { markdownReport as diffMarkdown, textReport as diffText } from '../diff/report.js';
import type { PromotionCandidate } from './candidates.js';
import type { PinEdit, PromotionOutcome } from './promote.js';

export type CandidateState = 'ready' | 'blocked' | 'up to date';

export function candidateState(c: PromotionCandidate): CandidateState {
  if (c.blocked.length > 0) return 'blocked';
  return c.delta.status === 'differs' ? 'ready' : 'up to date';
}

/** `chart 1.0.0 -> 1.1.0, image 2.3.0 -> 2.3.1, config 8f8a96ac -> 1c2d3e4f (3 commits)`. */
export function describeChanges(c: PromotionCandidate): string {
  if (c.delta.status !== 'differs') return c.delta.status === 'equal' ? 'same release as the source' : `not in ${c.source}`;
  return c.delta.changes.map((ch) => describeChange(ch, c.configBehind)).join(', ');
}

function describeChange(ch: PartChange, behind: number | undefined): string {
  const short = (v: string | undefined) => (v === undefined ? '(none)' : ch.part === 'config' ? v.slice(0, 12) : v);
  const commits = ch.part === 'config' && behind !== undefined ? ` (${behind} commit${behind === 1 ? '' : 's'} behind)` : '';
  return `${ch.part} ${short(ch.from)} -> ${short(ch.to)}${commits}`;
}

/** The one-line summary: what is promoted, ready and blocked, or that there is nothing to do. */
export function promotionSummary(o: PromotionOutcome, mode: 'plan' | 'dry-run' | 'write'): string {
  const route = `${o.source ?? '?'} -> ${o.target}`;
  if (o.refusals.length > 0) return `promote ${route}: refused (${o.refusals.map((f) => f.code).join(', ')})`;
  const count = (s: CandidateState) => o.candidates.filter((c) => candidateState(c) === s).length;
  const [ready, blocked, same] = [count('ready'), count('blocked'), count('up to date')];
  if (ready + blocked === 0) return `promote ${route}: nothing to promote, ${o.target} already runs ${o.candidates.length === 1 ? `the release of ${o.candidates[0]!.service}` : 'these releases'} of ${o.source}`;
  const verdict = mode === 'plan' ? '' : blocked > 0 ? ': refused, nothing written' : mode === 'dry-run' ? ': dry run, nothing written' : `: ${o.edits.length} file${o.edits.length === 1 ? '' : 's'} written`;
  return `promote ${route}: ${ready} ready, ${blocked} blocked, ${same} up to date${verdict}`;
}

/** Text report: one line per service, then (unless --plan) the edit and the rendered diff of the target. */
export function textReport(o: PromotionOutcome, mode: 'plan' | 'dry-run' | 'write'): string {
  let out = `${promotionSummary(o, mode)}\n`;
  for (const f of o.refusals) out += `  ${formatLocation(f.location)}: ${f.message}\n`;
  const width = Math.max(8, ...o.candidates.map((c) => c.service.length));
  for (const c of o.candidates) {
    out += `${c.service.padEnd(width)}  ${candidateState(c).padEnd(10)}  ${describeChanges(c)}\n`;
    for (const f of c.blocked) out += `${' '.repeat(width + 2)}  ${f.code} ${formatLocation(f.location)}: ${f.message}\n`;
  }
  if (mode === 'plan') return out;
  for (const e of o.edits) out += editPatch(e);
  if (o.diff) out += diffText(o.diff);
  return out;
}

/** The edit of one file as a unified diff. */
export function editPatch(e: PinEdit): string {
  return createTwoFilesPatch(`a/${e.file}`, `b/${e.file}`, e.before, e.after, undefined, undefined, { context: 1 }).replace(/^={67}\n/m, '').replace(/^Index: .*\n/m, '');
}

/** Markdown, in the grammar of the other reports: a summary line, a table per service, the edit and the rendered diff. */
export function markdownReport(o: PromotionOutcome, mode: 'plan' | 'dry-run' | 'write'): string {
  const lines = [`### ${promotionSummary(o, mode)}`, ''];
  for (const f of o.refusals) lines.push(`- \`${f.code}\` ${formatLocation(f.location)}: ${f.message}`);
  if (o.candidates.length > 0) {
    lines.push('| service | state | changes | why |', '| --- | --- | --- | --- |');
    for (const c of o.candidates) lines.push(`| ${c.service} | ${candidateState(c)} | ${describeChanges(c)} | ${c.blocked.map((f) => `\`${f.code}\` ${escapeCell(f.message)}`).join('<br>')} |`);
    lines.push('');
  }
  if (mode !== 'plan' && o.edits.length > 0) {
    lines.push('<details><summary>Pin edits</summary>', '', '```diff', ...o.edits.map((e) => editPatch(e).trimEnd()), '```', '', '</details>', '');
  }
  if (mode !== 'plan' && o.diff) lines.push(diffMarkdown(o.diff));
  return lines.join('\n');
}

/** The JSON `data` of the report: per service, the release delta, the gates and the refusals. */
export function jsonData(o: PromotionOutcome, mode: 'plan' | 'dry-run' | 'write'): Record<string, unknown> {
  return {
    target: o.target,
    source: o.source ?? null,
    mode,
    written: o.written,
    services: o.candidates.map((c) => ({
      service: c.service,
      state: candidateState(c),
      current: c.delta.status === 'absent-in-source' ? (c.delta.current ?? null) : (c.delta.current ?? null),
      promoted: c.delta.status === 'absent-in-source' ? null : c.delta.promoted,
      changes: c.delta.status === 'differs' ? c.delta.changes : [],
      configCommitsBehind: c.configBehind ?? null,
      arrivedInSource: c.arrived?.toISOString() ?? null,
      blocked: c.blocked.map(findingRef),
    })),
    refusals: o.refusals.map(findingRef),
    edits: o.edits.map((e) => ({ file: e.file, service: e.service })),
  };
}

function findingRef(f: Finding): { code: string; message: string; location: string } {
  return { code: f.code, message: f.message, location: formatLocation(f.location) };
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
