// WallClock remembers the offsets of the hours it has seen (one subtraction per line): a log whose
// dates jump back and forth across a DST change, or over more hours than it remembers, must still
// read every date as the zone database says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ianaZone, WALL_CLOCK_HOURS, WallClock, wallToEpoch } from '../../src/time/zone.ts';

const civil = (y: number, mo: number, d: number, h: number, mi = 0, s = 0) => Date.UTC(y, mo - 1, d, h, mi, s) / 1000;

/** A seeded shuffle: the same order on every run. */
function shuffled<T>(xs: T[], seed: number): T[] {
  const a = xs.slice();
  let x = seed;
  for (let i = a.length - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const j = x % (i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

test('dates around the DST changes, read in a jumping order, get the offsets in force then', () => {
  const zurich = ianaZone('Europe/Zurich')!;
  const clock = new WallClock(zurich);
  // 2026: summer time from 29 March 02:00 (02:xx does not exist), back on 25 October 03:00 (02:xx twice).
  const times: number[] = [];
  for (const day of [civil(2026, 3, 29, 0), civil(2026, 10, 25, 0)]) for (let m = 0; m < 6 * 60; m += 7) times.push(day + m * 60 + 13);
  for (const t of shuffled(times, 7)) assert.equal(clock.toEpoch(t), wallToEpoch(zurich, t), new Date(t * 1000).toISOString());
  // Known instants: 01:30 winter time, 03:30 summer time, the first 02:30 of October (summer time).
  assert.equal(clock.toEpoch(civil(2026, 3, 29, 1, 30)), civil(2026, 3, 29, 0, 30));
  assert.equal(clock.toEpoch(civil(2026, 3, 29, 3, 30)), civil(2026, 3, 29, 1, 30));
  assert.equal(clock.toEpoch(civil(2026, 10, 25, 2, 30)), civil(2026, 10, 25, 0, 30));
});

test('more hours than it remembers, and back: each date still read right', () => {
  const zurich = ianaZone('Europe/Zurich')!;
  const clock = new WallClock(zurich);
  const hours = 3 * WALL_CLOCK_HOURS;
  const times: number[] = [];
  // Three days over the March change, each hour twice, far apart in the order.
  for (let h = 0; h < hours; h++) times.push(civil(2026, 3, 28, 0) + h * 3600 + 59, civil(2026, 3, 28, 0) + h * 3600 + 1799);
  for (const t of shuffled(times, 11)) assert.equal(clock.toEpoch(t), wallToEpoch(zurich, t));
});

test('a zone whose offset changes by half an hour (Lord Howe Island) is read exactly in the hour it changes', () => {
  const lh = ianaZone('Australia/Lord_Howe')!;
  const clock = new WallClock(lh);
  const times: number[] = [];
  // DST ends 5 April 2026 02:00 (back to 01:30), starts 4 October 2026 02:00 (on to 02:30).
  for (const day of [civil(2026, 4, 5, 0), civil(2026, 10, 4, 0)]) for (let m = 0; m < 4 * 60; m += 3) times.push(day + m * 60);
  for (const t of shuffled(times, 3)) assert.equal(clock.toEpoch(t), wallToEpoch(lh, t), new Date(t * 1000).toISOString());
});
