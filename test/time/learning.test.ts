// A reader learns its file's format; learning makes reading cheaper, never different.
import { NOW, zurich } from './zurich.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDateReader } from '../../src/time/index.ts';

function times(reader: ReturnType<typeof createDateReader>, lines: string[]): (number | null)[] {
  return lines.map((l) => reader.read(l)?.time ?? null);
}

test('a second format appearing later in the same file is still read', () => {
  const reader = createDateReader({ now: NOW });
  const lines = [
    'Jan 23 21:59:57 host sshd[1]: a',
    'Jan 23 21:59:58 host sshd[1]: b',
    '2005-01-23 21:59:59 host proftpd[2]: c',
    '2005-01-23 22:00:00 host proftpd[2]: d',
    'Jan 23 22:00:01 host sshd[1]: e',
  ];
  assert.deepEqual(times(reader, lines), [
    zurich(2005, 1, 23, 21, 59, 57), zurich(2005, 1, 23, 21, 59, 58), zurich(2005, 1, 23, 21, 59, 59),
    zurich(2005, 1, 23, 22, 0, 0), zurich(2005, 1, 23, 22, 0, 1),
  ]);
});

test('lines without a date between dated ones do not disturb what was learned', () => {
  const reader = createDateReader({ now: NOW });
  assert.equal(reader.read('Jan 23 21:59:59 host x')?.time, zurich(2005, 1, 23, 21, 59, 59));
  assert.equal(reader.read('    at java.lang.Thread.run(Thread.java:748)'), null);
  assert.equal(reader.read('Jan 23 22:00:00 host x')?.time, zurich(2005, 1, 23, 22, 0, 0));
});

test('an access log whose date moves with the client address is read on every line', () => {
  const reader = createDateReader({ now: NOW });
  for (const ip of ['192.0.2.1', '192.0.2.123', '2001:db8::1', '192.0.2.77']) {
    const hit = reader.read(`${ip} - - [23/Jan/2005:21:59:59 +0100] "GET / HTTP/1.1" 401 17`);
    assert.equal(hit?.time, zurich(2005, 1, 23, 21, 59, 59), ip);
  }
});

test('a learned format does not hide a date further left on the line (as fail2ban)', () => {
  const reader = createDateReader({ now: NOW });
  reader.read('192.0.2.1 - - [23/Jan/2005:21:59:59 +0100] "GET / HTTP/1.1" 401 17');
  assert.equal(reader.read('Jan 23 21:59:58 y [23/Jan/2005:21:59:59 +0100]')?.time, zurich(2005, 1, 23, 21, 59, 58));
  reader.read('2005-01-24 10:00:00 x');
  assert.equal(reader.read('23/01/2005 21:59:59 y 2005-01-24 10:00:00')?.time, zurich(2005, 1, 23, 21, 59, 59));
  const hit = reader.read('Sun 2005-01-23 15:59:59 EST host x');
  assert.equal(hit?.start, 0, 'systemd short-full, with its zone, not the ISO date inside it');
  assert.equal(hit?.time, zurich(2005, 1, 23, 21, 59, 59));
});

test('each reader learns its own file', () => {
  const syslog = createDateReader({ now: NOW });
  const iso = createDateReader({ now: NOW });
  syslog.read('Jan 23 21:59:59 host x');
  iso.read('2005-01-23 21:59:59 host x');
  assert.equal(syslog.read('Jan 24 00:00:00 host x')?.time, zurich(2005, 1, 24));
  assert.equal(iso.read('2005-01-24 00:00:00 host x')?.time, zurich(2005, 1, 24));
});

test('with a custom pattern list the earlier pattern keeps priority after a later one was learned', () => {
  // the first pattern ignores the zone; fail2ban's fresh detector prefers it at the same column
  const dp = '^%Y-%m-%d[ T]%H:%M:%S\n{^LN-BEG}';
  const reader = createDateReader({ now: NOW, datepattern: dp });
  assert.equal(reader.read('Jan 23 21:59:59 host x')?.time, zurich(2005, 1, 23, 21, 59, 59)); // learns {^LN-BEG} syslog
  const hit = reader.read('2005-01-23T21:59:59+00:00 host x');
  assert.equal(hit?.time, zurich(2005, 1, 23, 21, 59, 59));
  assert.equal(hit?.end, 19);
});

test('a learned reader reads a mixed log exactly as a fresh reader per line', () => {
  const forms = [
    (s: number) => `Jan 23 21:59:${String(s).padStart(2, '0')} host sshd[1]: x`,
    (s: number) => `Sun Jan 23 21:59:${String(s).padStart(2, '0')} 2005 host x`,
    (s: number) => `2005-01-23T21:59:${String(s).padStart(2, '0')}.${s}Z host x`,
    (s: number) => `2005-01-23 21:59:${String(s).padStart(2, '0')},5 +0300 x`,
    (s: number) => `192.0.2.${s} - - [23/Jan/2005:21:59:${String(s).padStart(2, '0')} +0100] "GET /"`,
    (s: number) => `[1106513${String(s).padStart(3, '0')}] x`,
    (s: number) => `{"ts":1106513${String(s).padStart(3, '0')}.5,"msg":"x"}`,
    (s: number) => `no date ${s}`,
    (s: number) => `Jan 23 21:59:${String(s).padStart(2, '0')} y [23/Jan/2005:21:59:59 +0100]`,
    (s: number) => `23/01/2005 21:59:${String(s).padStart(2, '0')} y 2005-01-24 10:00:00`,
    (s: number) => `Sun 2005-01-23 15:59:${String(s).padStart(2, '0')} EST host x`,
    (s: number) => `<13>Jan 23 21:59:${String(s).padStart(2, '0')} host x`,
    (s: number) => `{"time":"2005-01-23T21:59:${String(s).padStart(2, '0')}Z","ts":1106513999}`,
  ];
  const learned = createDateReader({ now: NOW });
  for (let i = 0; i < 2000; i++) {
    const line = forms[(i * 7 + (i >> 3) + (i >> 5)) % forms.length]!(i % 60);
    const a = learned.read(line);
    const b = createDateReader({ now: NOW }).read(line);
    assert.deepEqual(a && { ...a }, b && { ...b }, line);
  }
});
