/**
 * Opens the rendered HTML from disk in headless Chromium (Debian's `chromium` package, driven by
 * playwright-core) and checks that it renders offline, without console errors, and that hostile text
 * never executes. Leaves a screenshot in tests/report/out/ for a person to look at.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { renderHtml } from '../../src/report/html.js';
import { checkReport, nastyReport, OPTIONS } from './fixtures.js';
import { buildReport, finding } from '../../src/findings/report.js';
import { predictionsSummary } from '../helpers/summaries.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`html.browser.test: skipped, ${CHROMIUM} is absent (apt-get install -y chromium)`);

const out = fileURLToPath(new URL('./out/', import.meta.url));

describe.skipIf(!hasChromium)('HTML report in a real browser', () => {
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(out, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  /** Opens `html` from a file: URL with every non-file request blocked and logged, collecting console and page errors. */
  async function open(name: string, html: string): Promise<{ page: Page; problems: string[]; requests: string[] }> {
    const file = `${out}${name}.html`;
    writeFileSync(file, html);
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, deviceScaleFactor: 1 });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      requests.push(url);
      return route.abort();
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    return { page, problems, requests };
  }

  it('renders the check report: ladder, findings and charts, offline and without errors', async () => {
    const { page, problems, requests } = await open('report', renderHtml(checkReport(), OPTIONS));
    expect((await page.locator('.ladder li').allInnerTexts()).map((t) => t.replace(/\s+/g, ' '))).toEqual(['data ✔', 'features ✘', 'splits ↳', 'predictions ↳', 'env –']);
    expect(await page.locator('.verdict h1').textContent()).toBe('Different: first break at features');
    expect(await page.locator('article.finding').count()).toBe(checkReport().findings.length);
    const charts = page.locator('svg.chart');
    expect(await charts.count()).toBe(5);
    for (const chart of await charts.all()) {
      const box = await chart.boundingBox();
      expect(box?.width).toBeGreaterThan(200);
      expect(box?.height).toBeGreaterThan(150);
    }
    expect(await page.locator('#stage-splits svg rect.cell').count()).toBe(9);
    expect(await page.locator('#stage-predictions svg circle').count()).toBe(240);
    // Wider than the viewport would mean a horizontal scrollbar.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    // Evidence is folded away until asked for.
    const evidence = page.locator('#stage-features article.finding').first().locator('table.evidence');
    expect(await evidence.isVisible()).toBe(false);
    await page.locator('#stage-features article.finding').first().locator('summary').click();
    expect(await evidence.isVisible()).toBe(true);
    await page.screenshot({ path: `${out}report.png`, fullPage: true });
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it('keeps its styles under its Content-Security-Policy, which forbids scripts and requests', async () => {
    const { page, problems, requests } = await open('csp', renderHtml(checkReport(), OPTIONS));
    expect(await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')).toContain("default-src 'none'");
    // The inline stylesheet applies (the page background), and so do the SVG charts' style attributes.
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(248, 250, 252)');
    expect(await page.evaluate(() => getComputedStyle(document.querySelector('svg.chart')!).maxWidth)).toMatch(/px$/);
    // A script added to the page the way injected markup would be is refused by the policy.
    const ran = await page.evaluate(async () => {
      const s = document.createElement('script');
      s.textContent = 'window.__cspRan = 1';
      document.body.append(s);
      await new Promise((r) => setTimeout(r, 50));
      return (window as unknown as { __cspRan?: number }).__cspRan;
    });
    expect(ran).toBeUndefined();
    expect(problems.filter((p) => !/Content Security Policy/.test(p))).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it('score-difference chart: the axis ends on a labelled value, no label is cut off', async () => {
    // Production lower everywhere: the bin edges end a rounding error below zero, as numpy's histogram leaves them.
    const edges = Array.from({ length: 11 }, (_v, i) => -0.3 + i * 0.03 - (i === 10 ? 2.7755575615628914e-17 : 0));
    const report = buildReport('predictions', [
      {
        result: { stage: 'predictions', status: 'different', reason: '', summary: predictionsSummary({ differences: { edges, counts: [3, 9, 20, 41, 80, 120, 90, 40, 12, 4] } }) },
        findings: [finding({ stage: 'predictions', severity: 'error', cause: 'prediction_mismatch', message: 'scores differ' })],
      },
    ]);
    const { page, problems } = await open('differences', renderHtml(report, OPTIONS));
    const chart = page.locator('#stage-predictions svg.chart').first();
    const labels = await chart.locator('g.axes text').allTextContents();
    expect(labels.join(' ')).not.toMatch(/e-1\d/);
    expect(labels).toContain('0');
    const box = (await chart.boundingBox())!;
    for (const t of await chart.locator('text').all()) {
      const b = (await t.boundingBox())!;
      expect(b.x).toBeGreaterThanOrEqual(box.x - 0.5);
      expect(b.x + b.width).toBeLessThanOrEqual(box.x + box.width + 0.5);
    }
    await chart.screenshot({ path: `${out}differences.png` });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('never executes hostile text and shows it literally', async () => {
    const { page, problems, requests } = await open('nasty', renderHtml(nastyReport(), OPTIONS));
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('script, img').count()).toBe(0);
    expect(await page.locator('main').textContent()).toContain('<script>window.__pwned = 1</script>');
    await page.screenshot({ path: `${out}nasty.png`, fullPage: true });
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });
});
