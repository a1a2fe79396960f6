// Counting failures per (jail, address): pure arithmetic on a Ticket, called by the scan's fold
// for every failure as it is read.
//
// 'fail2ban' counting (the default) behaves as fail2ban 1.0.2's FailManager and FailTicket (our
// own code, written from reading theirs): a ticket holds the first and last failure time and a
// retry count. A failure later than the ticket's last one first adjusts the ticket: when the
// failures would span more than findtime, the retry count is scaled to the rate seen so far
// (retry * findtime / elapsed, rounded half to even as Python's round() does) and the first time
// moves to findtime before the new failure. Then retry grows by the failure's weight. A ticket
// whose last failure is findtime old or older is forgotten (FailManager.cleanup). So failures at
// 0, 30 and 150 s with findtime 120 and maxretry 3 are a ban: at 150 s the two earlier ones are
// rated 2 / 150 * 120 = 1.6 -> 2, plus one makes 3.
//
// 'strict' counting keeps each failure's time and counts those inside the last findtime, the
// window f2b-scan used before version 2 (a named jail option for those who want it).

import type { Epoch, Jail } from '../types.ts';
import type { Ticket } from '../state/schema.ts';

export type Counting = 'fail2ban' | 'strict';

export function countingOf(jail: Jail): Counting {
  return jail.counting ?? 'fail2ban';
}

/** Python's round(): to the nearest integer, halves to the even one. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // Math.round sends halves up; a half whose upper neighbour is odd goes down instead.
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** A ticket for a first failure at `time` weighing `weight` tries. */
export function newTicket(time: Epoch, weight: number, counting: Counting): Ticket {
  const t: Ticket = { first: time, last: time, retry: weight, attempts: 1 };
  if (counting === 'strict') t.times = [time];
  return t;
}

/** Count one more failure at `time` into `t` (owned by the caller: changed in place). */
export function addFailure(t: Ticket, time: Epoch, weight: number, findtime: number, counting: Counting): void {
  t.attempts++;
  if (counting === 'strict') {
    const times = (t.times ??= []);
    let i = times.length;
    while (i > 0 && times[i - 1]! > time) i--;
    times.splice(i, 0, time);
    // The window is anchored at the newest failure: what fell out of it no longer counts.
    const from = times.at(-1)! - findtime;
    let drop = 0;
    while (drop < times.length && times[drop]! <= from) drop++;
    if (drop > 0) times.splice(0, drop);
    t.first = times[0]!;
    t.last = times.at(-1)!;
    t.retry = times.length * weight;
    t.attempts = times.length;
    return;
  }
  if (time > t.last) {
    if (t.first < time - findtime) {
      t.retry = roundHalfEven((t.retry / (time - t.first)) * findtime);
      t.first = time - findtime;
    }
    t.last = time;
  }
  t.retry += weight;
}

/** Enough failures for a ban. */
export function isRipe(t: Ticket, maxretry: number): boolean {
  return t.retry >= Math.max(1, maxretry);
}

/**
 * A ticket a failure at `time` cannot join: its last failure lies more than findtime before.
 * (fail2ban's daemon services its FailManager continuously; run by run, a ticket is judged
 * against each failure's own time, and the ones findtime old are forgotten after each run.)
 */
export function isStale(t: Ticket, time: Epoch, findtime: number): boolean {
  return t.last < time - findtime;
}

/**
 * A ticket read back from the state for a run at `now` with strict counting: only the times still
 * inside the window count (a ticket written by fail2ban counting has none: its attempts are taken
 * to be at its last failure).
 */
export function strictView(t: Ticket, now: Epoch, findtime: number, weight: number): Ticket {
  const times = (t.times ?? Array.from({ length: Math.max(1, Math.min(t.attempts, 1000)) }, () => t.last)).filter((x) => x > now - findtime);
  return { ...t, times, first: times[0] ?? t.first, retry: times.length * weight, attempts: times.length };
}

/**
 * How much one failure weighs for an address banned before in this jail, with bantime.increment:
 * fail2ban counts a known offender's failure as 2^count / 2 + 1 tries (2, 3, 5, 9, ...), at most maxretry.
 */
export function failureWeight(jail: Jail, jailBans: number): number {
  if (!jail.increment.enabled || jailBans <= 0) return 1;
  return Math.min(2 ** Math.min(jailBans, 20) / 2 + 1, Math.max(1, jail.maxretry));
}
