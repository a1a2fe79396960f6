// Times as people read them in command output: ISO 8601 in UTC to the second ("2026-11-24T10:05:00Z"),
// without the ".000" of Date.toISOString, which only says that no milliseconds were measured.

/** Epoch seconds as `YYYY-MM-DDTHH:MM:SSZ`; a time no Date can hold is said as such, never thrown. */
export function isoSeconds(t: number): string {
  const d = new Date(Math.floor(t) * 1000);
  return Number.isNaN(d.getTime()) ? `(invalid time ${t})` : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
