/**
 * report.html in a real browser: Debian's headless chromium driven by playwright-core opens
 * the report of a study-mode run with no network; no console errors, every section present,
 * every chart has drawn marks. Saves a full-page screenshot and prints its path. Skipped with
 * a message only where /usr/bin/chromium is absent (.ci/run installs it).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { REPORT_SECTIONS } from '../lib/report/html';
import { runStudy } from '../lib/study/runner';
import { studyPath, tempDir } from './helpers';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run'];

const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium) console.log(`report browser test skipped: ${CHROMIUM} is absent (apt-get install chromium)`);
const maybe = haveChromium ? it : it.skip;

describe('report.html in headless chromium', () => {
  maybe('opens without console errors or requests; every section and chart is drawn', async () => {
    process.env.BI_EMBED_STUDY_DIR = path.dirname(studyPath('sat_model.bin'));
    const out = tempDir();
    const { reportPath } = await runStudy({ out });
    const profile = tempDir();
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1100, height: 900 },
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });
      await page.goto(pathToFileURL(reportPath).href, { waitUntil: 'load' });

      for (const [id, title] of REPORT_SECTIONS) {
        expect(await page.locator(`section#${id} h2`).textContent()).toBe(title);
      }
      const charts = page.locator('figure.chart');
      const n = await charts.count();
      expect(n).toBeGreaterThanOrEqual(12);
      for (const id of ['margins', 'ablation', 'alignment-curve']) expect(await page.locator(`section figure#chart-${id}`).count()).toBe(1);
      for (let i = 0; i < n; i++) {
        const chart = charts.nth(i);
        // vega draws marks as path/rect/circle elements inside its g.mark-* groups
        const marks = await chart.locator('svg g[class^="mark-"] path, svg g[class^="mark-"] rect, svg g[class^="mark-"] circle').count();
        const id = await chart.getAttribute('id');
        expect([id, marks > 0]).toEqual([id, true]);
        const box = await chart.locator('svg').boundingBox();
        expect(box!.width).toBeGreaterThan(100);
      }
      expect(await page.locator('.mark.reproduces').count()).toBe(10);
      expect(await page.locator('.pending').count()).toBe(0);
      expect(await page.locator('section#errors table').count()).toBe(2); // the three sources, then the figures
      for (const id of ['boolean', 'alignment', 'errors']) expect(await page.locator(`section#${id} .mark.not-reproducible`).count()).toBeGreaterThan(0);

      const shot = path.join(os.tmpdir(), 'bi-embed-report.png');
      await page.screenshot({ path: shot, fullPage: true });
      console.log(`report screenshot: ${shot}`);
      expect(fs.statSync(shot).size).toBeGreaterThan(10000);
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
