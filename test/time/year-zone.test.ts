// Which year a year-less date belongs to, and which zone a date without offset is read in.
import { readDate, utc, zurich, NOW } from './zurich.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDateReader } from '../../src/time/index.ts';
import { ConfigError } from '../../src/util/errors.ts';

const JAN1 = utc(2006, 1, 1, 10, 0, 0); // 11:00 in Zurich on New Year's Day 2006

test('Dec 31 read on Jan 1 is last year', () => {
  const got = readDate('Dec 31 23:59:59 host sshd[1]: x', { now: JAN1 });
  assert.equal(got?.time, zurich(2005, 12, 31, 23, 59, 59));
});

test('Jan 1 read on Jan 1 is this year', () => {
  assert.equal(readDate('Jan  1 10:30:00 host x', { now: JAN1 })?.time, zurich(2006, 1, 1, 10, 30, 0));
});

test('a year-less date up to a day ahead of now stays in this year, one second more goes back a year', () => {
  // now = 2005-08-14 12:00 Zurich
  assert.equal(readDate('Aug 15 12:00:00 x')?.time, zurich(2005, 8, 15, 12, 0, 0));
  assert.equal(readDate('Aug 15 12:00:01 x')?.time, zurich(2004, 8, 15, 12, 0, 1));
});

test('the reference year comes from now (--now), not from the clock', () => {
  assert.equal(readDate('Jan 23 21:59:59 x', { now: utc(2011, 6, 1) })?.time, zurich(2011, 1, 23, 21, 59, 59));
});

test('a time without a date is today, or yesterday when it would be in the future', () => {
  const dp = '^%H:%M:%S';
  assert.equal(readDate('11:59:00 x', { datepattern: dp })?.time, zurich(2005, 8, 14, 11, 59, 0));
  assert.equal(readDate('12:00:01 x', { datepattern: dp })?.time, zurich(2005, 8, 13, 12, 0, 1));
});

test('spring forward: a time in the missing hour is read with winter time (02:30 → 03:30 CEST)', () => {
  // 2005-03-27 02:00 CET jumped to 03:00 CEST in Zurich
  assert.equal(readDate('2005-03-27 02:30:00 x')?.time, utc(2005, 3, 27, 1, 30, 0));
  assert.equal(readDate('2005-03-27 01:59:59 x')?.time, utc(2005, 3, 27, 0, 59, 59));
  assert.equal(readDate('2005-03-27 03:00:00 x')?.time, utc(2005, 3, 27, 1, 0, 0));
});

test('fall back: a time in the repeated hour is its first (summer time) occurrence', () => {
  // 2005-10-30 03:00 CEST went back to 02:00 CET: 02:30 happened twice
  assert.equal(readDate('2005-10-30 02:30:00 x')?.time, utc(2005, 10, 30, 0, 30, 0));
  assert.equal(readDate('2005-10-30 03:00:00 x')?.time, utc(2005, 10, 30, 2, 0, 0));
  assert.equal(readDate('Oct 30 02:30:00 host x')?.time, utc(2004, 10, 30, 0, 30, 0)); // 2004: not the change day
});

test('the same DST rules hold for a logtimezone given as an IANA name', () => {
  const tz = 'America/New_York'; // 2005-04-03 02:00 EST → 03:00 EDT; 2005-10-30 02:00 EDT → 01:00 EST
  assert.equal(readDate('2005-04-03 02:30:00 x', { timezone: tz })?.time, utc(2005, 4, 3, 7, 30, 0));
  assert.equal(readDate('2005-10-30 01:30:00 x', { timezone: tz })?.time, utc(2005, 10, 30, 5, 30, 0));
  assert.equal(readDate('2005-01-23 15:59:59 x', { timezone: tz })?.time, utc(2005, 1, 23, 20, 59, 59));
  assert.equal(readDate('2005-07-23 15:59:59 x', { timezone: tz })?.time, utc(2005, 7, 23, 19, 59, 59));
});

test('a long run of lines across a DST change reads every line right (the hour memory is per hour)', () => {
  const reader = createDateReader({ now: utc(2005, 11, 1), timezone: 'Europe/Zurich' });
  for (let t = utc(2005, 10, 29, 22); t < utc(2005, 10, 30, 3); t += 60) {
    const wall = new Date((t + (t < utc(2005, 10, 30, 1) ? 7200 : 3600)) * 1000).toISOString().slice(0, 19);
    const hit = reader.read(`${wall} host x`);
    // the second pass through 02:xx (CET) cannot be told from the first (CEST): it reads as the first
    const repeated = t >= utc(2005, 10, 30, 1) && t < utc(2005, 10, 30, 2);
    assert.equal(hit?.time, repeated ? t - 3600 : t, wall);
  }
});

test('logtimezone forms: UTC, UTC+0200, UTC-5, +0230, CET, an IANA name', () => {
  const line = '2005-01-23 21:59:59 host x';
  assert.equal(readDate(line, { timezone: 'UTC' })?.time, utc(2005, 1, 23, 21, 59, 59));
  assert.equal(readDate(line, { timezone: 'UTC+0200' })?.time, utc(2005, 1, 23, 19, 59, 59));
  assert.equal(readDate(line, { timezone: 'UTC-5' })?.time, utc(2005, 1, 24, 2, 59, 59));
  assert.equal(readDate(line, { timezone: '+0230' })?.time, utc(2005, 1, 23, 19, 29, 59));
  assert.equal(readDate(line, { timezone: 'UTC +02:30' })?.time, utc(2005, 1, 23, 19, 29, 59));
  assert.equal(readDate(line, { timezone: 'EST' })?.time, utc(2005, 1, 24, 2, 59, 59));
  assert.equal(readDate(line, { timezone: 'Asia/Tokyo' })?.time, utc(2005, 1, 23, 12, 59, 59));
});

test('without logtimezone the machine zone (TZ) is used', () => {
  assert.equal(readDate('2005-07-23 21:59:59 x')?.time, utc(2005, 7, 23, 19, 59, 59)); // CEST
  assert.equal(readDate('2005-01-23 21:59:59 x')?.time, utc(2005, 1, 23, 20, 59, 59)); // CET
});

test('an offset or Z written in the line wins over logtimezone', () => {
  assert.equal(readDate('2005-01-23T21:59:59Z x', { timezone: 'Asia/Tokyo' })?.time, utc(2005, 1, 23, 21, 59, 59));
  assert.equal(readDate('23/Jan/2005:21:59:59 -0800 x', { timezone: 'UTC' })?.time, utc(2005, 1, 24, 5, 59, 59));
});

test('a logtimezone that names no zone is a configuration error naming the jail key', () => {
  const place = { file: '/etc/fail2ban/jail.local', section: 'sshd' };
  assert.throws(
    () => createDateReader({ now: NOW, timezone: 'Mars/Olympus', place }),
    (e: unknown) => e instanceof ConfigError && /jail\.local \[sshd\] logtimezone: unknown time zone "Mars\/Olympus"/.test(e.message),
  );
});

test('a year-less Feb 29 read in a common year is from the last leap year (fail2ban finds no date)', () => {
  assert.equal(readDate('Feb 29 12:00:00 host x')?.time, zurich(2004, 2, 29, 12, 0, 0));
});
