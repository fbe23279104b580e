import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PART_LIMIT,
  GITHUB_COMMENT_LIMIT,
  STICKY_COMMENT_RESERVE,
  splitMarkdown,
} from '../../src/github/split-markdown.js';

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const HEADER = /^_Part (\d+) of (\d+)_$/;

/** A part's lines without its "Part i of n" header. */
function body(part: string): string[] {
  const lines = part.split('\n');
  return HEADER.test(lines[0]!) ? lines.slice(2) : lines;
}

/** The fence still open after the lines, by CommonMark's rule: closed by a fence line of the same character, at least as long. */
function openFence(lines: string[]): string | undefined {
  let fence: string | undefined;
  for (const line of lines) {
    const marker = FENCE.exec(line)?.[1];
    if (!marker) continue;
    if (fence === undefined) fence = marker;
    else if (marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = undefined;
  }
  return fence;
}

/** Fences and <details> balance within every part, and the header numbers the parts. */
function expectWellFormed(parts: string[], limit: number): void {
  for (const [i, part] of parts.entries()) {
    expect(part.length, `part ${i + 1} length`).toBeLessThanOrEqual(limit);
    const lines = part.split('\n');
    if (parts.length > 1) expect(lines[0]).toBe(`_Part ${i + 1} of ${parts.length}_`);
    expect(openFence(lines), `fence left open in part ${i + 1}`).toBeUndefined();
    const opened = (part.match(/<details[\s>]/g) ?? []).length;
    const closed = (part.match(/<\/details>/g) ?? []).length;
    expect(closed, `<details> in part ${i + 1}`).toBe(opened);
  }
}

/**
 * Every original line survives, in order; whatever else the parts hold is what closes and
 * reopens a fence or a <details> section at a split.
 */
function expectAllLinesKept(markdown: string, parts: string[]): void {
  const original = markdown.split('\n');
  let next = 0;
  const added: string[] = [];
  for (const line of parts.flatMap(body)) {
    if (next < original.length && line === original[next]) next++;
    else added.push(line);
  }
  expect(next, `original lines found in order (next missing: ${JSON.stringify(original[next])})`).toBe(original.length);
  for (const line of added) {
    expect(
      line === '' || FENCE.test(line) || line === '</details>' || /^<details/.test(line) || /^<summary>.*\(continued\)<\/summary>$/.test(line),
      `unexpected added line ${JSON.stringify(line)}`,
    ).toBe(true);
  }
}

/** Small deterministic PRNG so that the generated reports are the same on every run. */
function random(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) % n) as number;
  };
}

/** A report shaped like `gitops diff --format markdown`: a table, then one section per Application. */
function generateReport(seed: number): string {
  const pick = random(seed);
  const lines = ['## Diff', '', '| environment | changed |', '| --- | --- |', '| prod | 3 |', '| staging | 1 |', ''];
  const apps = 3 + pick(6);
  for (let a = 0; a < apps; a++) {
    lines.push(`<details${pick(2) ? ' open' : ''}><summary>prod/service-${a}: changed</summary>`, '');
    const resources = 1 + pick(4);
    for (let r = 0; r < resources; r++) {
      lines.push(`#### Deployment orders-${r}`, '');
      if (pick(4) === 0) lines.push('Secret `orders-db`: `data.password` changed (12 → 16 bytes)', '');
      const fence = pick(5) === 0 ? '~~~' : '```';
      lines.push(`${fence}${pick(3) === 0 ? 'yaml' : 'diff'}`);
      const size = pick(4) === 0 ? 400 + pick(800) : 5 + pick(60);
      for (let l = 0; l < size; l++) lines.push(`${pick(2) ? '+' : '-'}  image: registry.example/orders:${seed}.${a}.${r}.${l} ✓`);
      lines.push(fence, '');
    }
    lines.push('</details>', '');
  }
  return lines.join('\n');
}

describe('splitMarkdown', () => {
  it('returns a report that fits as it is, and nothing for an empty one', () => {
    expect(splitMarkdown('## Diff\n\nno changes\n')).toEqual(['## Diff\n\nno changes\n']);
    expect(splitMarkdown('')).toEqual([]);
    expect(splitMarkdown('\n  \n')).toEqual([]);
  });

  it('leaves room in each part for the marker and the link that the sticky comment adds', () => {
    expect(DEFAULT_PART_LIMIT).toBe(GITHUB_COMMENT_LIMIT - STICKY_COMMENT_RESERVE);
    const report = generateReport(7).repeat(3);
    expect(report.length).toBeGreaterThan(2 * GITHUB_COMMENT_LIMIT);
    const parts = splitMarkdown(report);
    expect(parts.length).toBeGreaterThan(2);
    expectWellFormed(parts, DEFAULT_PART_LIMIT);
    expectAllLinesKept(report, parts);
  });

  it('splits between blocks, never inside a paragraph or a table', () => {
    const paragraph = (n: number) => Array.from({ length: 4 }, (_, i) => `paragraph ${n} line ${i} ${'x'.repeat(20)}`).join('\n');
    const table = ['| a | b |', '| --- | --- |', '| 1 | 2 |', '| 3 | 4 |'].join('\n');
    const report = [paragraph(1), table, paragraph(2), table, paragraph(3), paragraph(4)].join('\n\n');

    const parts = splitMarkdown(report, 260);

    expect(parts.length).toBeGreaterThan(2);
    expectWellFormed(parts, 260);
    expectAllLinesKept(report, parts);
    const blocks = report.split('\n\n');
    for (const part of parts) {
      const text = body(part).join('\n').trim();
      // Each part is a run of whole blocks.
      expect(text.split('\n\n').every((block) => blocks.includes(block)), text).toBe(true);
    }
  });

  it('closes a huge diff fence at the end of each part and reopens it with its info string', () => {
    const lines = Array.from({ length: 2000 }, (_, i) => `+  line ${i}`);
    const report = ['Changed:', '', '```diff', ...lines, '```', '', 'End.'].join('\n');

    const parts = splitMarkdown(report, 1000);

    expect(parts.length).toBeGreaterThan(20);
    expectWellFormed(parts, 1000);
    expectAllLinesKept(report, parts);
    for (const part of parts.slice(1, -1)) {
      const inner = body(part);
      expect(inner[0]).toBe('```diff');
      expect(inner.at(-1)).toBe('```');
    }
    expect(body(parts[0]!).slice(0, 3)).toEqual(['Changed:', '', '```diff']);
    expect(body(parts.at(-1)!).slice(-3)).toEqual(['```', '', 'End.']);
  });

  it('writes the parts in this exact shape', () => {
    const diff = ['-  replicas: 2', '+  replicas: 3', '-  image: orders:1.4.0', '+  image: orders:1.5.0', '   port: 8080'];
    const report = ['Intro.', '', '<details><summary>prod/orders</summary>', '', '```diff', ...diff, ...diff, '```', '', '</details>', '', 'Outro.'].join('\n');
    expect(splitMarkdown(report, 150)).toMatchInlineSnapshot(`
      [
        "_Part 1 of 4_

      Intro.

      <details><summary>prod/orders</summary>

      \`\`\`diff
      -  replicas: 2
      +  replicas: 3
      -  image: orders:1.4.0
      \`\`\`

      </details>",
        "_Part 2 of 4_

      <details>
      <summary>prod/orders (continued)</summary>

      \`\`\`diff
      +  image: orders:1.5.0
         port: 8080
      -  replicas: 2
      \`\`\`

      </details>",
        "_Part 3 of 4_

      <details>
      <summary>prod/orders (continued)</summary>

      \`\`\`diff
      +  replicas: 3
      -  image: orders:1.4.0
      \`\`\`

      </details>",
        "_Part 4 of 4_

      <details>
      <summary>prod/orders (continued)</summary>

      \`\`\`diff
      +  image: orders:1.5.0
         port: 8080
      \`\`\`

      </details>

      Outro.",
      ]
    `);
  });

  it('keeps <details> sections balanced and titles the continuation', () => {
    const section = (name: string, size: number) => [
      '<details>',
      `<summary>${name}</summary>`,
      '',
      ...Array.from({ length: size }, (_, i) => `- resource ${i} of ${name}\n`),
      '</details>',
      '',
    ];
    const report = ['## Diff', '', ...section('prod/orders', 40), ...section('staging/orders', 5)].join('\n');

    const parts = splitMarkdown(report, 500);

    expectWellFormed(parts, 500);
    expectAllLinesKept(report, parts);
    expect(parts.some((part) => body(part).join('\n').startsWith('<details>\n<summary>prod/orders (continued)</summary>\n\n'))).toBe(true);
    expect(parts.some((part) => part.includes('staging/orders (continued)'))).toBe(false);
  });

  it('keeps a longer fence open across inner ``` lines and reopens ~~~ fences as ~~~', () => {
    const inner = Array.from({ length: 60 }, (_, i) => (i % 10 === 0 ? '```' : `line ${i}`));
    const report = ['````markdown', ...inner, '````', '', '~~~yaml', ...inner.map((l) => `# ${l}`), '~~~'].join('\n');

    const parts = splitMarkdown(report, 200);

    expectWellFormed(parts, 200);
    expectAllLinesKept(report, parts);
    for (const part of parts) {
      const lines = body(part);
      const opener = lines.find((line) => line.startsWith('````') || line.startsWith('~~~'))!;
      expect(lines.filter((line) => line === opener.slice(0, opener.startsWith('~') ? 3 : 4))).toHaveLength(1);
    }
  });

  it('cuts a single line longer than a part inside its fence, without breaking a surrogate pair', () => {
    const long = '😀'.repeat(3000); // 6000 UTF-16 code units
    const report = ['```json', long, '```'].join('\n');

    const parts = splitMarkdown(report, 1001);

    expectWellFormed(parts, 1001);
    const pieces = parts.map((part) => body(part).slice(1, -1).join(''));
    expect(pieces.join('')).toBe(long);
    for (const piece of pieces) expect(piece).toMatch(/^(?:😀)+$/u);
  });

  it('keeps every generated report well formed and complete at several limits', () => {
    for (let seed = 1; seed <= 12; seed++) {
      const report = generateReport(seed);
      for (const limit of [800, 3_000, 20_000]) {
        const parts = splitMarkdown(report, limit);
        expect(parts.length).toBeGreaterThan(report.length > limit ? 1 : 0);
        expectWellFormed(parts, limit);
        expectAllLinesKept(report, parts);
      }
    }
  });
});
