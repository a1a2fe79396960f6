// The metrics file for node_exporter's textfile collector, from real runs of the built CLI,
// read back with a Prometheus text-format parser (parse-prometheus-text-format).

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { f2b, failedPasswords, scratch } from '../run/cli.ts';
import { at, makeHost, run, signedBy, T0 } from '../fleet/hosts.ts';
import { noRedis, RedisServer } from '../fleet/redis-server.ts';

interface Family {
  name: string;
  help: string;
  type: string;
  metrics: { value: string; labels?: Record<string, string> }[];
}

/** The file, parsed: metric name -> (jail or '' -> value). The parser throws on anything malformed. */
function readMetrics(path: string): Map<string, Map<string, number>> {
  const families = parsePrometheusTextFormat(readFileSync(path, 'utf8')) as Family[];
  const out = new Map<string, Map<string, number>>();
  for (const f of families) {
    assert.ok(f.help.length > 0, `${f.name} has HELP`);
    const series = new Map<string, number>();
    for (const m of f.metrics) series.set(m.labels?.jail ?? '', Number(m.value));
    out.set(f.name, series);
    if (f.name.endsWith('_total')) assert.equal(f.type, 'COUNTER', f.name);
  }
  return out;
}

function setup(t: { after: (fn: () => void) => void }) {
  const dir = scratch('f2b-metrics-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const conf = join(dir, 'conf');
  mkdirSync(conf);
  const log = join(dir, 'auth.log');
  writeFileSync(log, '');
  const jails = `[sshd]\nenabled = true\nlogpath = ${log}\nmaxretry = 3\nbantime = 10m\naction = dummy[target="${join(dir, 'banned')}"]\n\n[other]\nenabled = true\nfilter = sshd\nlogpath = ${log}\nmaxretry = 100\naction = dummy[target="${join(dir, 'other')}"]\n`;
  writeFileSync(join(conf, 'jail.local'), jails);
  // A relative metrics_file is relative to the configuration directory.
  writeFileSync(join(conf, 'f2b-scan.local'), `[Definition]\nlogtarget = ${join(dir, 'own.log')}\nmetrics_file = f2b-scan.prom\n`);
  const state = join(dir, 'state.json');
  const prom = join(conf, 'f2b-scan.prom');
  const run = (now: string, extra: string[] = []) => f2b(['--config', conf, '--state', state, '--now', now, ...extra]);
  return { dir, conf, log, state, prom, jails, run };
}

test('each run writes the metrics file: bans in force, all-time counters per jail, and the run itself', (t) => {
  const s = setup(t);
  appendFileSync(s.log, [...failedPasswords('192.0.2.5', 4, '2026-11-24T10:00:00Z'), ...failedPasswords('198.51.100.6', 1, '2026-11-24T10:00:30Z')].join('\n') + '\n');
  const first = s.run('2026-11-24T10:01:00Z');
  assert.equal(first.code, 0, first.stderr);
  let m = readMetrics(s.prom);
  assert.deepEqual(Object.fromEntries(m.get('f2b_scan_bans_active')!), { sshd: 1, other: 0 });
  assert.deepEqual(Object.fromEntries(m.get('f2b_scan_bans_total')!), { sshd: 1, other: 0 });
  assert.deepEqual(Object.fromEntries(m.get('f2b_scan_unbans_total')!), { sshd: 0, other: 0 });
  assert.deepEqual(Object.fromEntries(m.get('f2b_scan_failures_total')!), { sshd: 5, other: 5 });
  assert.deepEqual(Object.fromEntries(m.get('f2b_scan_lines_read_total')!), { sshd: 5, other: 5 });
  assert.equal(m.get('f2b_scan_last_exit_code')!.get(''), 0);
  assert.equal(m.get('f2b_scan_last_run_timestamp_seconds')!.get(''), Math.round(Date.parse('2026-11-24T10:01:00Z') / 1000 + m.get('f2b_scan_run_seconds')!.get('')!));
  assert.ok(m.get('f2b_scan_run_seconds')!.get('')! > 0);
  assert.equal(statSync(s.prom).mode & 0o777, 0o644, 'node_exporter (not root) can read it');
  const inode = statSync(s.prom).ino;

  // Twenty minutes on: the ban expired and was lifted; counters only grew.
  appendFileSync(s.log, failedPasswords('203.0.113.7', 2, '2026-11-24T10:20:00Z').join('\n') + '\n');
  const second = s.run('2026-11-24T10:21:00Z');
  assert.equal(second.code, 0, second.stderr);
  m = readMetrics(s.prom);
  assert.deepEqual(Object.fromEntries(m.get('f2b_scan_bans_active')!), { sshd: 0, other: 0 });
  assert.deepEqual(Object.fromEntries(m.get('f2b_scan_bans_total')!), { sshd: 1, other: 0 });
  assert.deepEqual(Object.fromEntries(m.get('f2b_scan_unbans_total')!), { sshd: 1, other: 0 });
  assert.deepEqual(Object.fromEntries(m.get('f2b_scan_failures_total')!), { sshd: 7, other: 7 });
  assert.deepEqual(Object.fromEntries(m.get('f2b_scan_lines_read_total')!), { sshd: 7, other: 7 });
  // Replaced by a rename, never rewritten in place; no temporary file left beside it.
  assert.notEqual(statSync(s.prom).ino, inode);
  assert.deepEqual(readdirSync(s.conf).filter((f) => f.includes('prom')), ['f2b-scan.prom']);

  // A dry run changes nothing, the metrics file included.
  const before = readFileSync(s.prom, 'utf8');
  assert.equal(s.run('2026-11-24T10:22:00Z', ['--dry-run']).code, 0);
  assert.equal(readFileSync(s.prom, 'utf8'), before);
});

test('a run that fails still tells: its exit code, with the jails\' series kept from the last good run', (t) => {
  const s = setup(t);
  appendFileSync(s.log, failedPasswords('192.0.2.5', 3, '2026-11-24T10:00:00Z').join('\n') + '\n');
  assert.equal(s.run('2026-11-24T10:01:00Z').code, 0);
  // A typo in [DEFAULT] of jail.local: exit 2 and nothing scanned, but monitoring sees it.
  writeFileSync(join(s.conf, 'jail.local'), `[DEFAULT]\nfindtime = ten minutes\n\n${s.jails}`);
  const bad = s.run('2026-11-24T10:02:00Z');
  assert.equal(bad.code, 2, bad.stderr);
  const m = readMetrics(s.prom);
  assert.equal(m.get('f2b_scan_last_exit_code')!.get(''), 2);
  assert.deepEqual(Object.fromEntries(m.get('f2b_scan_bans_active')!), { sshd: 1, other: 0 });
  assert.deepEqual(Object.fromEntries(m.get('f2b_scan_bans_total')!), { sshd: 1, other: 0 });
  // A missing log: exit 5, and the run's counters are there.
  writeFileSync(join(s.conf, 'jail.local'), s.jails.replaceAll(s.log, join(s.dir, 'gone.log')));
  assert.equal(s.run('2026-11-24T10:03:00Z').code, 5);
  assert.equal(readMetrics(s.prom).get('f2b_scan_last_exit_code')!.get(''), 5);
});

test('--metrics-file writes where it says; an unwritable place is one warning and the run goes on', (t) => {
  const s = setup(t);
  const elsewhere = join(s.dir, 'node-exporter.prom');
  const r = s.run('2026-11-24T10:01:00Z', ['--metrics-file', elsewhere]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readMetrics(elsewhere).get('f2b_scan_last_exit_code')!.get(''), 0);
  const nowhere = join(s.dir, 'no-such-dir', 'f2b-scan.prom');
  const w = s.run('2026-11-24T10:02:00Z', ['--metrics-file', nowhere]);
  assert.equal(w.code, 0);
  assert.equal(w.stderr, `f2b-scan: warning: metrics file ${nowhere}: cannot be written (ENOENT); its directory must exist and be writable\n`);
});

test('with a fleet that cannot be reached, the metrics say so: exit code 6, fleet down, the ban waiting in the outbox', (t) => {
  const s = setup(t);
  // This host's key, and a trust file naming it (the fleet's own setup commands).
  const keygen = f2b(['fleet', 'keygen', '--host', 'web1', '--out', join(s.conf, 'fleet.key')]);
  assert.equal(keygen.code, 0, keygen.stderr);
  writeFileSync(join(s.conf, 'trusted_keys'), keygen.stdout);
  // Port 1 on loopback: nothing listens there.
  appendFileSync(join(s.conf, 'f2b-scan.local'), '\n[fleet]\nurl = redis://127.0.0.1:1\nhost = web1\nkey_file = fleet.key\ntrusted_keys = trusted_keys\ntimeout = 1\n');
  appendFileSync(s.log, failedPasswords('192.0.2.5', 3, '2026-11-24T10:00:00Z').join('\n') + '\n');
  const r = s.run('2026-11-24T10:01:00Z');
  assert.equal(r.code, 6, r.stderr);
  const m = readMetrics(s.prom);
  assert.equal(m.get('f2b_scan_last_exit_code')!.get(''), 6);
  assert.equal(m.get('f2b_scan_fleet_up')!.get(''), 0);
  assert.equal(m.get('f2b_scan_fleet_outbox')!.get(''), 1);
  assert.equal(m.get('f2b_scan_bans_active')!.get('sshd'), 1, 'the local ban is made all the same');
});

let redis: RedisServer | undefined;
after(async () => {
  await redis?.stop();
});

test('with a fleet, the metrics count its exchange all time: published, imported, dropped, and the lag and outbox now', { timeout: 120_000 }, async (t) => {
  if (noRedis) return t.skip(noRedis);
  redis = await RedisServer.start();
  const root = scratch('f2b-metrics-fleet-');
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const [a, b] = ['a', 'b'].map((n) => makeHost(root, n, redis!.url, { fleet: 'stream = metrics-fleet' }));
  for (const h of [a!, b!]) appendFileSync(join(h.conf, 'f2b-scan.conf'), '[Definition]\nmetrics_file = f2b-scan.prom\n');
  const metricsOf = (h: { conf: string }) => readMetrics(join(h.conf, 'f2b-scan.prom'));
  const fleetSeries = (h: { conf: string }) => {
    const m = metricsOf(h);
    return Object.fromEntries(['published_total', 'imported_total', 'dropped_total', 'lag_entries', 'outbox', 'up'].map((k) => [k, m.get(`f2b_scan_fleet_${k}`)?.get('')]));
  };
  for (const h of [a!, b!]) assert.equal(run(h, at(0)).code, 0);
  assert.deepEqual(fleetSeries(a!), { published_total: 0, imported_total: 0, dropped_total: 0, lag_entries: 0, outbox: 0, up: 1 });

  // a bans two addresses from its log and publishes them; a signed entry with an absurd end is dropped by b.
  appendFileSync(a!.log, [...failedPasswords('198.51.100.7', 5, at(10)), ...failedPasswords('198.51.100.8', 5, at(11))].join('\n') + '\n');
  assert.equal(run(a!, at(60)).code, 0);
  await redis.cli('XADD', 'metrics-fleet', '*', ...signedBy(a!, String(T0 + 61), 'ban sshd 203.0.113.50 1e300 5'));
  assert.deepEqual(fleetSeries(a!), { published_total: 2, imported_total: 0, dropped_total: 0, lag_entries: 0, outbox: 0, up: 1 });
  const rb = run(b!, at(90));
  assert.equal(rb.code, 5, rb.stderr);
  assert.deepEqual(fleetSeries(b!), { published_total: 0, imported_total: 2, dropped_total: 1, lag_entries: 0, outbox: 0, up: 1 });

  // Counters add up over runs (kept in the state), a dry run changes nothing; the next real run keeps them.
  appendFileSync(a!.log, failedPasswords('198.51.100.9', 5, at(100)).join('\n') + '\n');
  assert.equal(run(a!, at(120)).code, 0);
  assert.equal(run(b!, at(130), ['--dry-run']).code, 0);
  assert.deepEqual(fleetSeries(b!), { published_total: 0, imported_total: 2, dropped_total: 1, lag_entries: 0, outbox: 0, up: 1 });
  assert.equal(run(b!, at(150)).code, 0);
  assert.deepEqual(fleetSeries(b!), { published_total: 0, imported_total: 3, dropped_total: 1, lag_entries: 0, outbox: 0, up: 1 });
  assert.deepEqual(fleetSeries(a!), { published_total: 3, imported_total: 0, dropped_total: 0, lag_entries: 0, outbox: 0, up: 1 });
});
