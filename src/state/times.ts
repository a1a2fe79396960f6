// Times read from the state file are checked once, when it is loaded, so nothing downstream
// meets NaN, Infinity or 1e300 (a hand-edited file, a bug of an older version, an attacker with
// write access to /var/lib): `new Date(1e300).toISOString()` throws, and a run that throws never
// saves its state, so every later run would die the same way. A time that is not a number, not
// finite on the low side or negative makes its entry unusable (dropped); one further ahead than
// any ban can mean (100 years) is capped. Each is counted and reported as one warning.

/** How far ahead a time read from the state may lie: beyond, it is capped (about 100 years). */
export const MAX_AHEAD = 100 * 365.25 * 86_400;

export type TimeVerdict = 'ok' | 'bad' | 'ahead';

/** A time (epoch seconds) as read from the file: usable, unusable, or too far ahead of `now`. */
export function judgeTime(v: unknown, now: number): TimeVerdict {
  if (typeof v !== 'number' || Number.isNaN(v) || v < 0) return 'bad';
  return v > now + MAX_AHEAD ? 'ahead' : 'ok';
}

/** A count read from the file (failures, ban count): a non-negative finite number, else `fallback`. */
export function sanitizeCount(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : fallback;
}

/** What one load found wrong with times and keys: turned into one warning line. */
export class LoadProblems {
  dropped = 0;
  capped = 0;
  private readonly examples: string[] = [];

  drop(where: string, why: string): void {
    this.dropped++;
    if (this.examples.length < 3) this.examples.push(`${where} (${why})`);
  }

  cap(where: string, field: string): void {
    this.capped++;
    if (this.examples.length < 3) this.examples.push(`${where} (${field} capped)`);
  }

  get count(): number {
    return this.dropped + this.capped;
  }

  warnings(): string[] {
    if (this.count === 0) return [];
    const parts: string[] = [];
    if (this.dropped) parts.push(`dropped ${this.dropped} malformed entr${this.dropped === 1 ? 'y' : 'ies'}`);
    if (this.capped) parts.push(`capped ${this.capped} time${this.capped === 1 ? '' : 's'} more than 100 years ahead`);
    return [`state: ${parts.join(', ')} (${this.examples.join(', ')}${this.count > this.examples.length ? ', ...' : ''})`];
  }
}
