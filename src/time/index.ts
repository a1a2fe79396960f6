// Reading the time of a log line (issue "Timestamps"): the rule engine creates one DateReader per
// log file or stream and asks it for each line's date.
//
// What a line's date is follows fail2ban 1.0's detector: the leftmost text any template matches
// (ties: the earlier template), with its word boundaries, `{^LN-BEG}`, `{DATE}`, EPOCH rules.
// Checked against fail2ban 1.0.2 itself on ../shared/conformance (dates.jsonl, every sample line,
// the stock filters' datepatterns). Where f2b-scan reads differently, on purpose:
//  - a 3-5 letter word before a syslog date ("sshd Jan 23 …") is not taken for a zone name
//    (fail2ban fails on the unknown zone and loses the date); only real zone names are;
//  - %y 69-99 are 1969-1999 as strptime reads them (fail2ban: 2069-2099);
//  - ISO fractions of 7 to 9 digits (Go's RFC3339Nano, Docker) are part of the date, so the zone
//    after them counts (fail2ban stops before such a fraction and reads local time);
//  - a year-less Feb 29 read in a common year is the last leap year's (fail2ban finds no date);
//  - a pattern matching no field (`^WARNING:()**`) gives the previous line's time, as fail2ban's
//    filter does (its bare detector gives midnight);
//  - beyond fail2ban: JSON/logfmt epoch fields, systemd short-full, W3C with a tab, RFC 2822,
//    IANA names and `UTC-5` in logtimezone, %s.

import type { Place } from '../types.ts';
import { ConfigError } from '../util/errors.ts';
import { compileDatePattern } from './datepattern.ts';
import { Detector, type DateHit } from './detector.ts';
import { Clock } from './fields.ts';
import { parseTimezone } from './zone.ts';

export type { DateHit } from './detector.ts';
export { compileDatePattern } from './datepattern.ts';
export { parseTimezone, parseOffset } from './zone.ts';

export interface DateReaderOptions {
  /** A fail2ban `datepattern` value (filter or jail): one or several patterns on separate lines,
   *  `{DEFAULT}`, `{NONE}`, `{^LN-BEG}…`, `{UNB}…`, `…{DATE}…`, EPOCH, LEPOCH, TAI64N, ISO8601. */
  datepattern?: string;
  /** A jail's `logtimezone`: `UTC`, `UTC+0200`, `UTC-5`, `+0100`, `CET`, an IANA name. Absent:
   *  the machine's zone (TZ works). Dates that carry an offset or `Z` keep theirs. */
  timezone?: string;
  /** Epoch seconds: the reference for dates without a year or without a day (from --now). */
  now: number;
  /** Where the datepattern (and timezone) were written, for errors. */
  place?: Place;
}

export interface DateReader {
  /**
   * The date of a line, or null when it has none. `line.slice(hit.start, hit.end)` is the date
   * text as fail2ban cuts it out before matching failregex.
   *
   * `time` is NaN when the text has a date's form but is no real date (Feb 30, year 0): the
   * text is still cut out, as fail2ban does, and the line has no time.
   *
   * The returned object is REUSED: the same DateHit instance is overwritten by the next call on
   * this reader (so reading a date allocates nothing). Copy `time`/`start`/`end` if you keep them.
   * Never throws.
   */
  read(line: string): DateHit | null;
}

/**
 * A date reader for one log file or stream: it learns the file's format from the lines it reads.
 * Throws RuleError (with `place`) for a bad datepattern, ConfigError for a timezone that names
 * no zone.
 */
export function createDateReader(opts: DateReaderOptions): DateReader {
  const zone = parseTimezone(opts.timezone);
  if (zone === null) {
    throw new ConfigError({ ...(opts.place ?? { file: '(jail)' }), key: 'logtimezone' }, `unknown time zone ${JSON.stringify(opts.timezone)}`);
  }
  const compiled = compileDatePattern(opts.datepattern, opts.place);
  const now = opts.now;
  if (compiled.none) {
    // {NONE}: no date in the lines; each one happens "now"
    const hit: DateHit = { time: now, start: 0, end: 0, template: '{NONE}' };
    return { read: () => { hit.time = now; hit.start = 0; hit.end = 0; return hit; } };
  }
  const detector = new Detector(compiled.templates, new Clock(zone, now), compiled.tiesMatter);
  return {
    read(line: string): DateHit | null {
      try {
        return detector.read(line);
      } catch {
        return null; // a date we cannot read is no date; a log line must never stop a run
      }
    },
  };
}
