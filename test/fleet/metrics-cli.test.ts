// The fleet's lines in the metrics file beyond a run's own exchange (test/report/metrics.test.ts
// has that): what `ban --fleet` publishes counts too, and with Redis away the counters hold while
// the ban waits in the outbox. Real CLI, real redis-server.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { failedPasswords, scratch } from '../run/cli.ts';
import { at, cli, makeHost, run, type FleetHost } from './hosts.ts';
import { noRedis, redisForFile } from './redis-server.ts';

const root = scratch('f2b-fleet-metrics-');
const redis = redisForFile(() => rmSync(root, { recursive: true, force: true }));

/** The fleet's samples of a metrics file, by name. */
function fleetMetrics(file: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^(f2b_scan_fleet_\w+) (\S+)$/.exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

test('ban --fleet counts into published_total; with Redis away the counters hold, the ban waits in the outbox, up is 0', { timeout: 120_000 }, async (t) => {
  if (noRedis) return t.skip(noRedis);
  const a: FleetHost = makeHost(root, 'a', redis().url, { fleet: 'stream = metrics' });
  const prom = join(root, 'a.prom');
  const runM = (second: number) => run(a, at(second), ['--metrics-file', prom]);
  assert.equal(runM(0).code, 0);
  assert.equal(fleetMetrics(prom).f2b_scan_fleet_published_total, 0);

  // By hand: published at once, and counted (the command saves the state) before the next run writes the file.
  assert.equal(cli(a, at(10), ['ban', 'sshd', '198.51.100.31', '--fleet']).code, 0);
  assert.equal(runM(20).code, 0);
  assert.deepEqual(fleetMetrics(prom), {
    f2b_scan_fleet_published_total: 1, f2b_scan_fleet_imported_total: 0, f2b_scan_fleet_dropped_total: 0,
    f2b_scan_fleet_lag_entries: 0, f2b_scan_fleet_outbox: 0, f2b_scan_fleet_up: 1,
  });

  await redis().stop();
  appendFileSync(a.log, failedPasswords('198.51.100.33', 5, at(30)).join('\n') + '\n');
  assert.equal(runM(60).code, 6);
  const away = fleetMetrics(prom);
  assert.equal(away.f2b_scan_fleet_up, 0);
  assert.equal(away.f2b_scan_fleet_outbox, 1, 'the run\'s ban waits to be published');
  assert.equal(away.f2b_scan_fleet_published_total, 1, 'the counter holds');
  assert.equal(away.f2b_scan_fleet_lag_entries, undefined, 'not read: no lag sample');
});
