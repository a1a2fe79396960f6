// `report` streams: each failure is folded into counters as the scan reads it, so its memory
// follows the addresses and time buckets it prints, not the log. Measured on the built CLI
// (peak RSS from /proc at exit) over a 200,000 and a 1,000,000-line attack log from the
// same 100 addresses; and the streaming fold agrees with the whole-list simulation.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { JailAggregate } from '../../src/report/aggregate.ts';
import { simulateBans } from '../../src/report/analysis.ts';
import { BIN, REPO, scratch } from '../run/cli.ts';

/** Peak RSS (MB) and the JSON report of `report --rule sshd` over `log`. */
function reportPeak(dir: string, log: string): { mb: number; report: { totals: { matches: number; addresses: number; wouldBan: number } } } {
  const hwm = join(dir, `hwm-${Math.random().toString(36).slice(2)}`);
  const preload = join(dir, 'hwm.cjs');
  writeFileSync(preload, `process.on('exit', () => require('fs').writeFileSync(process.env.HWM_FILE, /VmHWM:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1]));\n`);
  const conf = join(dir, 'conf');
  spawnSync('mkdir', ['-p', conf]);
  const r = spawnSync(process.execPath, ['-r', preload, BIN, 'report', '--config', conf, '--rule', 'sshd', '--log', log, '--format', 'json', '--now', '2026-11-24T12:00:00Z'], {
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC', HWM_FILE: hwm, F2B_SCAN_THREADS: '1' },
    maxBuffer: 64 << 20,
    timeout: 300_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return { mb: Number(readFileSync(hwm, 'utf8')) / 1024, report: JSON.parse(r.stdout) };
}

test('a report over five times the log from the same addresses needs no more memory', { timeout: 600_000 }, (t) => {
  const dir = scratch('f2b-report-scale-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const gen = (n: number) => {
    const file = join(dir, `attack-${n}.log`);
    const g = spawnSync(process.execPath, [join(REPO, 'bench', 'generate.mjs'), 'attack', String(n), file, '--pool', '100'], { encoding: 'utf8' });
    assert.equal(g.status, 0, g.stderr);
    return file;
  };
  const small = reportPeak(dir, gen(200_000));
  const big = reportPeak(dir, gen(1_000_000));
  t.diagnostic(`peak RSS: ${small.mb.toFixed(0)} MB for 200k lines (${small.report.totals.matches} failures), ${big.mb.toFixed(0)} MB for 1M lines (${big.report.totals.matches} failures)`);
  assert.ok(big.report.totals.matches > 4 * small.report.totals.matches, 'the big log has its five times the failures');
  assert.equal(big.report.totals.addresses, small.report.totals.addresses);
  // Keeping every failure (the report before it streamed) cost about 150 bytes each: 4x the
  // failures more would be 40+ MB. Counters do not grow with them.
  assert.ok(big.mb - small.mb < 25, `peak RSS grew by ${(big.mb - small.mb).toFixed(0)} MB`);
});

test('the streaming fold bans exactly when the whole-list simulation does (times in order)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 60 }).map((a) => a.sort((x, y) => x - y)),
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 900 }),
      (times, maxretry, findtime) => {
        const agg = new JailAggregate(maxretry, findtime);
        for (const t of times) agg.add('192.0.2.1', t, `line at ${t}`);
        const expected = simulateBans(times, maxretry, findtime);
        const a = agg.get('192.0.2.1');
        assert.equal(a?.bans ?? 0, expected.length);
        assert.equal(a?.wouldBanAt ?? null, expected[0] ?? null);
        // The chart holds every failure, whatever its resolution became.
        const tl = agg.timeline();
        assert.equal(tl.buckets.reduce((n, b) => n + b.count, 0), times.length);
        assert.ok(tl.buckets.length <= 48);
      },
    ),
    { numRuns: 500 },
  );
});

test('the chart keeps every failure over a long span, in at most 48 bars, with a round bucket size', () => {
  const agg = new JailAggregate(5, 600);
  let n = 0;
  // Three years, a failure every 7 hours or so, and a burst of seconds in the middle.
  for (let t = 1_700_000_000; t < 1_700_000_000 + 3 * 365 * 86400; t += 25_000 + (n % 7) * 1000) (agg.add(`198.51.100.${n % 200}`, t, 'x'), n++);
  for (let i = 0; i < 100; i++) (agg.add('203.0.113.9', 1_750_000_000 + i, 'x'), n++);
  const tl = agg.timeline();
  assert.equal(tl.buckets.reduce((s, b) => s + b.count, 0), n);
  assert.ok(tl.buckets.length <= 48 && tl.buckets.length >= 24, `${tl.buckets.length} bars`);
  assert.ok([604800, 2419200, 9676800].includes(tl.bucketSeconds), String(tl.bucketSeconds));
  // A span of a few seconds gets second-sized bars, not one block.
  const short = new JailAggregate(5, 600);
  for (let i = 0; i < 20; i++) short.add('192.0.2.1', 1_800_000_000 + i * 1.5, 'x');
  const st = short.timeline();
  assert.equal(st.bucketSeconds, 1);
  assert.equal(st.buckets.length, 29);
});
