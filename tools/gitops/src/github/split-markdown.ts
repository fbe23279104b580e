import { InternalError } from '../core/errors.js';

/** GitHub refuses a comment body longer than this many characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;

/** Room syncStickyComment keeps in every part for the hidden marker and the link to the full report. */
export const STICKY_COMMENT_RESERVE = 1_024;

/** The default size of one part: a whole comment minus what syncStickyComment adds to it. */
export const DEFAULT_PART_LIMIT = GITHUB_COMMENT_LIMIT - STICKY_COMMENT_RESERVE;

interface Fence {
  /** The opening line as written, info string included: reopening repeats it. */
  line: string;
  indent: string;
  char: '`' | '~';
  length: number;
}

interface Details {
  /** The opening tag as written (`<details>`, `<details open>`). */
  tag: string;
  summary?: string;
}

/** What is open at a line boundary: nested `<details>`, and at most one code fence inside them. */
interface OpenBlocks {
  details: readonly Details[];
  fence: Fence | undefined;
}

const FENCE_OPEN = /^( {0,3})(`{3,}|~{3,})(.*)$/;
const FENCE_CLOSE = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;
const HTML_TAG = /<details(?:\s[^>]*)?>|<\/details\s*>|<summary(?:\s[^>]*)?>(.*?)<\/summary\s*>/gi;
const HEADING = /^ {0,3}#{1,6}(?:\s|$)/;

/**
 * Splits a Markdown report into parts that each fit in `limit` characters (UTF-16 code
 * units, i.e. JS `length`, which is never less than what GitHub counts).
 *
 * - Splits between blocks (after a blank line, around a fence, a heading or a
 *   `<details>` tag); only a block longer than a whole part is split between lines, and
 *   only a line longer than a whole part inside the line.
 * - A code fence cut in two is closed at the end of the part and reopened, with the
 *   same info string (`diff`, `yaml`), at the start of the next one.
 * - `<details>` sections are kept balanced the same way; the reopened one is titled
 *   with its summary and "(continued)".
 * - With more than one part, each starts with a "Part i of n" line.
 *
 * Returns `[]` for an empty report and `[markdown]` unchanged when it fits.
 */
export function splitMarkdown(markdown: string, limit: number = DEFAULT_PART_LIMIT): string[] {
  if (markdown.trim() === '') return [];
  if (markdown.length <= limit) return [markdown];

  const lines = markdown.split('\n');
  const open = scanOpenBlocks(lines);
  // Room for the "Part i of n" line, sized for the largest n this input could produce.
  const digits = String(markdown.length + lines.length).length;
  const headerSize = sizeOf(header(10 ** digits - 1, 10 ** digits - 1));
  /** Room for content in a part that starts (and ends) with `state` open. */
  const room = (state: OpenBlocks) => limit - headerSize - sizeOf(reopen(state)) - closeSize(state);
  const oversized = oversizedFenceLines(lines, open, room);

  const chunks: { start: OpenBlocks; content: string[]; end: OpenBlocks }[] = [];
  let i = 0;
  let rest: string | undefined; // what is left of line i after cutting it
  const lineAt = (k: number) => (k === i && rest !== undefined ? rest : lines[k]!);
  while (i < lines.length) {
    const start = open[i]!;
    const budget = limit - headerSize - sizeOf(reopen(start));
    let size = 0;
    let lastBlock = -1;
    let lastLine = -1;
    let j = i; // ends at the first line that does not fit
    for (; j < lines.length; j++) {
      const next = size + lineAt(j).length + 1;
      if (next > budget) break;
      size = next;
      // Closing what is open costs room too; it may cost less a few lines on, so go on looking.
      if (size + closeSize(open[j + 1]!) > budget) continue;
      lastLine = j + 1;
      if (isBlockBoundary(lines, open, oversized, j + 1)) lastBlock = j + 1;
    }
    const take = (end: number, piece?: string) => {
      const content = lines.slice(i, end);
      if (rest !== undefined && end > i) content[0] = rest;
      if (piece !== undefined) content.push(piece);
      chunks.push({ start, content, end: open[end]! });
    };
    if (lastBlock > i) {
      take(lastBlock);
      [i, rest] = [lastBlock, undefined];
      continue;
    }
    // No block ends in reach. A line no part can hold is cut here, after whatever fits
    // before it, keeping surrogate pairs whole; its pieces count as content of whatever
    // is open around it.
    if (j < lines.length && lineAt(j).length + 1 > room(open[j]!)) {
      let cut = budget - size - closeSize(open[j]!) - 1;
      const text = lineAt(j);
      if (cut > 1 && isHighSurrogate(text.charCodeAt(cut - 1))) cut--;
      if (cut >= 1) {
        take(j, text.slice(0, cut));
        if (j > i) i = j;
        rest = text.slice(cut);
        continue;
      }
    }
    if (lastLine > i) {
      take(lastLine);
      [i, rest] = [lastLine, undefined];
      continue;
    }
    throw new InternalError('INTERNAL', `A comment part of ${limit} characters cannot hold the nesting around line ${i + 1}.`);
  }

  const parts = chunks.map((chunk, index) =>
    [...header(index + 1, chunks.length), ...reopen(chunk.start), ...chunk.content, ...close(chunk.end)].join('\n'),
  );
  const tooLong = parts.findIndex((part) => part.length > limit);
  if (tooLong >= 0) {
    throw new InternalError('INTERNAL', `Part ${tooLong + 1} of the split report is ${parts[tooLong]!.length} characters, over ${limit}.`);
  }
  return parts;
}

function header(index: number, count: number): string[] {
  return [`_Part ${index} of ${count}_`, ''];
}

/** Lines that reopen, at the start of a part, what the previous part had to close. */
function reopen(state: OpenBlocks): string[] {
  const lines: string[] = [];
  for (const details of state.details) {
    const title = details.summary ? `${details.summary} (continued)` : '(continued)';
    // GitHub renders Markdown inside <details> only after a blank line.
    lines.push(details.tag, `<summary>${title}</summary>`, '');
  }
  if (state.fence) lines.push(state.fence.line);
  return lines;
}

/** Lines that close, at the end of a part, what is still open there. */
function close(state: OpenBlocks): string[] {
  const lines: string[] = [];
  if (state.fence) lines.push(fenceCloser(state.fence));
  if (state.details.length > 0) lines.push('', ...state.details.map(() => '</details>'));
  return lines;
}

function closeSize(state: OpenBlocks): number {
  return (
    (state.fence ? fenceCloser(state.fence).length + 1 : 0) +
    (state.details.length > 0 ? 1 + state.details.length * ('</details>'.length + 1) : 0)
  );
}

function fenceCloser(fence: Fence): string {
  return fence.indent + fence.char.repeat(fence.length);
}

/** Characters the lines take joined by newlines, counting one newline per line (an upper bound). */
function sizeOf(lines: readonly string[]): number {
  return lines.reduce((sum, line) => sum + line.length + 1, 0);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isBlank(line: string): boolean {
  return line.trim() === '';
}

/** open[i] is what is open before line i; open[lines.length] is what is open at the end. */
function scanOpenBlocks(lines: readonly string[]): OpenBlocks[] {
  let state: OpenBlocks = { details: [], fence: undefined };
  const open: OpenBlocks[] = [state];
  for (const line of lines) {
    if (state.fence) {
      const match = FENCE_CLOSE.exec(line);
      if (match && match[1]![0] === state.fence.char && match[1]!.length >= state.fence.length) {
        state = { details: state.details, fence: undefined };
      }
    } else {
      const match = FENCE_OPEN.exec(line);
      const marker = match?.[2];
      // A backtick fence's info string may not contain a backtick (CommonMark); such a line is inline code.
      if (match && marker && !(marker[0] === '`' && match[3]!.includes('`'))) {
        state = {
          details: state.details,
          fence: { line, indent: match[1]!, char: marker[0] as '`' | '~', length: marker.length },
        };
      } else {
        state = { details: applyDetailsTags(line, state.details), fence: undefined };
      }
    }
    open.push(state);
  }
  return open;
}

function applyDetailsTags(line: string, details: readonly Details[]): readonly Details[] {
  // Tags quoted in inline code (`<details>`) are text, not structure.
  const html = line.replace(/`[^`]*`/g, '');
  if (!/<\/?(?:details|summary)/i.test(html)) return details;
  const stack = [...details];
  for (const match of html.matchAll(HTML_TAG)) {
    const tag = match[0];
    if (/^<details/i.test(tag)) stack.push({ tag });
    else if (/^<\/details/i.test(tag)) stack.pop();
    else {
      const top = stack.at(-1);
      if (top && top.summary === undefined) stack[stack.length - 1] = { ...top, summary: match[1]!.trim() };
    }
  }
  return stack;
}

/**
 * Lines k inside a fence too big for any part, before which a part may end: not straight
 * after the opening line nor straight before the closing one, so no part shows an empty fence.
 */
function oversizedFenceLines(
  lines: readonly string[],
  open: readonly OpenBlocks[],
  room: (state: OpenBlocks) => number,
): Set<number> {
  const result = new Set<number>();
  for (let opener = 0; opener < lines.length; opener++) {
    const fence = open[opener + 1]!.fence;
    if (!fence || open[opener]!.fence === fence) continue;
    let closer = opener + 1;
    while (closer < lines.length && open[closer + 1]!.fence === fence) closer++;
    const size = sizeOf(lines.slice(opener, closer + 1));
    if (size > room(open[opener]!)) for (let k = opener + 2; k < closer; k++) result.add(k);
    opener = closer;
  }
  return result;
}

/** Whether a part may end before line k without cutting a block (or cutting a fence that must be). */
function isBlockBoundary(lines: readonly string[], open: readonly OpenBlocks[], oversized: ReadonlySet<number>, k: number): boolean {
  if (k >= lines.length) return true;
  if (open[k]!.fence) return oversized.has(k);
  const previous = lines[k - 1]!;
  const next = lines[k]!;
  const boundary =
    isBlank(previous) ||
    open[k - 1]!.fence !== undefined || // the previous line closed a fence
    FENCE_OPEN.test(next) ||
    HEADING.test(next) ||
    /^\s*<\/?details/i.test(next) ||
    /^\s*<\/details/i.test(previous);
  if (!boundary) return false;
  // Not straight after a <details> opening or its summary: that would leave an empty section behind.
  let j = k - 1;
  while (j >= 0 && isBlank(lines[j]!)) j--;
  return !(j >= 0 && !open[j]!.fence && /<details|<summary/i.test(lines[j]!) && !/<\/details/i.test(lines[j]!));
}
