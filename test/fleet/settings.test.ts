// [fleet] in f2b-scan.conf / f2b-scan.local as an admin writes it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { IniStore } from '../../src/config/store.ts';
import { readFleetSettings } from '../../src/fleet/settings.ts';
import { generateHostKey, trustLine } from '../../src/fleet/keys.ts';
import { ConfigError } from '../../src/util/errors.ts';

const HOST = generateHostKey('web1');
const OTHER = generateHostKey('web2');
/** Every [fleet] below needs these two lines unless a test is about them. */
const KEYS = 'key_file = fleet.key\ntrusted_keys = trusted\n';

function configDir(conf: string, local?: string, keyText = HOST.privatePem, trustText = `# the fleet\n${HOST.trustLine}\n\n${OTHER.trustLine}  # web2\n`) {
  const dir = mkdtempSync(join(tmpdir(), 'f2b-fleet-conf-'));
  writeFileSync(join(dir, 'fleet.key'), keyText, { mode: 0o600 });
  chmodSync(join(dir, 'fleet.key'), 0o600);
  writeFileSync(join(dir, 'trusted'), trustText);
  writeFileSync(join(dir, 'f2b-scan.conf'), conf);
  if (local !== undefined) writeFileSync(join(dir, 'f2b-scan.local'), local);
  const main = new IniStore();
  main.addFile(join(dir, 'f2b-scan.conf'), true);
  main.addFile(join(dir, 'f2b-scan.local'), true);
  return { dir, main, done: () => rmSync(dir, { recursive: true, force: true }) };
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  assert.fail('expected a ConfigError');
}

test('no [fleet] url means no fleet', () => {
  const c = configDir('[fleet]\nstream = x\n');
  try {
    assert.equal(readFleetSettings(c.main), null);
  } finally {
    c.done();
  }
});

test('a [fleet] section with url and key_file gets the documented defaults; .local overrides .conf', () => {
  const c = configDir(`[fleet]\nurl = redis://10.0.0.1:6379\n${KEYS}maxtime = 1d\n`, '[fleet]\nurl = redis://user:secret@127.0.0.1:6380/2\n');
  try {
    const s = readFleetSettings(c.main)!;
    assert.equal(s.url, 'redis://user:secret@127.0.0.1:6380/2');
    assert.equal(s.stream, 'f2b-scan:bans');
    assert.equal(s.host, hostname());
    assert.equal(trustLine('web1', s.signingKey!), HOST.trustLine, 'signs with the private key of key_file');
    assert.deepEqual([...s.trusted.keys()], ['web1', 'web2']);
    assert.equal(s.minHosts, 1);
    assert.equal(s.timeoutMs, 2000);
    assert.equal(s.maxlen, 100000);
    assert.equal(s.maxtime, 86400);
    assert.equal(s.publish, 'all');
    assert.equal(s.import, true);
    assert.equal(s.warnings, undefined);
  } finally {
    c.done();
  }
});

test('without maxtime an imported ban lasts at most one week; clock_skew defaults to 15 minutes', () => {
  const c = configDir(`[fleet]\nurl = redis://10.0.0.1:6379\n${KEYS}`);
  try {
    const s = readFleetSettings(c.main)!;
    assert.equal(s.maxtime, 7 * 86400);
    assert.equal(s.skew, 900);
  } finally {
    c.done();
  }
});

test('publish, import, timeout, host and stream are read as written', () => {
  const c = configDir(`[fleet]\nurl = REDISS://redis.example:6380\n${KEYS}host = web-1\nstream = bans:prod\ntimeout = 0.5\nmaxlen = 5000\npublish = sshd, nginx-http-auth\nimport = no\n`);
  try {
    const s = readFleetSettings(c.main)!;
    assert.equal(s.url, 'rediss://redis.example:6380', 'TLS stays on whatever the case of the scheme');
    assert.deepEqual(
      [s.host, s.stream, s.timeoutMs, s.maxlen, s.publish, s.import],
      ['web-1', 'bans:prod', 500, 5000, ['sshd', 'nginx-http-auth'], false],
    );
  } finally {
    c.done();
  }
});

test('bad values give one line naming file, section [fleet] and key', () => {
  const cases: [string, string, RegExp][] = [
    ['url = http://127.0.0.1:6379', 'url', /"http:" is not supported/],
    ['timeout = soon', 'timeout', /is not a duration/],
    ['timeout = 0', 'timeout', /more than 0/],
    ['maxlen = lots', 'maxlen', /not a whole number/],
    ['import = maybe', 'import', /not a boolean/],
    ['host = web 1', 'host', /not a host name/],
    ['maxtime = 1 fortnight', 'maxtime', /unknown unit/],
    ['maxtime = 9999999999999999', 'maxtime', /beyond 100 years/],
    ['clock_skew = 1', 'clock_skew', /between 10 seconds and 1 day/],
    ['clock_skew = 2d', 'clock_skew', /between 10 seconds and 1 day/],
    ['min_hosts = 0', 'min_hosts', /between 1 and 1000/],
    ['min_hosts = two', 'min_hosts', /not a whole number/],
  ];
  for (const [line, key, why] of cases) {
    const c = configDir(`[fleet]\nurl = redis://127.0.0.1:6379\n${KEYS}${line}\n`);
    try {
      const e = errorOf(() => readFleetSettings(c.main));
      assert.equal(e.place.section, 'fleet');
      assert.equal(e.place.key, key);
      assert.equal(e.place.file, join(c.dir, 'f2b-scan.conf'));
      assert.match(e.message, new RegExp(`^${join(c.dir, 'f2b-scan.conf')}:\\d+ \\[fleet\\] ${key}: `));
      assert.match(e.message, why);
      assert.ok(!e.message.includes('\n'));
    } finally {
      c.done();
    }
  }
});

test('a key file or trust file that cannot be used is a configuration error naming the key', () => {
  const cases: [string, string | undefined, string | undefined, string, RegExp][] = [
    ['key_file = nowhere.key\ntrusted_keys = trusted', undefined, undefined, 'key_file', /cannot read .*nowhere\.key: ENOENT/],
    [KEYS, 'b3f1c0de9a8e7f6d5c4b3a2918070605\n', undefined, 'key_file', /holds no Ed25519 private key \(a shared secret of f2b-scan 0\.1\? .*fleet keygen/],
    [KEYS, '-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n', undefined, 'key_file', /is not a private key in PEM form/],
    ['key_file = fleet.key', undefined, undefined, 'trusted_keys', /missing: a host that imports acts only on entries signed by the hosts this file lists/],
    ['trusted_keys = nowhere', undefined, undefined, 'trusted_keys', /cannot read .*nowhere: ENOENT/],
    [KEYS, undefined, 'web1 rsa AAAA\n', 'trusted_keys', /trusted:1: expected "NAME ed25519 PUBLIC-KEY"/],
    [KEYS, undefined, `# ok\n${HOST.trustLine}\nweb2 ed25519 c2hvcnQ=\n`, 'trusted_keys', /trusted:3: the key of web2 is not 32 bytes in base64/],
    ['import = no', undefined, undefined, 'key_file', /neither publish nor read/],
  ];
  for (const [lines, keyText, trustText, key, why] of cases) {
    const c = configDir(`[fleet]\nurl = redis://127.0.0.1:6379\n${lines}\n`, undefined, keyText, trustText);
    try {
      const e = errorOf(() => readFleetSettings(c.main));
      assert.equal(e.place.key, key, e.message);
      assert.match(e.message, why);
      assert.ok(!e.message.includes('\n'));
    } finally {
      c.done();
    }
  }
});

test('without key_file the host only reads; without trusted_keys and import = no it only publishes', () => {
  const reader = configDir('[fleet]\nurl = redis://127.0.0.1:6379\ntrusted_keys = trusted\n');
  const writer = configDir('[fleet]\nurl = redis://127.0.0.1:6379\nkey_file = fleet.key\nimport = no\nmin_hosts = 2\n');
  try {
    const r = readFleetSettings(reader.main)!;
    assert.equal(r.signingKey, null);
    assert.equal(r.import, true);
    const w = readFleetSettings(writer.main)!;
    assert.ok(w.signingKey);
    assert.equal(w.trusted.size, 0);
    assert.equal(w.minHosts, 2);
  } finally {
    reader.done();
    writer.done();
  }
});

test('a private key every user can read gives a warning', () => {
  const c = configDir(`[fleet]\nurl = redis://127.0.0.1:6379\n${KEYS}`);
  try {
    chmodSync(join(c.dir, 'fleet.key'), 0o644);
    const s = readFleetSettings(c.main)!;
    assert.match(s.warnings?.[0] ?? '', /private key is readable by every user.*publish bans in its name/);
  } finally {
    c.done();
  }
});

test('a password in the url is not shown in the error message', () => {
  const c = configDir(`[fleet]\nurl = redis://admin:hunter2@\n${KEYS}`);
  try {
    const e = errorOf(() => readFleetSettings(c.main));
    assert.ok(!e.message.includes('hunter2'), e.message);
  } finally {
    c.done();
  }
});
