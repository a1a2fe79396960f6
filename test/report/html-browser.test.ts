// The HTML report opened in a real headless Chromium: the chart and tables render with
// the expected numbers, and a screenshot is kept under test-output/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatReport } from '../../src/report/formats.ts';
import { fixtureAnalysis } from './fixture.ts';

const CHROMIUM = '/usr/bin/chromium';

test('the HTML report renders its chart and tables in Chromium', async (t) => {
  if (!existsSync(CHROMIUM)) return t.skip('Debian chromium is not installed (/usr/bin/chromium)');
  const { chromium } = await import('playwright-core');
  const dir = mkdtempSync(join(tmpdir(), 'f2b-html-'));
  const file = join(dir, 'report.html');
  writeFileSync(file, formatReport(fixtureAnalysis(), 'html', { colour: false }));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    const requests: string[] = [];
    page.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });
    await page.goto(pathToFileURL(file).href);
    assert.equal(await page.textContent('[data-total="wouldBan"]'), '2');
    assert.equal(await page.textContent('[data-total="addresses"]'), '3');
    const sshd = page.locator('section[data-jail="sshd"]');
    const bars = sshd.locator('svg.timeline rect');
    const counts = await bars.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-count'))));
    assert.equal(counts.reduce((a, b) => a + b, 0), 14, 'the bars add up to every failure');
    // The chart is really drawn: the tallest bar has a visible height on the page.
    const heights = await bars.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height));
    assert.ok(Math.max(...heights) > 50, `tallest bar ${Math.max(...heights)}px`);
    const rows = await sshd.locator('table.addresses tr[data-ip]').evaluateAll((els) =>
      els.map((e) => [...e.querySelectorAll('td')].slice(0, 2).map((td) => td.textContent)),
    );
    assert.deepEqual(rows, [['192.0.2.10', '6'], ['2001:db8::bad', '5'], ['198.51.100.23', '3']]);
    assert.deepEqual(await sshd.locator('ul.would-ban li').evaluateAll((els) => els.map((e) => e.getAttribute('data-ip'))), ['192.0.2.10', '2001:db8::bad']);
    assert.deepEqual(requests, [], 'the page loads nothing from the network');
    const out = join(process.cwd(), 'test-output');
    mkdirSync(out, { recursive: true });
    const shot = join(out, 'report-html.png');
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(statSync(shot).size > 10_000);
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
