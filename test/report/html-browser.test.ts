// The HTML report opened in a real headless Chromium: the chart and tables render with the
// expected numbers, the chart's axes are read back by their geometry (a count axis whose
// ticks and bars agree, readable time labels that do not collide), what is zero or fine is
// not red and what could not be analysed is; screenshots are kept under test-output/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { analyze, type Analysis } from '../../src/report/analysis.ts';
import { formatReport } from '../../src/report/formats.ts';
import type { Failure } from '../../src/types.ts';
import { fixtureAnalysis, NOW } from './fixture.ts';

const CHROMIUM = '/usr/bin/chromium';
// The page's own function, used inside page.evaluate callbacks (the tests compile without the DOM library).
declare const getComputedStyle: (e: unknown) => { color: string; fill: string; backgroundColor: string };
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Open each analysis as an HTML file in one browser; `check` gets the page; a screenshot of each is kept. */
async function inChromium(pages: { name: string; analysis: Analysis; check: (page: Page) => Promise<void> }[]): Promise<void> {
  const { chromium } = await import('playwright-core');
  const dir = mkdtempSync(join(tmpdir(), 'f2b-html-'));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  try {
    for (const p of pages) {
      const file = join(dir, `${p.name}.html`);
      writeFileSync(file, formatReport(p.analysis, 'html', { colour: false }));
      const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
      const requests: string[] = [];
      page.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });
      await page.goto(pathToFileURL(file).href);
      await p.check(page);
      assert.deepEqual(requests, [], 'the page loads nothing from the network');
      const out = join(process.cwd(), 'test-output');
      mkdirSync(out, { recursive: true });
      const shot = join(out, `${p.name}.png`);
      await page.screenshot({ path: shot, fullPage: true });
      assert.ok(statSync(shot).size > 10_000);
      await page.close();
    }
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Box { x: number; y: number; width: number; height: number }

/** The chart of a jail, read back from the rendered page. */
async function readChart(page: Page, jail: string) {
  const svg = page.locator(`section[data-jail="${jail}"] svg.timeline`);
  const ticks = await svg.locator('text.y-tick').evaluateAll((els) => els.map((e) => ({ value: Number(e.getAttribute('data-value')), text: e.textContent, box: e.getBoundingClientRect().toJSON() as Box })));
  const bars = await svg.locator('rect').evaluateAll((els) =>
    els.map((e) => ({ count: Number(e.getAttribute('data-count')), cls: e.getAttribute('class'), box: e.getBoundingClientRect().toJSON() as Box, fill: getComputedStyle(e).fill })),
  );
  const labels = await svg.locator('text.x-tick').evaluateAll((els) => els.map((e) => ({ text: e.textContent ?? '', box: e.getBoundingClientRect().toJSON() as Box })));
  const frame = (await svg.evaluate((e) => e.getBoundingClientRect().toJSON())) as Box;
  return { ticks, bars, labels, frame, max: Number(await svg.getAttribute('data-max')) };
}

/** What a person checks in a chart: the axis counts up in round steps, bars are as tall as their counts say, times are readable and apart. */
function assertChartReadable(c: Awaited<ReturnType<typeof readChart>>): void {
  assert.ok(c.ticks.length >= 2, 'a count axis with ticks');
  assert.equal(c.ticks[0]!.value, 0);
  for (let i = 1; i < c.ticks.length; i++) {
    assert.ok(c.ticks[i]!.value > c.ticks[i - 1]!.value, 'ticks count up');
    assert.ok(c.ticks[i]!.box.y < c.ticks[i - 1]!.box.y, 'a higher count is drawn higher');
    assert.equal(c.ticks[i]!.text, String(c.ticks[i]!.value));
  }
  const top = c.ticks.at(-1)!;
  assert.ok(top.value >= c.max, `the axis reaches the busiest bucket (${c.max})`);
  // Pixels per failure from the ticks' centres; every bar's top sits at its count on that scale.
  const centre = (b: Box) => b.y + b.height / 2;
  const zeroY = centre(c.ticks[0]!.box);
  const scale = (zeroY - centre(top.box)) / top.value;
  for (const b of c.bars.filter((x) => x.count > 0)) {
    assert.ok(Math.abs(b.box.y - (zeroY - b.count * scale)) < 2, `bar of ${b.count} at ${b.box.y}, expected ${zeroY - b.count * scale}`);
    assert.ok(Math.abs(b.box.y + b.box.height - zeroY) < 2, 'bars stand on the zero line');
  }
  // Time labels: no milliseconds or Z noise, all different, none overlapping another, inside the chart.
  assert.ok(c.labels.length >= 2);
  for (const l of c.labels) {
    assert.match(l.text, /^\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)?$/);
    assert.ok(l.box.x >= c.frame.x - 1 && l.box.x + l.box.width <= c.frame.x + c.frame.width + 1, `${l.text} inside the chart`);
  }
  assert.equal(new Set(c.labels.map((l) => l.text)).size, c.labels.length, 'the first and last labels differ');
  const sorted = [...c.labels].sort((a, b) => a.box.x - b.box.x);
  for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i]!.box.x >= sorted[i - 1]!.box.x + sorted[i - 1]!.box.width, `${sorted[i - 1]!.text} and ${sorted[i]!.text} do not overlap`);
}

const isRed = (rgb: string) => {
  const [r, g, b] = (rgb.match(/\d+(\.\d+)?/g) ?? []).map(Number);
  return r! >= 120 && r! > g! * 1.6 && r! > b! * 1.6;
};

test('the HTML report renders its chart and tables in Chromium, with axes a person can read', { timeout: 120_000 }, async (t) => {
  if (!existsSync(CHROMIUM)) return t.skip('Debian chromium is not installed (/usr/bin/chromium)');
  // A short attack: 3 failures in 2 seconds (nobody banned), and a jail whose log is missing.
  const T = Date.parse('2026-11-24T10:00:00Z') / 1000;
  const short: Failure[] = [0, 1, 2].map((d) => ({ jail: 'sshd', ip: '198.51.100.7', time: T + d, line: `Failed password for root from 198.51.100.7 port ${d}`, source: 'auth.log' }));
  const shortAnalysis = analyze(
    [
      { name: 'sshd', filter: 'sshd', maxretry: 5, findtime: 600, files: [{ path: 'auth.log', lines: 3 }], failures: short },
      { name: 'nginx-http-auth', filter: 'nginx-http-auth', maxretry: 5, findtime: 600, files: [], failures: [], errors: ['/etc/f2b-scan/jail.local:7: logpath /var/log/nginx/error.log: matches no file'] },
    ],
    { now: NOW },
  );
  await inChromium([
    {
      name: 'report-html',
      analysis: fixtureAnalysis(),
      check: async (page) => {
        assert.equal(await page.textContent('[data-total="wouldBan"]'), '2');
        assert.ok(isRed(await page.locator('[data-total="wouldBan"]').evaluate((e) => getComputedStyle(e).color)), 'would ban 2 is red');
        assert.equal(await page.textContent('[data-total="addresses"]'), '3');
        const sshd = page.locator('section[data-jail="sshd"]');
        const chart = await readChart(page, 'sshd');
        assert.equal(chart.bars.reduce((a, b) => a + b.count, 0), 14, 'the bars add up to every failure');
        assertChartReadable(chart);
        // Empty buckets between the attacks: a neutral mark, not a blue or red bar.
        const zero = chart.bars.find((b) => b.count === 0);
        assert.ok(zero, 'the quiet hour shows as empty buckets');
        assert.ok(!isRed(zero!.fill) && zero!.fill !== chart.bars.find((b) => b.count > 0)!.fill, `an empty bucket is drawn neutral (${zero!.fill})`);
        assert.ok(zero!.box.height <= 1.5);
        const rows = await sshd.locator('table.addresses tr[data-ip]').evaluateAll((els) => els.map((e) => [...e.querySelectorAll('td')].slice(0, 2).map((td) => td.textContent)));
        assert.deepEqual(rows, [['192.0.2.10', '6'], ['2001:db8::bad', '5'], ['198.51.100.23', '3']]);
        assert.deepEqual(await sshd.locator('ul.would-ban li').evaluateAll((els) => els.map((e) => e.getAttribute('data-ip'))), ['192.0.2.10', '2001:db8::bad']);
        assert.doesNotMatch(await page.content(), /\.000Z/);
      },
    },
    {
      name: 'report-html-short',
      analysis: shortAnalysis,
      check: async (page) => {
        // Nobody would be banned: the total is not red.
        assert.equal(await page.textContent('[data-total="wouldBan"]'), '0');
        assert.ok(!isRed(await page.locator('[data-total="wouldBan"]').evaluate((e) => getComputedStyle(e).color)), '"would ban 0" is not red');
        const chart = await readChart(page, 'sshd');
        // Two seconds of attack: one-second bars, not one block spanning the chart.
        assert.equal(await page.locator('section[data-jail="sshd"] svg.timeline').getAttribute('data-bucket-seconds'), '1');
        assert.deepEqual(chart.bars.map((b) => b.count), [1, 1, 1]);
        assert.ok(chart.bars.every((b) => b.box.width < chart.frame.width / 4), 'a few buckets are narrow bars');
        assertChartReadable(chart);
        assert.deepEqual(chart.labels.map((l) => l.text), ['2026-11-24 10:00:00', '2026-11-24 10:00:01', '2026-11-24 10:00:03']);
        // The jail that could not be analysed: a red row.
        const row = page.locator('tr.error[data-jail="nginx-http-auth"] td').first();
        assert.ok(isRed(await row.evaluate((e) => getComputedStyle(e).color)), 'its text is red');
        assert.notEqual(await row.evaluate((e) => getComputedStyle(e).backgroundColor), 'rgba(0, 0, 0, 0)', 'on a tinted row');
        assert.match((await page.textContent('tr.error[data-jail="nginx-http-auth"]')) ?? '', /matches no file/);
      },
    },
  ]);
});
