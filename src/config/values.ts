// Typed readings of jail option text. Each returns the value, or a string saying what
// is wrong (the caller knows the place and whether it is an error or a warning).

import { logDecoding } from '../util/log-encoding.ts';

export type Reading<T> = { ok: true; value: T } | { ok: false; why: string };

const ok = <T>(value: T): Reading<T> => ({ ok: true, value });
const bad = <T>(why: string): Reading<T> => ({ ok: false, why });

/** Python ConfigParser's booleans, as fail2ban reads `enabled`, `ignoreself` ... */
export function readBool(text: string): Reading<boolean> {
  const t = text.trim().toLowerCase();
  if (['1', 'yes', 'true', 'on'].includes(t)) return ok(true);
  if (['0', 'no', 'false', 'off'].includes(t)) return ok(false);
  return bad(`${JSON.stringify(text)} is not a boolean (use true/false, yes/no, on/off, 1/0)`);
}

export function readInt(text: string): Reading<number> {
  const t = text.trim();
  if (!/^[+-]?\d+$/.test(t)) return bad(`${JSON.stringify(text)} is not a whole number`);
  return ok(Number(t));
}

export function readNumber(text: string): Reading<number> {
  const t = text.trim();
  const n = Number(t);
  if (!t || !Number.isFinite(n)) return bad(`${JSON.stringify(text)} is not a number`);
  return ok(n);
}

/** `bantime.multipliers = 1 2 4 8 16`: numbers separated by spaces (or commas). */
export function readNumberList(text: string): Reading<number[]> {
  const out: number[] = [];
  for (const w of words(text)) {
    const n = Number(w);
    if (!Number.isFinite(n)) return bad(`${JSON.stringify(w)} in ${JSON.stringify(text)} is not a number`);
    out.push(n);
  }
  return ok(out);
}

/** Words separated by whitespace or commas (ignoreip, multipliers). */
export function words(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}

/**
 * `logpath`: one or more globs separated by newlines or whitespace. fail2ban lets a path
 * end with ` head` or ` tail` (where to start reading a new file); we always resume from
 * stored offsets, so the word is dropped.
 */
export function readLogpath(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/).filter(Boolean);
    if (parts.length > 1 && /^(head|tail)$/i.test(parts[parts.length - 1]!)) parts.pop();
    out.push(...parts);
  }
  return out;
}

export const BACKENDS = ['auto', 'polling', 'pyinotify', 'gamin', 'systemd'] as const;
export const USEDNS = ['yes', 'warn', 'no', 'raw'] as const;
export type UseDns = (typeof USEDNS)[number];

/** The backend's name without options: `systemd[journalflags=1]` -> systemd. */
export function backendName(text: string): string {
  return text.trim().replace(/\s*\[.*$/s, '').toLowerCase();
}

/** fail2ban's logencoding: a Python codec name or `auto` (the text is kept; sources decode by it). */
export function readLogEncoding(text: string): Reading<string> {
  const r = logDecoding(text);
  return 'error' in r ? bad(r.error) : ok(text.trim());
}
