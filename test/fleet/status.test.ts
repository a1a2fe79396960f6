// `f2b-scan fleet status [--json]`: cursor lag, hosts, outbox, from a real config dir,
// state file and redis-server.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { generateHostKey } from '../../src/fleet/keys.ts';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exchange } from '../../src/fleet/exchange.ts';
import { readFleetSettings } from '../../src/fleet/settings.ts';
import { runFleetStatus } from '../../src/fleet/status-command.ts';
import { IniStore } from '../../src/config/store.ts';
import { emptyState } from '../../src/state/schema.ts';
import { saveState } from '../../src/state/store.ts';
import { EXIT } from '../../src/util/errors.ts';
import { freePort, noRedis, RedisServer } from './redis-server.ts';

// Real time: readers check an entry's signed start against its stream id (Redis's clock).
const NOW = Math.floor(Date.now() / 1000);
let redis: RedisServer;
let tmp: string;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'f2b-fleet-status-'));
  if (!noRedis) redis = await RedisServer.start();
});
after(async () => {
  await redis?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** A config directory for host `name` (the shipped jail.conf is used) and its state path. */
function hostDir(name: string, url: string) {
  const dir = join(tmp, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  const key = generateHostKey(name);
  writeFileSync(join(dir, 'fleet.key'), key.privatePem, { mode: 0o600 });
  appendFileSync(join(tmp, 'trusted_keys'), key.trustLine + '\n');
  writeFileSync(join(dir, 'f2b-scan.conf'), `[fleet]\nurl = ${url}\nstream = status-test\nhost = ${name}\nkey_file = fleet.key\ntrusted_keys = ../trusted_keys\ntimeout = 1\n`);
  const main = new IniStore();
  main.addFile(join(dir, 'f2b-scan.conf'));
  return { configDir: dir, statePath: join(dir, 'state.json'), settings: readFleetSettings(main)! };
}

const ban = (ip: string) => ({ jail: 'sshd', ip, start: NOW, until: NOW + 600, failures: 5 });

test('fleet status --json reports the stream, the cursor lag, the hosts seen and the outbox', { skip: noRedis }, async () => {
  const a = hostDir('a', redis.url);
  const b = hostDir('b', redis.url);
  const stateA = emptyState();
  const stateB = emptyState();
  await exchange(a.settings, stateA, [ban('192.0.2.1'), ban('192.0.2.2')], { dryRun: false, now: NOW });
  await exchange(b.settings, stateB, [ban('192.0.2.3')], { dryRun: false, now: NOW });
  await exchange(a.settings, stateA, [ban('192.0.2.4')], { dryRun: false, now: NOW });
  // b has read up to its own entry; a's third ban is after b's cursor. One unban waits in b's outbox.
  stateB.fleet.outbox.push({ op: 'unban', jail: 'sshd', ip: '192.0.2.9', start: NOW, until: null, failures: 0, queuedAt: NOW });
  await saveState(b.statePath, stateB);

  const r = await runFleetStatus({ configDir: b.configDir, statePath: b.statePath, json: true, now: NOW });
  assert.equal(r.exitCode, EXIT.ok);
  const s = JSON.parse(r.output);
  assert.equal(s.error, null);
  assert.equal(s.stream, 'status-test');
  assert.equal(s.host, 'b');
  assert.equal(s.length, 3, 'one entry per exchange');
  assert.match(s.first.id, /^\d+-\d+$/);
  assert.ok(Date.parse(s.last.time) >= Date.parse(s.first.time));
  assert.equal(s.cursor, stateB.fleet.cursor);
  assert.equal(s.lag, 1);
  assert.equal(s.outbox, 1);
  assert.deepEqual(
    s.hosts.map((h: { host: string; entries: number }) => [h.host, h.entries]),
    [['a', 2], ['b', 1]],
  );
  assert.equal(s.hosts[0].lastId, s.last.id);

  const text = await runFleetStatus({ configDir: b.configDir, statePath: b.statePath, json: false, now: NOW });
  assert.match(text.output, /entries: 3\n/);
  assert.match(text.output, /1 entries behind/);
  assert.match(text.output, /outbox: 1 waiting/);
});

test('fleet status of a host that never ran counts the whole stream as lag', { skip: noRedis }, async () => {
  const c = hostDir('c', redis.url);
  const s = JSON.parse((await runFleetStatus({ configDir: c.configDir, statePath: c.statePath, json: true, now: NOW })).output);
  assert.equal(s.cursor, null);
  assert.equal(s.lag, s.length);
  assert.equal(s.outbox, 0);
});

test('fleet status with Redis down says so and exits with the fleet code', { skip: noRedis }, async () => {
  const d = hostDir('d', `redis://127.0.0.1:${await freePort()}`);
  const r = await runFleetStatus({ configDir: d.configDir, statePath: d.statePath, json: true, now: NOW });
  assert.equal(r.exitCode, EXIT.fleetUnreachable);
  const s = JSON.parse(r.output);
  assert.match(s.error, /cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
  assert.equal(s.outbox, 0);
});

test('fleet status without [fleet] url is a configuration error naming the key', async () => {
  const dir = mkdtempSync(join(tmp, 'nofleet-'));
  await assert.rejects(
    runFleetStatus({ configDir: dir, statePath: join(dir, 'state.json'), json: false, now: NOW }),
    /f2b-scan\.conf \[fleet\] url: not set/,
  );
});

const root = resolve(fileURLToPath(import.meta.url), '../../..');
/** The real CLI once main.ts registers the fleet command; until then the same module under yargs. */
const cliEntry = readFileSync(join(root, 'src/cli/main.ts'), 'utf8').includes('fleetCommand')
  ? 'src/cli/main.ts'
  : 'test/fleet/fixtures/fleet-cli.ts';

function f2bScan(...args: string[]) {
  const now = ['--now', new Date(NOW * 1000).toISOString()];
  const r = spawnSync(process.execPath, ['--import', 'tsx', cliEntry, ...args, ...now], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('f2b-scan fleet status --json on the command line shows the lag and the outbox; Redis down exits 6', { skip: noRedis }, async () => {
  const own = await RedisServer.start();
  try {
    const a = hostDir('cli-a', own.url);
    const e = hostDir('cli-e', own.url);
    await exchange(a.settings, emptyState(), [ban('192.0.2.5'), ban('192.0.2.6')], { dryRun: false, now: NOW });
    const stateE = emptyState();
    stateE.fleet.outbox.push({ op: 'ban', jail: 'sshd', ip: '192.0.2.7', start: NOW, until: NOW + 600, failures: 5, queuedAt: NOW });
    await saveState(e.statePath, stateE);

    const up = f2bScan('fleet', 'status', '--json', '--config', e.configDir, '--state', e.statePath);
    assert.equal(up.code, 0, up.err);
    const s = JSON.parse(up.out);
    assert.deepEqual([s.length, s.lag, s.outbox, s.hosts.map((h: { host: string }) => h.host)], [1, 1, 1, ['cli-a']]);

    await own.stop();
    const down = f2bScan('fleet', 'status', '--config', e.configDir, '--state', e.statePath);
    assert.equal(down.code, EXIT.fleetUnreachable);
    assert.match(down.out, /error: cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+/);
    assert.match(down.out, /outbox: 1 waiting/);
  } finally {
    await own.close();
  }
});
