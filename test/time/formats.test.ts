// Every date form the default detector reads (issue "Timestamps", items 1 and 2), each on a line
// as the service writes it. Times without an offset are Europe/Zurich (CET in January).
import { readDate, utc, zurich } from './zurich.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';

const T = zurich(2005, 1, 23, 21, 59, 59); // 2005-01-23 21:59:59 CET = 20:59:59Z

interface Case {
  name: string;
  line: string;
  time: number;
  text: string;
  timezone?: string;
}

const FAIL2BAN_FORMS: Case[] = [
  { name: 'syslog', line: 'Jan 23 21:59:59 host sshd[1]: Failed password for root from 192.0.2.1', time: T, text: 'Jan 23 21:59:59' },
  { name: 'syslog, one-digit day padded with a space', line: 'Jan  3 04:05:06 host x', time: zurich(2005, 1, 3, 4, 5, 6), text: 'Jan  3 04:05:06' },
  { name: 'syslog with weekday', line: 'Sun Jan 23 21:59:59 host x', time: T, text: 'Sun Jan 23 21:59:59' },
  { name: 'syslog with fractional seconds', line: 'Jan 23 21:59:59.011 host dovecot: x', time: T + 0.011, text: 'Jan 23 21:59:59.011' },
  { name: 'syslog with year after the time (Apache 2.2 error log)', line: '[Sun Jan 23 21:59:59 2005] [error] [client 192.0.2.3] x', time: T, text: 'Sun Jan 23 21:59:59 2005' },
  { name: 'syslog with year before the time', line: 'Jan 23 2005 21:59:59 host x', time: T, text: 'Jan 23 2005 21:59:59' },
  { name: 'syslog in any case', line: 'JAN 23 21:59:59 host x', time: T, text: 'JAN 23 21:59:59' },
  { name: 'syslog after a <priority>', line: '<34>Jan 23 21:59:59 host x', time: T, text: 'Jan 23 21:59:59' },
  { name: 'ISO 8601 with T', line: '2005-01-23T21:59:59 host x', time: T, text: '2005-01-23T21:59:59' },
  { name: 'ISO 8601 with a space', line: '2005-01-23 21:59:59 host x', time: T, text: '2005-01-23 21:59:59' },
  { name: 'ISO 8601 with milliseconds and Z', line: '2005-01-23T21:59:59.252Z host x', time: utc(2005, 1, 23, 21, 59, 59) + 0.252, text: '2005-01-23T21:59:59.252Z' },
  { name: 'ISO 8601 with a comma fraction', line: '2005-01-23 21:59:59,123 INFO x', time: T + 0.123, text: '2005-01-23 21:59:59,123' },
  { name: 'ISO 8601 with microseconds and Z (MySQL 5.7)', line: '2005-01-23T21:59:59.123456Z 8 [Note] x', time: utc(2005, 1, 23, 21, 59, 59) + 0.123456, text: '2005-01-23T21:59:59.123456Z' },
  { name: 'RFC 3339 with ±hh:mm', line: '2005-01-23T15:59:59-05:00 host x', time: utc(2005, 1, 23, 20, 59, 59), text: '2005-01-23T15:59:59-05:00' },
  { name: 'ISO 8601 with ±hhmm', line: '2005-01-23T21:59:59+0100 host x', time: T, text: '2005-01-23T21:59:59+0100' },
  { name: 'ISO 8601 with ±hh', line: '2005-01-23 21:59:59 +03 host x', time: utc(2005, 1, 23, 18, 59, 59), text: '2005-01-23 21:59:59 +03' },
  { name: 'ISO 8601 with a UTC word (PostgreSQL)', line: '2005-01-23 21:59:59.123 UTC [123] FATAL: x', time: utc(2005, 1, 23, 21, 59, 59) + 0.123, text: '2005-01-23 21:59:59.123 UTC' },
  { name: 'short ISO', line: '20050123T215959 app: fail', time: T, text: '20050123T215959' },
  { name: 'RFC 5424 syslog', line: '<34>1 2005-01-23T21:59:59.003Z mymachine sshd 123 ID47 - x', time: utc(2005, 1, 23, 21, 59, 59) + 0.003, text: '2005-01-23T21:59:59.003Z' },
  { name: 'Apache/nginx access log', line: '192.0.2.6 - - [23/Jan/2005:21:59:59 +0100] "GET / HTTP/1.1" 404 1', time: T, text: '23/Jan/2005:21:59:59 +0100' },
  { name: 'nginx error log', line: '2005/01/23 21:59:59 [error] 123#0: *1 x', time: T, text: '2005/01/23 21:59:59' },
  { name: 'BIND with hundredths', line: '23-Jan-2005 21:59:59.02 client 192.0.2.14#53: x', time: T + 0.02, text: '23-Jan-2005 21:59:59.02' },
  { name: 'day/month/year', line: '23/01/2005 21:59:59 ftp: x', time: T, text: '23/01/2005 21:59:59' },
  { name: 'month/day/year:time', line: '01/23/2005:21:59:59 app: x', time: T, text: '01/23/2005:21:59:59' },
  { name: 'year.month.day', line: '2005.01.23 21:59:59 x', time: T, text: '2005.01.23 21:59:59' },
  { name: 'day-month-year', line: '23-01-2005 21:59:59 app: x', time: T, text: '23-01-2005 21:59:59' },
  { name: 'month-day-year with fraction', line: '01-23-2005 21:59:59.252 app: x', time: T + 0.252, text: '01-23-2005 21:59:59.252' },
  { name: 'MySQL', line: '050123 21:59:59 [Warning] Access denied', time: T, text: '050123 21:59:59' },
  { name: 'Tomcat', line: 'Jan 23, 2005 9:59:59 PM org.apache.catalina x', time: T, text: 'Jan 23, 2005 9:59:59 PM' },
  { name: 'ASSP', line: 'Jan-23-05 21:59:59 [SMTP Error] 192.0.2.25', time: T, text: 'Jan-23-05 21:59:59' },
  { name: '<month/day/yy@time>', line: '<01/23/05@21:59:59> app: x', time: T, text: '<01/23/05@21:59:59>' },
  { name: 'epoch seconds', line: '1106513999 app x', time: 1106513999, text: '1106513999' },
  { name: 'epoch with fraction', line: '1106513999.123 app x', time: 1106513999.123, text: '1106513999.123' },
  { name: 'epoch in brackets', line: '[1106513999.000] app x', time: 1106513999, text: '1106513999.000' },
  { name: 'SELinux audit(epoch:n)', line: 'type=USER_AUTH msg=audit(1106513999.123:42): pid=1 x', time: 1106513999.123, text: '1106513999.123' },
  { name: 'TAI64N', line: '@4000000041f4104f00000000 tcpserver: deny', time: 1106513999, text: '@4000000041f4104f00000000' },
];

const BEYOND_FAIL2BAN: Case[] = [
  { name: 'logfmt time="…" (traefik)', line: 'time="2005-01-23T21:59:59+01:00" level=debug msg="auth failed" ip=192.0.2.1', time: T, text: '2005-01-23T21:59:59+01:00' },
  { name: 'logfmt ts= epoch', line: 'ts=1106513999.5 level=warn msg="login failed" ip=192.0.2.1', time: 1106513999.5, text: '1106513999.5' },
  { name: 'JSON "ts" as ISO (zap)', line: '{"level":"warn","ts":"2005-01-23T21:59:59.5+01:00","msg":"login failed"}', time: T + 0.5, text: '2005-01-23T21:59:59.5+01:00' },
  { name: 'JSON "ts" as epoch float (Caddy)', line: '{"level":"error","ts":1106513999.1234567,"logger":"http.log.access","msg":"x"}', time: 1106513999.1234567, text: '1106513999.1234567' },
  { name: 'JSON "time" as ISO', line: '{"time":"2005-01-23T20:59:59Z","level":"INFO","msg":"x"}', time: utc(2005, 1, 23, 20, 59, 59), text: '2005-01-23T20:59:59Z' },
  { name: 'JSON "time" as quoted epoch', line: '{"time":"1106513999","msg":"x"}', time: 1106513999, text: '1106513999' },
  { name: 'JSON "timestamp" as epoch milliseconds', line: '{"timestamp":1106513999250,"event":"auth_failure"}', time: 1106513999.25, text: '1106513999250' },
  { name: 'JSON "@timestamp" as ISO', line: '{"@timestamp":"2005-01-23T21:59:59.000+01:00","message":"x"}', time: T, text: '2005-01-23T21:59:59.000+01:00' },
  { name: 'Docker json-file log (RFC 3339 with nanoseconds)', line: '{"log":"Failed password for root from 192.0.2.1\\n","stream":"stderr","time":"2005-01-23T20:59:59.123456789Z"}', time: utc(2005, 1, 23, 20, 59, 59) + 0.123456, text: '2005-01-23T20:59:59.123456789Z' },
  { name: 'Go RFC3339Nano with an offset', line: '2005-01-23T21:59:59.1234567+01:00 level=warn msg="auth failed"', time: T + 0.123456, text: '2005-01-23T21:59:59.1234567+01:00' },
  { name: 'Go standard log with microseconds', line: '2005/01/23 21:59:59.123456 http: TLS handshake error from 192.0.2.1:1', time: T + 0.123456, text: '2005/01/23 21:59:59.123456' },
  { name: 'traefik access log (CLF)', line: '192.0.2.1 - - [23/Jan/2005:20:59:59 +0000] "GET / HTTP/1.1" 401 17 "-" "-" 1 "r@docker" "-" 0ms', time: utc(2005, 1, 23, 20, 59, 59), text: '23/Jan/2005:20:59:59 +0000' },
  { name: 'systemd short-iso', line: '2005-01-23T21:59:59+0100 host sshd[1]: Failed password', time: T, text: '2005-01-23T21:59:59+0100' },
  { name: 'systemd short-iso-precise', line: '2005-01-23T21:59:59.123456+01:00 host sshd[1]: x', time: T + 0.123456, text: '2005-01-23T21:59:59.123456+01:00' },
  { name: 'systemd short-precise', line: 'Jan 23 21:59:59.123456 host sshd[1]: x', time: T + 0.123456, text: 'Jan 23 21:59:59.123456' },
  { name: 'systemd short-full', line: 'Sun 2005-01-23 15:59:59 EST host sshd[1]: x', time: utc(2005, 1, 23, 20, 59, 59), text: 'Sun 2005-01-23 15:59:59 EST' },
  { name: 'systemd short-unix', line: '1106513999.123456 host sshd[1]: x', time: 1106513999.123456, text: '1106513999.123456' },
  { name: 'W3C/IIS date and time fields (UTC by convention)', line: '2005-01-23 20:59:59 W3SVC1 192.0.2.9 POST /owa/auth.owa - 443 - 192.0.2.1 Mozilla/5.0 - 401 1 1326 15', time: utc(2005, 1, 23, 20, 59, 59), text: '2005-01-23 20:59:59', timezone: 'UTC' },
  { name: 'W3C date<TAB>time', line: '2005-01-23\t20:59:59\t192.0.2.1\tGET\t/\t401', time: utc(2005, 1, 23, 20, 59, 59), text: '2005-01-23\t20:59:59', timezone: 'UTC' },
  { name: 'RFC 2822 (mail headers, HTTP dates)', line: 'Sun, 23 Jan 2005 21:59:59 +0100 auth failure from 192.0.2.1', time: T, text: 'Sun, 23 Jan 2005 21:59:59 +0100' },
];

for (const c of FAIL2BAN_FORMS) {
  test(`reads ${c.name}`, () => {
    const got = readDate(c.line, c.timezone ? { timezone: c.timezone } : {});
    assert.ok(got !== null, 'a date is found');
    assert.equal(got.text, c.text);
    assert.ok(Math.abs(got.time - c.time) < 1e-6, `time ${got.time} is ${c.time}`);
  });
}

for (const c of BEYOND_FAIL2BAN) {
  test(`reads ${c.name} (beyond fail2ban)`, () => {
    const got = readDate(c.line, c.timezone ? { timezone: c.timezone } : {});
    assert.ok(got !== null, 'a date is found');
    assert.equal(got.text, c.text);
    assert.ok(Math.abs(got.time - c.time) < 1e-6, `time ${got.time} is ${c.time}`);
  });
}

test('a line without a date has none', () => {
  assert.equal(readDate('Failed password for root from 192.0.2.1 port 22 ssh2'), null);
  assert.equal(readDate(''), null);
});

test('impossible dates (Feb 30, 24 o\'clock, second 60, year 0) are cut out but give no time, as in fail2ban', () => {
  for (const [line, text] of [
    ['2005-02-30 21:59:59 x', '2005-02-30 21:59:59'],
    ['Feb 30 21:59:59 x', 'Feb 30 21:59:59'],
    ['Jan 23 24:59:59 x', 'Jan 23 24:59:59'],
    ['Jan 23 21:59:60 x', 'Jan 23 21:59:60'],
    ['0000-12-30 00:00:00 server test-demo[1]: x', '0000-12-30 00:00:00'],
  ] as const) {
    const got = readDate(line, text.startsWith('0000') ? { datepattern: '{^LN-BEG}%Y-%m-%d %H:%M:%S' } : {});
    assert.equal(got?.text, text, line);
    assert.ok(Number.isNaN(got?.time), line);
  }
});

test('a date glued to a word is not a date', () => {
  assert.equal(readDate('abc2005-01-23 21:59:59 x'), null);
  assert.equal(readDate('2005-01-23 21:59:59x'), null);
});

test('the leftmost date of a line wins', () => {
  assert.equal(readDate('1 23/01/2005 21:59:59 y 2005-01-24 10:00:00')?.text, '23/01/2005 21:59:59');
  assert.equal(readDate('1 2005-01-24 10:00:00 y 23/01/2005 21:59:59')?.text, '2005-01-24 10:00:00');
});

test('a word before a syslog date is not taken for a zone (fail2ban 1.0.2 loses such dates)', () => {
  // fail2ban reads "foo" as a zone name, fails on it and finds no date at all
  assert.equal(readDate('foo Jan 23 21:59:59 bar')?.text, 'Jan 23 21:59:59');
  assert.equal(readDate('PDT Jan 23 21:59:59 bar')?.time, utc(2005, 1, 24, 4, 59, 59));
});

test('a year far ahead is no year: %ExY stops at the decade of three years from now, as in fail2ban', () => {
  assert.equal(readDate('[27/Jan/20504:24:16] x'), null, 'not 2050 at 4:24:16');
  assert.equal(readDate('2099-01-23 21:59:59 x'), null);
});

test('a space-padded day at the line start is cut without its space, as fail2ban does', () => {
  assert.equal(readDate('[ 9/Jan/2005:21:59:59 +0100] "GET /" 401')?.text, '9/Jan/2005:21:59:59 +0100');
  assert.equal(readDate('x [ 9/Jan/2005:21:59:59 +0100] "GET /" 401')?.text, ' 9/Jan/2005:21:59:59 +0100', 'inside the line the space belongs to the day');
});
