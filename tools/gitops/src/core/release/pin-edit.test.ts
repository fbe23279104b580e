import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { editReleasePin, PinEditError } from './pin-edit.js';

const C = 'c0ffee'.padEnd(40, '0');
const D = 'dead'.padEnd(40, '1');

const flow = `# yaml-language-server: $schema=../../tools/gitops/schemas/service.schema.json
name: orders   # the shop's orders
team: commerce

chart: microservice
releases:
  # every merge
  dev: { chart: 1.1.0, image: "2.4.0" }
  staging: { chart: 1.1.0, image: '2.3.1', config: ${D} }   # promoted on Monday

  prod: { chart: 1.0.0, image: "2.3.0", config: ${D} }
`;

/** The lines of `after` that differ from `before`. */
function changedLines(before: string, after: string): string[] {
  const a = before.split('\n');
  return after.split('\n').filter((line, i) => line !== a[i]);
}

describe('editReleasePin', () => {
  it('changes only the pin values, keeping comments, blank lines, order and quoting', () => {
    const out = editReleasePin(flow, 'prod', { chart: '1.1.0', image: '2.3.1', config: C });
    expect(out).toBe(flow.replace(`prod: { chart: 1.0.0, image: "2.3.0", config: ${D} }`, `prod: { chart: 1.1.0, image: "2.3.1", config: ${C} }`));
    const again = editReleasePin(out, 'staging', { chart: '1.1.0', image: '2.4.0', config: C });
    expect(changedLines(out, again)).toEqual([`  staging: { chart: 1.1.0, image: '2.4.0', config: ${C} }   # promoted on Monday`]);
  });

  it('adds a config pin to an environment that had none, in the flow style of the line', () => {
    expect(changedLines(flow, editReleasePin(flow, 'dev', { chart: '1.1.0', image: '2.4.0', config: C }))).toEqual([`  dev: { chart: 1.1.0, image: "2.4.0", config: ${C} }`]);
  });

  it('edits block style pins and adds a missing key at their indentation', () => {
    const block = 'name: a\nreleases:\n  prod:\n    chart: 1.0.0 # pinned\n    image: "1"\nteam: t\n';
    expect(editReleasePin(block, 'prod', { chart: '1.2.0', image: '2', config: C })).toBe(`name: a\nreleases:\n  prod:\n    chart: 1.2.0 # pinned\n    image: "2"\n    config: ${C}\nteam: t\n`);
  });

  it('adds an environment the service did not run in, after the others', () => {
    const out = editReleasePin(flow, 'qa', { chart: '1.1.0', image: '2.4.0', config: C });
    expect(out).toBe(`${flow}  qa: { chart: 1.1.0, image: "2.4.0", config: ${C} }\n`);
  });

  it('quotes what YAML would not read back as the same string', () => {
    const out = editReleasePin('releases:\n  prod: { chart: 1.0.0, image: "1" }\n', 'prod', { chart: '1.0.0', image: '1', config: '1234567'.padEnd(40, '0') });
    expect(out).toContain(`config: "${'1234567'.padEnd(40, '0')}"`);
  });

  it('refuses what it cannot edit in place', () => {
    expect(() => editReleasePin('releases: []\n', 'prod', { chart: '1.0.0', image: '1', config: C })).toThrow(PinEditError);
    expect(() => editReleasePin('releases:\n  prod: 3\n', 'prod', { chart: '1.0.0', image: '1', config: C })).toThrow(/not a mapping/);
  });

  it('round-trips every service.yaml of the example fleet: a no-op edit changes no byte, a promotion only the pin line', () => {
    const root = join(import.meta.dirname, '..', '..', '..', '..', '..', 'services');
    for (const name of readdirSync(root)) {
      const text = readFileSync(join(root, name, 'service.yaml'), 'utf8');
      const pins = [...text.matchAll(/^  (\w+): \{ chart: ([^,]+), image: "([^"]+)"(?:, config: ([0-9a-f]{40}))? \}$/gm)];
      expect(pins.length).toBeGreaterThan(0);
      for (const [, env, chart, image, config] of pins) {
        expect(editReleasePin(text, env!, { chart: chart!, image: image!, config: config ?? C }) === text).toBe(config !== undefined);
        const moved = editReleasePin(text, env!, { chart: '9.9.9', image: '9.9', config: D });
        expect(changedLines(text, moved)).toEqual([`  ${env}: { chart: 9.9.9, image: "9.9", config: ${D} }`]);
      }
    }
  });
});
