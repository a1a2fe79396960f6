// The fields read from a date (year, month, …, offset) and their conversion to an instant:
// year inference for year-less dates, day inference for time-only dates, 12-hour clocks, zones.

import { civilDate, daysFromCivil, daysInMonth, monthFromAbbrev } from './civil.ts';
import { parseOffset, WallClock, ZONE_ABBREVIATIONS, type Zone } from './zone.ts';

/** One mutable set of fields per reader, reset for every line (no allocation per line). */
export class DateFields {
  Y = -1; // four-digit year
  y = -1; // two-digit year
  m = -1;
  d = -1;
  j = -1; // day of the year
  H = -1;
  I = -1; // 12-hour clock
  pm = -1; // 1 pm, 0 am
  M = 0;
  S = 0;
  frac = 0; // fraction of a second
  offset = NaN; // seconds east of UTC written in the line
  epoch = NaN; // an instant written as such (%s)
  any = false; // whether any field was read at all

  reset(): void {
    this.Y = this.y = this.m = this.d = this.j = this.H = this.I = this.pm = -1;
    this.M = this.S = this.frac = 0;
    this.offset = this.epoch = NaN;
    this.any = false;
  }

  /** Fill from the named groups of a template regex match. */
  fromGroups(g: Record<string, string | undefined>): void {
    let v: string | undefined;
    if ((v = g.Y) !== undefined) { this.Y = +v; this.any = true; }
    if ((v = g.y) !== undefined) { this.y = +v; this.any = true; }
    if ((v = g.m) !== undefined) { this.m = +v; this.any = true; }
    if ((v = g.b) !== undefined) { this.m = monthFromAbbrev(v, 0); this.any = true; }
    if ((v = g.B) !== undefined) { this.m = monthFromAbbrev(v, 0); this.any = true; }
    if ((v = g.d) !== undefined) { this.d = parseInt(v.trim(), 10); this.any = true; }
    if ((v = g.j) !== undefined) { this.j = +v; this.any = true; }
    if ((v = g.H) !== undefined) { this.H = +v; this.any = true; }
    if ((v = g.I) !== undefined) { this.I = +v; this.any = true; }
    if ((v = g.p) !== undefined) { this.pm = v.toLowerCase() === 'pm' ? 1 : 0; }
    if ((v = g.M) !== undefined) { this.M = +v; this.any = true; }
    if ((v = g.S) !== undefined) { this.S = +v; this.any = true; }
    if ((v = g.f) !== undefined) { this.frac = +('0.' + v); }
    if ((v = g.z) !== undefined) { this.offset = parseOffset(v); }
    if ((v = g.Z) !== undefined) { this.offset = ZONE_ABBREVIATIONS[v.toUpperCase()] ?? NaN; }
    if ((v = g.s) !== undefined) { this.epoch = +v; this.any = true; }
  }
}

const DAY = 86400;

/**
 * Turns fields into epoch seconds for one reader: the zone for dates without an offset and "now"
 * for the parts a log leaves out. Year-less dates take the latest year that puts them at most a
 * day after now (so `Dec 31` read on Jan 1 is last year); time-only dates take the latest day that
 * puts them not after now.
 */
export class Clock {
  private readonly wall: WallClock;
  private readonly nowYear: number;
  private readonly nowMonth: number;
  private readonly nowDay: number;

  constructor(readonly zone: Zone, readonly now: number) {
    this.wall = new WallClock(zone);
    [this.nowYear, this.nowMonth, this.nowDay] = civilDate(Math.floor(now) + zone.offsetAt(now));
  }

  /** NaN when the fields name no real date (Feb 30, 25 o'clock). */
  toEpoch(f: DateFields): number {
    if (!Number.isNaN(f.epoch)) return f.epoch;
    let hour = f.H < 0 ? 0 : f.H;
    if (f.I >= 0) {
      if (f.I > 12) return NaN;
      hour = (f.I % 12) + (f.pm === 1 ? 12 : 0);
    }
    if (hour > 23 || f.M > 59 || f.S > 59) return NaN;
    const secs = hour * 3600 + f.M * 60 + f.S;
    // two-digit years as strptime reads them: 69-99 → 1969-1999, 00-68 → 2000-2068
    const year = f.Y >= 0 ? f.Y : f.y >= 0 ? (f.y < 69 ? 2000 + f.y : 1900 + f.y) : -1;
    if (f.Y === 0) return NaN; // there is no year 0

    if (f.j > 0 && (f.m < 0 || f.d < 0)) {
      const y = year >= 0 ? year : this.nowYear;
      const t = this.at(daysFromCivil(y, 1, 1) + f.j - 1, secs, f);
      if (year >= 0 || t <= this.now + DAY) return t;
      return this.at(daysFromCivil(y - 1, 1, 1) + f.j - 1, secs, f);
    }
    if (year < 0 && f.m < 0 && f.d < 0) {
      // time only: today, or yesterday when that would be in the future
      const today = daysFromCivil(this.nowYear, this.nowMonth, this.nowDay);
      const t = this.at(today, secs, f);
      return t <= this.now ? t : this.at(today - 1, secs, f);
    }
    if (year < 0 && f.m < 0) {
      // day of month only: this month, or the one before when ahead
      if (f.d > daysInMonth(this.nowYear, this.nowMonth)) return NaN;
      const t = this.at(daysFromCivil(this.nowYear, this.nowMonth, f.d), secs, f);
      if (t <= this.now + DAY) return t;
      const pm = this.nowMonth === 1 ? 12 : this.nowMonth - 1;
      const py = this.nowMonth === 1 ? this.nowYear - 1 : this.nowYear;
      return f.d > daysInMonth(py, pm) ? NaN : this.at(daysFromCivil(py, pm, f.d), secs, f);
    }
    const m = f.m < 0 ? 1 : f.m;
    const d = f.d < 0 ? 1 : f.d;
    if (m < 1 || m > 12 || d < 1) return NaN;
    if (year >= 0) return d > daysInMonth(year, m) ? NaN : this.at(daysFromCivil(year, m, d), secs, f);
    // year-less: this year unless that is more than a day ahead of now
    let y = this.nowYear;
    if (d <= daysInMonth(y, m)) {
      const t = this.at(daysFromCivil(y, m, d), secs, f);
      if (t <= this.now + DAY) return t;
    }
    y -= 1;
    return d > daysInMonth(y, m) ? NaN : this.at(daysFromCivil(y, m, d), secs, f);
  }

  private at(days: number, secs: number, f: DateFields): number {
    const civil = days * DAY + secs;
    const t = Number.isNaN(f.offset) ? this.wall.toEpoch(civil) : civil - f.offset;
    return f.frac === 0 ? t : t + f.frac;
  }
}
