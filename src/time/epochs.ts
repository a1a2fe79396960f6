// Instants written as numbers: epoch seconds (EPOCH), longer epochs (LEPOCH), epoch fields of
// JSON and logfmt, TAI64N labels. Read in place, without slicing the line where it matters.

/** The number written at [start, end) (digits and one optional `.` fraction), without slicing. */
export function decimal(line: string, start: number, end: number): number {
  let v = 0;
  let i = start;
  for (; i < end; i++) {
    const c = line.charCodeAt(i);
    if (c === 46) break;
    v = v * 10 + (c - 48);
  }
  let scale = 1;
  let frac = 0;
  for (i++; i < end; i++) {
    frac = frac * 10 + (line.charCodeAt(i) - 48);
    scale *= 10;
  }
  return scale === 1 ? v : v + frac / scale;
}

/** LEPOCH: seconds, milliseconds (13 digits) or microseconds (16 digits), with an optional fraction. */
export function longEpoch(s: string): number {
  const dot = s.indexOf('.');
  const int = dot < 0 ? s : s.slice(0, dot);
  const frac = dot < 0 ? '' : s.slice(dot);
  const scale = int.length >= 16 ? 1e6 : int.length >= 13 ? 1e3 : 1;
  return Number(int + frac) / scale;
}

const TAI64_HIGH = 0x40000000; // 2^62 seen from the upper 32 bits

/** `@4000000041f4104f00000000`: 2^62 + TAI seconds, then nanoseconds (read as UTC like fail2ban). */
export function tai64n(line: string, start: number): number {
  // 2^62 + seconds does not fit a double exactly: take the two 32-bit halves apart
  const high = parseInt(line.slice(start + 1, start + 9), 16) - TAI64_HIGH;
  const secs = high * 4294967296 + parseInt(line.slice(start + 9, start + 17), 16);
  const nanos = parseInt(line.slice(start + 17, start + 25), 16);
  return secs + nanos / 1e9;
}

/** A JSON/logfmt epoch field: seconds, or milliseconds when 13 digits come before any fraction. */
export function fieldEpoch(line: string, start: number, end: number): number {
  const v = decimal(line, start, end);
  let dot = start;
  while (dot < end && line.charCodeAt(dot) !== 46) dot++;
  return dot - start >= 13 ? v / 1000 : v;
}
