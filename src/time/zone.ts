// Time zones: fixed offsets, the machine's local zone and IANA names (through Intl), and the
// conversion of a wall-clock time to an instant with the zone database's DST rules.

/** A zone answers one question: its offset (seconds east of UTC) at an instant (epoch seconds). */
export interface Zone {
  readonly name: string;
  /** Constant offset in seconds, or NaN when the offset depends on the date. */
  readonly fixed: number;
  offsetAt(epoch: number): number;
}

export function fixedZone(offset: number, name = formatOffset(offset)): Zone {
  return { name, fixed: offset, offsetAt: () => offset };
}

export const UTC: Zone = fixedZone(0, 'UTC');

/** The zone of this process (the TZ variable works, also POSIX forms like `CET-1CEST`). */
export function systemZone(): Zone {
  return {
    name: 'local',
    fixed: NaN,
    offsetAt: (epoch) => -new Date(Math.floor(epoch) * 1000).getTimezoneOffset() * 60,
  };
}

/** An IANA zone (`Europe/Zurich`), or null when Intl does not know the name. */
export function ianaZone(name: string): Zone | null {
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: name, hourCycle: 'h23', era: 'short',
      year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
  } catch {
    return null;
  }
  const offsetAt = (epoch: number): number => {
    const t = Math.floor(epoch);
    const p: Record<string, string> = {};
    for (const part of fmt.formatToParts(t * 1000)) p[part.type] = part.value;
    let year = Number(p.year);
    if (p.era === 'BC' || p.era === 'B') year = 1 - year;
    const wall = Date.UTC(year, Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) / 1000;
    return wall - t;
  };
  return { name: fmt.resolvedOptions().timeZone, fixed: NaN, offsetAt };
}

/** Zone abbreviations a log may print after a time (%Z) and that `logtimezone` accepts. */
export const ZONE_ABBREVIATIONS: Readonly<Record<string, number>> = {
  Z: 0, UT: 0, UTC: 0, GMT: 0, WET: 0, WEST: 3600, BST: 3600,
  CET: 3600, CEST: 7200, MET: 3600, MEST: 7200, EET: 7200, EEST: 10800, MSK: 10800,
  EST: -18000, EDT: -14400, CST: -21600, CDT: -18000, MST: -25200, MDT: -21600,
  PST: -28800, PDT: -25200, AKST: -32400, AKDT: -28800, HST: -36000,
  JST: 32400, KST: 32400, AWST: 28800, ACST: 34200, ACDT: 37800, AEST: 36000, AEDT: 39600,
  NZST: 43200, NZDT: 46800,
};

/**
 * Regex alternation of the abbreviations, longest first so CEST wins over CET. Ties in plain
 * code-unit order, not localeCompare: its first call loads ICU's collator, ~5-10 ms of CPU that
 * every run paid at start-up (a third of an idle cron run's cost above `node -e 0`).
 */
export const ZONE_NAME_PATTERN = Object.keys(ZONE_ABBREVIATIONS)
  .sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0))
  .join('|');

/**
 * An offset as logs write it: `Z`, `UTC`, `GMT`, `+01`, `+0100`, `+01:00`, `-5` (hours may have one
 * digit only in `logtimezone`). Returns seconds east of UTC, or NaN when the text is no offset.
 */
export function parseOffset(text: string): number {
  const s = text.trim();
  if (/^(?:Z|UTC|GMT|UT)$/i.test(s)) return 0;
  const m = /^(?:(?:UTC|GMT)\s*)?([+-])(\d{1,2})(?::?(\d{2}))?$/i.exec(s);
  if (!m) return NaN;
  const h = Number(m[2]);
  const min = m[3] === undefined ? 0 : Number(m[3]);
  if (h > 23) return NaN; // minutes up to 99 count as minutes (fail2ban reads -0099 as -1:39)
  return (m[1] === '-' ? -1 : 1) * (h * 3600 + min * 60);
}

export function formatOffset(offset: number): string {
  const a = Math.abs(offset);
  const hh = String(Math.floor(a / 3600)).padStart(2, '0');
  const mm = String(Math.floor((a % 3600) / 60)).padStart(2, '0');
  return `UTC${offset < 0 ? '-' : '+'}${hh}${mm}`;
}

/**
 * A jail's `logtimezone`: `UTC`, `UTC+0200`, `UTC-5`, `+0100`, an abbreviation (`CET`, fixed), or an
 * IANA name. Absent or empty: the machine's zone. Returns null when the value names no zone.
 */
export function parseTimezone(spec: string | undefined): Zone | null {
  if (spec === undefined || spec.trim() === '') return systemZone();
  const s = spec.trim();
  const off = parseOffset(s);
  if (!Number.isNaN(off)) return off === 0 ? UTC : fixedZone(off);
  const abbr = ZONE_ABBREVIATIONS[s.toUpperCase()];
  if (abbr !== undefined && s.length <= 5) return fixedZone(abbr, s.toUpperCase());
  return ianaZone(s);
}

/**
 * The instant of a wall-clock time in a zone. `civil` is the wall clock counted as seconds since
 * 1970-01-01T00:00 (see civilSeconds). DST follows the zone database like mktime and JS Date do:
 * a time inside a spring-forward gap is read with the offset before the change (02:30 → 03:30
 * summer time), a time inside an autumn overlap takes its first occurrence (summer time).
 */
export function wallToEpoch(zone: Zone, civil: number): number {
  if (!Number.isNaN(zone.fixed)) return civil - zone.fixed;
  const before = zone.offsetAt(civil - 86400);
  const after = zone.offsetAt(civil + 86400);
  if (before === after) {
    const t = civil - before;
    if (zone.offsetAt(t) === before) return t;
  }
  const a = civil - before;
  const aValid = zone.offsetAt(a) === before;
  const b = civil - after;
  const bValid = zone.offsetAt(b) === after;
  if (aValid && bValid) return Math.min(a, b);
  if (aValid) return a;
  if (bValid) return b;
  return a; // in a gap: the offset in force before the change
}

/** Hours WallClock remembers besides the last one; past this many it forgets them all. */
export const WALL_CLOCK_HOURS = 64;

/**
 * wallToEpoch with a memory of hours: logs are read in order, so consecutive lines almost always
 * fall in the same wall-clock hour and converting them costs one subtraction; a log whose dates
 * jump between a few hours (several sources merged, a rule's samples) finds each hour's offset in
 * a small map instead of asking the zone database (Intl) again. An hour whose offset changes
 * inside it (DST at a non-hour boundary) is remembered as such and converted exactly each time.
 */
export class WallClock {
  private hour = NaN;
  private offset = NaN;
  /** Hour -> its offset (NaN: it changes within that hour). */
  private readonly hours = new Map<number, number>();
  constructor(readonly zone: Zone) {}

  toEpoch(civil: number): number {
    if (!Number.isNaN(this.zone.fixed)) return civil - this.zone.fixed;
    const hour = Math.floor(civil / 3600);
    if (hour === this.hour) return civil - this.offset;
    let off = this.hours.get(hour);
    if (off === undefined) {
      const start = hour * 3600;
      const offStart = start - wallToEpoch(this.zone, start);
      const offEnd = start + 3599 - wallToEpoch(this.zone, start + 3599);
      off = offStart === offEnd ? offStart : NaN;
      if (this.hours.size >= WALL_CLOCK_HOURS) this.hours.clear();
      this.hours.set(hour, off);
    }
    if (Number.isNaN(off)) return wallToEpoch(this.zone, civil);
    this.hour = hour;
    this.offset = off;
    return civil - off;
  }
}
