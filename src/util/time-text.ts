// Times as people read them in command output: ISO 8601 in UTC to the second ("2026-11-24T10:05:00Z"),
// without the ".000" of Date.toISOString, which only says that no milliseconds were measured.

// Every time printed from data (a state file, a log, another host) goes through these: a time no
// Date can hold (NaN, ±Infinity, 1e300) is said as such, never thrown (toISOString throws a
// RangeError, which once turned one absurd ban into a crash of every later run and of `status`).

/** Epoch seconds as Date.toISOString() (`...T10:05:00.000Z`), or `(invalid time X)`. */
export function isoTime(t: number): string {
  const d = new Date(t * 1000);
  return Number.isNaN(d.getTime()) ? `(invalid time ${t})` : d.toISOString();
}

/** Epoch seconds as `YYYY-MM-DDTHH:MM:SSZ`, or `(invalid time X)`. */
export function isoSeconds(t: number): string {
  return isoTime(Math.floor(t)).replace(/\.\d{3}Z$/, 'Z');
}
