// A jail's `logencoding` (fail2ban: a Python codec name, `auto` = the locale's) decides how a
// log's bytes become text. Differential: every byte value (and multi-byte samples) decoded by
// Python's own codecs (errors='replace', as fail2ban falls back to) and by f2b-scan's reader,
// for the names fail2ban users write. Then a run on a Latin-1 log: the user name reads right,
// the attacker is banned, nothing is "invalid".

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decoderFor } from '../../src/sources/decode.ts';
import { localeCodeset, logDecoding } from '../../src/util/log-encoding.ts';
import { readNewLines } from '../../src/sources/files.ts';
import { f2b, scratch, sshdConfig, sshdLine } from '../run/cli.ts';

const PYTHON = ['/usr/bin/python3', 'python3'].find((p) => {
  try {
    execFileSync(p, ['-c', 'pass'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});

/** Names as fail2ban users write them (Python accepts all of these spellings): every byte compared. */
const SINGLE_BYTE = [
  'utf-8', 'UTF8', 'latin-1', 'latin1', 'ISO-8859-1', 'iso8859_1', 'ascii', 'iso-8859-15', 'latin9', 'ISO8859-2',
  'cp1252', 'windows-1252', 'cp1251', 'cp1250', 'koi8-r', 'koi8_u', 'cp866', 'iso-8859-5', 'iso-8859-7',
];
/**
 * Multi-byte East Asian codecs: common text Python's codec reads without error is compared
 * (where a sequence is invalid, ICU and Python may disagree on how many bytes one U+FFFD is).
 */
const MULTI_BYTE = ['shift_jis', 'euc-jp', 'gb18030', 'big5', 'euc_kr'];
const NAMES = [...SINGLE_BYTE, ...MULTI_BYTE];

/** Bytes to decode: every single byte with a line around it, and a few multi-byte sequences. */
function samples(): Buffer[] {
  const out: Buffer[] = [];
  for (let b = 0; b < 256; b++) if (b !== 0x0a) out.push(Buffer.from([0x41, b, 0x42]));
  out.push(Buffer.from('caf\u00e9 \u20ac', 'utf8'), Buffer.from([0x82, 0xa0, 0x82, 0xa2]), Buffer.from([0xa4, 0xa1, 0xb0, 0xa1]), Buffer.from([0x81, 0x30, 0x81, 0x30]));
  return out;
}

test("log bytes decode to the same text as Python's codec of each logencoding name", { skip: PYTHON ? false : 'no python3 to compare with' }, () => {
  const bytes = samples();
  const script = `import json, sys
spec = json.load(sys.stdin)
out = {}
for name in spec["names"]:
    out[name] = [bytes.fromhex(h).decode(name, "replace") for h in spec["bytes"]]
print(json.dumps(out))`;
  const strictScript = script.replace('"replace")', '"strict") if valid(h, name) else None').replace('out = {}', `out = {}
def valid(h, name):
    try:
        bytes.fromhex(h).decode(name)
        return True
    except UnicodeDecodeError:
        return False`);
  const ask = (code: string, names: string[]): Record<string, (string | null)[]> =>
    JSON.parse(execFileSync(PYTHON!, ['-c', code], { input: JSON.stringify({ names, bytes: bytes.map((b) => b.toString('hex')) }), encoding: 'utf8', maxBuffer: 1 << 26 }));
  const theirs = { ...ask(script, SINGLE_BYTE), ...ask(strictScript, MULTI_BYTE) };
  let compared = 0;
  const differences: string[] = [];
  for (const name of NAMES) {
    const r = logDecoding(name);
    assert.ok('decoding' in r, `${name}: ${'error' in r ? r.error : ''}`);
    const decode = decoderFor(r.decoding);
    bytes.forEach((b, i) => {
      const want = theirs[name]![i];
      if (want === null || want === undefined) return; // invalid in Python's multi-byte codec
      // Multi-byte codecs: the written sequences only (the tables differ on rare characters:
      // WHATWG's big5 is Big5-HKSCS, its shift_jis is Microsoft's cp932).
      if (MULTI_BYTE.includes(name) && i < 255) return;
      const ours = decode(b, 0, b.length, { seen: false });
      compared++;
      // Python's 'replace' writes one U+FFFD per undecodable byte run; so does TextDecoder,
      // except where their notions of a bad sequence's length differ: compare the text around.
      if (ours !== want && ours.replace(/\uFFFD+/g, '\uFFFD') !== want.replace(/\uFFFD+/g, '\uFFFD')) {
        differences.push(`${name} ${b.toString('hex')}: f2b-scan ${JSON.stringify(ours)}, Python ${JSON.stringify(want)}`);
      }
    });
  }
  assert.deepEqual(differences, []);
  assert.ok(compared > SINGLE_BYTE.length * 255, `compared ${compared}`);
});

test('auto is the locale\'s codeset, as Python reads it (C and no locale: UTF-8); unknown names and UTF-16 are refused', () => {
  assert.equal(localeCodeset({}), 'utf-8');
  assert.equal(localeCodeset({ LANG: 'C' }), 'utf-8');
  assert.equal(localeCodeset({ LANG: 'de_DE.ISO-8859-15@euro' }), 'ISO-8859-15');
  assert.equal(localeCodeset({ LANG: 'en_US.UTF-8', LC_ALL: 'fr_FR.ISO-8859-1' }), 'ISO-8859-1');
  assert.deepEqual(logDecoding('auto', { LANG: 'fr_FR.ISO-8859-1' }), { decoding: 'latin1' });
  assert.deepEqual(logDecoding('auto', {}), { decoding: 'utf-8' });
  assert.match((logDecoding('klingon') as { error: string }).error, /"klingon" is not an encoding/);
  assert.match((logDecoding('utf-16') as { error: string }).error, /not line-based/);
});

test('a Latin-1 log read with logencoding = latin-1 has no invalid bytes; read as UTF-8 it has, with one warning', async () => {
  const dir = scratch('f2b-enc-');
  const log = join(dir, 'auth.log');
  writeFileSync(log, Buffer.from('Nov 24 10:00:01 host sshd[1]: Invalid user jos\xe9 from 192.0.2.5 port 2\n', 'latin1'));
  const lines: string[] = [];
  const asLatin1 = await readNewLines(log, undefined, (l) => lines.push(l), { decoding: 'latin1' });
  assert.deepEqual(asLatin1.warnings, []);
  assert.match(lines[0]!, /Invalid user josé from/);
  const asUtf8 = await readNewLines(log, undefined, () => {}, {});
  assert.deepEqual(asUtf8.warnings, [`${log}: contains invalid UTF-8; bad bytes read as U+FFFD (a jail's logencoding names the log's encoding)`]);
});

test('a run over a Latin-1 auth.log with logencoding = latin-1 bans and exits 0; a wrong name skips only that jail (exit 2)', () => {
  const dir = scratch('f2b-enc-run-');
  const log = join(dir, 'auth.log');
  const lines = Array.from({ length: 5 }, (_, i) => sshdLine(`2026-11-24T10:00:0${i}Z`, `Failed password for invalid user jos\u00e9 from 192.0.2.5 port ${4000 + i} ssh2`));
  writeFileSync(log, Buffer.from(lines.join('\n') + '\n', 'latin1'));
  const conf = sshdConfig(dir, log, 'logencoding = latin-1');
  const args = ['--config', conf, '--state', join(dir, 'state.json'), '--now', '2026-11-24T10:01:00Z', '--dry-run', '--json'];
  const ok = f2b(args);
  assert.equal(ok.code, 0, ok.stderr);
  assert.doesNotMatch(ok.stderr, /invalid/);
  assert.match(ok.stdout, /192\.0\.2\.5/);

  writeFileSync(join(conf, 'jail.local'), `[sshd]\nenabled = true\nlogpath = ${log}\nlogencoding = klingon\n`);
  const bad = f2b(args);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /jail\.local:4 \[sshd\] logencoding: "klingon" is not an encoding .*\(jail \[sshd\] skipped\)/);
});
