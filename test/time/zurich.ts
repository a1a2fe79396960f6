// Imported first by every time test: the conformance data was made with TZ=Europe/Zurich and
// now = 2005-08-14T10:00:00Z, so the tests run in that zone whatever the caller's TZ is.
// (Node re-reads the zone when process.env.TZ is assigned; nothing here has read it yet.)
process.env.TZ = 'Europe/Zurich';

import { createDateReader, type DateReaderOptions } from '../../src/time/index.ts';

/** 2005-08-14T10:00:00Z, the "now" of the conformance data. */
export const NOW = Date.UTC(2005, 7, 14, 10, 0, 0) / 1000;

/** Epoch seconds of a UTC wall-clock time. */
export function utc(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number {
  return Date.UTC(y, mo - 1, d, h, mi, s) / 1000;
}

/** Epoch seconds of a wall-clock time in Europe/Zurich (CET +1 in winter, CEST +2 in summer). */
export function zurich(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number {
  return new Date(y, mo - 1, d, h, mi, s).getTime() / 1000;
}

export interface Read {
  time: number;
  text: string;
}

/** Read one line with a fresh reader; null when no date was found. */
export function readDate(line: string, opts: Partial<DateReaderOptions> = {}): Read | null {
  const hit = createDateReader({ now: NOW, ...opts }).read(line);
  return hit === null ? null : { time: hit.time, text: line.slice(hit.start, hit.end) };
}
