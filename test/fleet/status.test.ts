// `f2b-scan fleet status [--json]`: every host from its heartbeat (read-only ones too, the
// silent ones marked), the stream's ends, this host's cursor — through the real CLI against a
// real redis-server, and fast on a stream of 100,000 entries.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { readFleetStatus } from '../../src/fleet/status.ts';
import { readFleetSettings } from '../../src/fleet/settings.ts';
import { runFleetStatus } from '../../src/fleet/status-command.ts';
import { IniStore } from '../../src/config/store.ts';
import { emptyState } from '../../src/state/schema.ts';
import { EXIT } from '../../src/util/errors.ts';
import { failedPasswords, scratch } from '../run/cli.ts';
import { at, cli, makeHost, run } from './hosts.ts';
import { freePort, noRedis, redisForFile } from './redis-server.ts';

const root = scratch('f2b-fleet-status-');
const redis = redisForFile(() => rmSync(root, { recursive: true, force: true }));

const status = (h: { conf: string; state: string }, json = true) => cli(h as never, at(300), ['fleet', 'status', ...(json ? ['--json'] : [])]);

test('fleet status lists every host from its heartbeat: exit code, counts, read-only hosts, and a silent one marked', { skip: noRedis, timeout: 90_000 }, async () => {
  const fleet = (n: string, readOnly = false) => makeHost(join(root, 'one'), n, redis().url, { readOnly, fleet: 'stream = status-one' });
  const [a, b, r] = [fleet('a'), fleet('b'), fleet('reader', true)];
  appendFileSync(a.log, failedPasswords('198.51.100.5', 5, at(10)).join('\n') + '\n');
  assert.equal(run(a, at(60)).code, 0);
  assert.equal(run(b, at(70)).code, 0);
  assert.equal(run(r, at(80)).code, 0);

  const s = status(b);
  assert.equal(s.code, 0, s.stderr);
  const j = s.json;
  assert.equal(j.stream, 'status-one');
  assert.equal(j.length, 1);
  assert.match(j.epoch, /^[0-9a-f]{16}$/);
  assert.equal(j.lagSeconds, 0, 'b has read everything');
  assert.deepEqual(
    j.hosts.map((h: any) => [h.host, h.exit, h.published, h.imported, h.publishes, h.silent, h.trusted]),
    [['a', 0, 1, 0, true, false, true], ['b', 0, 0, 1, true, false, true], ['reader', 0, 0, 1, false, false, false]],
  );
  // A host that stopped running: its heartbeat (as written) is ten minutes old on Redis's clock.
  const [sec] = (await redis().cli('TIME')).split('\n');
  const old = JSON.parse(await redis().cli('HGET', 'status-one:hosts', 'a'));
  await redis().cli('HSET', 'status-one:hosts', 'a', JSON.stringify({ ...old, at: Number(sec) - 600 }));
  const text = status(b, false);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^hosts \(3\):$/m);
  assert.match(text.stdout, /^  a  last run .* exit 0  published 1 .*\[SILENT[,\]]/m);
  assert.match(text.stdout, /^  reader  .*\[read-only[,\]]/m);
  assert.match(text.stdout, /^  b  .*lag 0\b/m);
  assert.doesNotMatch(text.stdout, /^  b .*SILENT/m);
});

test('fleet status reads the stream\'s ends, never the stream: under a second at 100,000 entries', { skip: noRedis, timeout: 120_000 }, async (t) => {
  const h = makeHost(join(root, 'big'), 'big', redis().url, { fleet: 'stream = status-big' });
  await redis().cli('EVAL', "for i=1,100000 do redis.call('XADD', KEYS[1], '*', 'host', 'x', 'start', '1', 'items', 'ban sshd 192.0.2.1 - 1', 'sig', 'x') end", '1', 'status-big');
  const main = new IniStore();
  main.addFile(join(h.conf, 'f2b-scan.conf'));
  const settings = readFleetSettings(main, join(h.conf, 'f2b-scan.conf'))!;
  const t0 = performance.now();
  const s = await readFleetStatus(settings, emptyState());
  const ms = performance.now() - t0;
  assert.equal(s.error, null);
  assert.equal(s.length, 100_000);
  const t1 = performance.now();
  const viaCli = status(h);
  const cliMs = performance.now() - t1;
  assert.equal(viaCli.code, 0, viaCli.stderr);
  assert.equal(viaCli.json.length, 100_000);
  t.diagnostic(`fleet status at 100,000 entries: ${ms.toFixed(0)} ms in-process, ${cliMs.toFixed(0)} ms for the whole command`);
  assert.ok(ms < 1000, `${ms} ms`);
});

test('fleet status with Redis down says so and exits with the fleet code; without [fleet] url it is a configuration error', { skip: noRedis }, async () => {
  const d = makeHost(join(root, 'down'), 'd', `redis://127.0.0.1:${await freePort()}`);
  const r = status(d);
  assert.equal(r.code, EXIT.fleetUnreachable);
  assert.match(r.json.error, /cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
  const text = status(d, false);
  assert.match(text.stdout, /^error: cannot reach Redis/m);
  assert.match(text.stdout, /^outbox: 0 waiting to be published$/m);

  const dir = mkdtempSync(join(root, 'nofleet-'));
  await assert.rejects(runFleetStatus({ configDir: dir, statePath: join(dir, 'state.json'), json: false }), /f2b-scan\.conf \[fleet\] url: not set/);
});
