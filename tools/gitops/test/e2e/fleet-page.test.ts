import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { describe, expect, it, type TestContext } from 'vitest';
import { fleetFiles } from '../fixtures/fleet.js';
import { createRepo } from '../helpers/git-repo.js';
import { runCli, toolRoot } from '../helpers/run-cli.js';

const INSTALL = 'apt-get install -y chromium';
/** Screenshots are kept here (gitignored) for people and CI artifacts to look at. */
const ARTIFACTS = join(toolRoot, 'test-artifacts', 'fleet-page');

/**
 * Debian's Chromium (GITOPS_CHROMIUM_BIN, else chromium on PATH): nothing downloads a browser.
 * Missing: skipped with the install command, except in CI, where every test must run.
 */
function chromiumBin(ctx: TestContext): string {
  const candidates = [process.env.GITOPS_CHROMIUM_BIN, ...(process.env.PATH ?? '').split(delimiter).filter(Boolean).flatMap((d) => [join(d, 'chromium'), join(d, 'chromium-browser')])].filter((c): c is string => Boolean(c));
  for (const candidate of candidates) {
    if (spawnSync(candidate, ['--version'], { encoding: 'utf8' }).status === 0) return candidate;
  }
  const message = `Chromium is not installed: ${INSTALL} (or set GITOPS_CHROMIUM_BIN)`;
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(`${message}; in CI every test must run`);
  return ctx.skip(message);
}

interface FleetJson {
  summary: Record<string, number>;
  services: { name: string; cells: { env: string; release: { chart: string; image: string } | null }[] }[];
  waivers: unknown[];
  findings: { team: string }[];
  charts: { chart: string; versions: unknown[] }[];
}

describe('the fleet page in a browser', () => {
  it('renders the fleet from the file alone: its numbers, working section links, no console error, no request', async (ctx) => {
    const executablePath = chromiumBin(ctx);
    const files = fleetFiles();
    files['environments/prod/environment.yaml'] += 'promotion:\n  from: dev\n';
    files['services/blog/waivers.yaml'] = 'waivers:\n  - rule: POLICY_RUN_AS_ROOT\n    reason: The blog engine image runs as root until its next major version.\n    owner: "@acme/content"\n    expires: 2026-03-01\n';
    const repo = createRepo(files);
    const r = runCli(['fleet', '--format', 'json', '--format', 'html=site/index.html'], { cwd: repo.dir, env: { GITOPS_SCHEMA_DIR: join(toolRoot, '..', '..', '..', 'shared', 'schemas'), GITOPS_TODAY: '2026-01-02' } });
    expect(r.exitCode, r.stderr).toBe(0);
    const fleet = JSON.parse(r.stdout) as FleetJson;
    const file = join(repo.dir, 'site', 'index.html');
    const url = pathToFileURL(file).href;
    console.log(`fleet page: ${statSync(file).size} bytes`);

    // A root user (a CI container) needs --no-sandbox; Chromium refuses to start otherwise.
    const browser = await chromium.launch({ executablePath, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
    ctx.onTestFinished(() => browser.close());
    const problems: string[] = [];
    const requests: string[] = [];
    const open = async (viewport: { width: number; height: number }, javaScriptEnabled = true): Promise<Page> => {
      const context = await browser.newContext({ viewport, javaScriptEnabled });
      const page = await context.newPage();
      page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('requestfailed', (q) => problems.push(`request failed: ${q.url()}`));
      page.on('request', (q) => requests.push(q.url()));
      await page.goto(url, { waitUntil: 'load' });
      return page;
    };

    const page = await open({ width: 1280, height: 800 });
    await expect.poll(() => page.title()).toContain('3 services in 2 environments');
    // The figures are the report's numbers.
    for (const [key, value] of Object.entries(fleet.summary)) {
      expect(await page.locator(`[data-figure="${key}"] dd`).textContent(), key).toBe(String(value));
    }
    // The matrix: a row per service, each cell the pinned chart and image.
    expect(await page.locator('table.matrix tbody tr').count()).toBe(fleet.services.length);
    for (const service of fleet.services) {
      for (const cell of service.cells) {
        const text = await page.locator(`table.matrix tr[data-service="${service.name}"] td[data-env="${cell.env}"]`).innerText();
        expect(text, `${service.name}/${cell.env}`).toContain(cell.release ? `${cell.release.chart} · ${cell.release.image}` : '—');
      }
    }
    expect(await page.locator('table.waivers tbody tr').count()).toBe(fleet.waivers.length);
    for (const team of new Set(fleet.findings.map((f) => f.team))) {
      expect(await page.locator(`table.findings[data-team="${team}"] tbody tr`).count(), team).toBe(fleet.findings.filter((f) => f.team === team).length);
    }
    expect(await page.locator('table.chart-usage[data-chart="web"] tbody tr').count()).toBe(fleet.charts[0]!.versions.length);

    // Every link is to a section of the page, and each one exists.
    const hrefs = await page.locator('a[href]').evaluateAll((links) => links.map((a) => a.getAttribute('href')!));
    expect(hrefs.length).toBeGreaterThan(10);
    for (const href of new Set(hrefs)) {
      expect(href, href).toMatch(/^#/);
      expect(await page.locator(`[id="${href.slice(1)}"]`).count(), href).toBe(1);
    }
    // Following them scrolls the section to the top.
    for (const [link, target] of [
      ['nav a[href="#waivers"]', '#waivers'],
      ['table.matrix a[href="#service-shop"]', '#service-shop'],
      ['#service-shop a[href="#matrix"]', '#matrix'],
    ] as const) {
      await page.locator(link).click();
      expect(new URL(page.url()).hash).toBe(target);
      const box = await page.locator(target).boundingBox();
      expect(Math.abs(box!.y), target).toBeLessThan(5);
    }

    mkdirSync(ARTIFACTS, { recursive: true });
    const desktop = join(ARTIFACTS, 'fleet-desktop.png');
    await page.goto(url);
    await page.screenshot({ path: desktop, fullPage: true });
    // Narrow, and without JavaScript: the page is readable and never scrolls sideways; wide tables scroll in their box.
    const narrow = await open({ width: 390, height: 844 }, false);
    expect(await narrow.locator('table.matrix tbody tr').count()).toBe(fleet.services.length);
    const overflow = await narrow.locator('html').evaluate((root) => root.scrollWidth - root.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const phone = join(ARTIFACTS, 'fleet-narrow.png');
    await narrow.screenshot({ path: phone, fullPage: true });
    console.log(`screenshots: ${desktop} ${phone}`);

    expect(problems).toEqual([]);
    expect(new Set(requests)).toEqual(new Set([url]));
    expect(readFileSync(desktop).subarray(1, 4).toString()).toBe('PNG');
  });
});
