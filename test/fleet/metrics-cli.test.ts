// The fleet's lines in the metrics file (--metrics-file), driven through the real CLI against a
// real redis-server: counters that only grow across runs (kept in the state), the lag and outbox
// gauges, and whether the run reached Redis.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { failedPasswords, scratch } from '../run/cli.ts';
import { at, cli, makeHost, run, signedBy, T0, type FleetHost } from './hosts.ts';
import { noRedis, RedisServer } from './redis-server.ts';

let redis: RedisServer | undefined;
const root = scratch('f2b-fleet-metrics-');
before(async () => {
  if (!noRedis) redis = await RedisServer.start();
});
after(async () => {
  await redis?.close();
  rmSync(root, { recursive: true, force: true });
});

/** The fleet's samples of a metrics file, by name. */
function fleetMetrics(file: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^(f2b_scan_fleet_\w+) (\S+)$/.exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

test('the metrics file counts published, imported and dropped entries across runs, with lag, outbox and reachability', { timeout: 120_000 }, async (t) => {
  if (noRedis) return t.skip(noRedis);
  const host = (name: string) => makeHost(root, name, redis!.url, { fleet: 'stream = metrics' });
  const [a, b] = [host('a'), host('b')];
  const metrics = (h: FleetHost) => join(root, `${h.name}.prom`);
  const runM = (h: FleetHost, second: number) => run(h, at(second), ['--metrics-file', metrics(h)]);
  for (const h of [a, b]) assert.equal(runM(h, 0).code, 0);
  assert.deepEqual(fleetMetrics(metrics(a)), {
    f2b_scan_fleet_published_total: 0, f2b_scan_fleet_imported_total: 0, f2b_scan_fleet_dropped_total: 0,
    f2b_scan_fleet_lag_entries: 0, f2b_scan_fleet_outbox: 0, f2b_scan_fleet_up: 1,
  });

  appendFileSync(a.log, failedPasswords('198.51.100.30', 5, at(10)).join('\n') + '\n');
  assert.equal(runM(a, 60).code, 0);
  // By hand, published too: `ban --fleet` counts into the same total (its state is saved).
  assert.equal(cli(a, at(70), ['ban', 'sshd', '198.51.100.31', '--fleet']).code, 0);
  assert.equal(runM(b, 80).code, 0);
  // An entry a's key signed with a start an hour before its stream id: dropped by b.
  await redis!.cli('XADD', 'metrics', '*', ...signedBy(a, String(T0 - 3600), `ban sshd 198.51.100.32 ${T0 + 600} 5`));
  assert.equal(runM(b, 90).code, 5);
  // a reads it too: an entry in its name that fails the checks is dropped (counted), not skipped as its own.
  assert.equal(runM(a, 100).code, 5);

  assert.deepEqual(fleetMetrics(metrics(b)), {
    f2b_scan_fleet_published_total: 0, f2b_scan_fleet_imported_total: 2, f2b_scan_fleet_dropped_total: 1,
    f2b_scan_fleet_lag_entries: 0, f2b_scan_fleet_outbox: 0, f2b_scan_fleet_up: 1,
  });
  assert.equal(fleetMetrics(metrics(a)).f2b_scan_fleet_published_total, 2, 'the run\'s ban and the ban --fleet');
  assert.equal(fleetMetrics(metrics(a)).f2b_scan_fleet_dropped_total, 1);

  // Redis away: the counters keep their values, the ban waits in the outbox, up is 0.
  await redis!.stop();
  appendFileSync(a.log, failedPasswords('198.51.100.33', 5, at(110)).join('\n') + '\n');
  assert.equal(runM(a, 120).code, 6);
  const away = fleetMetrics(metrics(a));
  assert.equal(away.f2b_scan_fleet_up, 0);
  assert.equal(away.f2b_scan_fleet_outbox, 1);
  assert.equal(away.f2b_scan_fleet_published_total, 2);
  assert.equal(away.f2b_scan_fleet_lag_entries, undefined, 'not read: no lag sample');
});
