// [fleet] in f2b-scan.conf / f2b-scan.local as an admin writes it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { IniStore } from '../../src/config/store.ts';
import { readFleetSettings } from '../../src/fleet/settings.ts';
import { ConfigError } from '../../src/util/errors.ts';

const NEW_KEY = 'b3f1c0de9a8e7f6d5c4b3a2918070605';
const OLD_KEY = 'aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbb';

function configDir(conf: string, local?: string, keyText = `# fleet keys: the first signs\n${NEW_KEY}\n\n${OLD_KEY}\n`) {
  const dir = mkdtempSync(join(tmpdir(), 'f2b-fleet-conf-'));
  writeFileSync(join(dir, 'fleet.key'), keyText, { mode: 0o600 });
  chmodSync(join(dir, 'fleet.key'), 0o600);
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
  const c = configDir('[fleet]\nurl = redis://10.0.0.1:6379\nkey_file = fleet.key\nmaxtime = 1d\n', '[fleet]\nurl = redis://user:secret@127.0.0.1:6380/2\n');
  try {
    const s = readFleetSettings(c.main)!;
    assert.equal(s.url, 'redis://user:secret@127.0.0.1:6380/2');
    assert.equal(s.stream, 'f2b-scan:bans');
    assert.equal(s.host, hostname());
    assert.deepEqual(s.keys.map((k) => k.toString()), [NEW_KEY, OLD_KEY]);
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
  const c = configDir('[fleet]\nurl = redis://10.0.0.1:6379\nkey_file = fleet.key\n');
  try {
    const s = readFleetSettings(c.main)!;
    assert.equal(s.maxtime, 7 * 86400);
    assert.equal(s.skew, 900);
  } finally {
    c.done();
  }
});

test('publish, import, timeout, host and stream are read as written', () => {
  const c = configDir('[fleet]\nurl = REDISS://redis.example:6380\nkey_file = fleet.key\nhost = web-1\nstream = bans:prod\ntimeout = 0.5\nmaxlen = 5000\npublish = sshd, nginx-http-auth\nimport = no\n');
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
  ];
  for (const [line, key, why] of cases) {
    const c = configDir(`[fleet]\nurl = redis://127.0.0.1:6379\nkey_file = fleet.key\n${line}\n`);
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

test('a fleet without a usable key file is a configuration error', () => {
  const cases: [string, string | undefined, RegExp][] = [
    ['', undefined, /key_file: missing/],
    ['key_file = nowhere.key', undefined, /cannot read .*nowhere\.key: ENOENT/],
    ['key_file = fleet.key', '# nothing yet\n', /holds no key/],
    ['key_file = fleet.key', 'short\n', /shorter than 16 characters/],
  ];
  for (const [line, keyText, why] of cases) {
    const c = configDir(`[fleet]\nurl = redis://127.0.0.1:6379\n${line}\n`, undefined, keyText);
    try {
      const e = errorOf(() => readFleetSettings(c.main));
      assert.equal(e.place.key, 'key_file');
      assert.match(e.message, why);
    } finally {
      c.done();
    }
  }
});

test('a key file every user can read gives a warning', () => {
  const c = configDir('[fleet]\nurl = redis://127.0.0.1:6379\nkey_file = fleet.key\n');
  try {
    chmodSync(join(c.dir, 'fleet.key'), 0o644);
    const s = readFleetSettings(c.main)!;
    assert.match(s.warnings?.[0] ?? '', /readable by every user.*can ban on every host/);
  } finally {
    c.done();
  }
});

test('a password in the url is not shown in the error message', () => {
  const c = configDir('[fleet]\nurl = redis://admin:hunter2@\nkey_file = fleet.key\n');
  try {
    const e = errorOf(() => readFleetSettings(c.main));
    assert.ok(!e.message.includes('hunter2'), e.message);
  } finally {
    c.done();
  }
});
