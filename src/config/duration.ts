// Durations as fail2ban writes them (bantime, findtime, bantime.maxtime ...): plain
// seconds, a number with a unit (10m, 1h, 2d, 1w, 1mo, 1y), several of them added
// ("1d 2h 30m", "1d12h"), and simple arithmetic (3600*24). fail2ban rewrites the text
// into a Python expression and evaluates it; we parse that small language instead of
// evaluating anything.

import type { Place } from '../types.ts';
import { ConfigError } from '../util/errors.ts';

const DAY = 24 * 60 * 60;

/**
 * Unit words (case-insensitive) as fail2ban spells them, and their length in seconds. Like
 * fail2ban, a year is 365.25 days and a month a twelfth of that (30.4375 days).
 */
const UNITS: Record<string, number> = {};
const YEAR = 365.25 * DAY;
/**
 * The longest a ban or a window can mean: 100 years. A duration in the configuration beyond it is
 * an error, a time from a file or a host beyond it is refused (`bantime = 9999999999999999` once
 * made every later run and `status` crash: Date() throws past ~275,000 years).
 */
export const MAX_BAN_SECONDS = 100 * YEAR;
for (const [words, seconds] of [
  ['year years ye yea y yy', YEAR],
  ['month months mo mon', YEAR / 12],
  ['week weeks we wee w ww', 7 * DAY],
  ['day days da d dd', DAY],
  ['hour hours ho hou h hh', 60 * 60],
  ['minute minutes mi min m mm', 60],
  ['second seconds se sec s ss', 1],
] as const) {
  for (const w of words.split(' ')) UNITS[w] = seconds;
}

type Token = { kind: 'num'; value: number } | { kind: 'unit'; value: number; word: string } | { kind: 'op'; value: string };

const TOKEN = /\s*(?:(\d+(?:\.\d*)?|\.\d+)|([a-z]+)|([-+*/()]))/iy;

function tokenize(text: string): Token[] | string {
  const out: Token[] = [];
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(text);
    if (!m) return `unexpected ${JSON.stringify(text.slice(at).trim().slice(0, 20))}`;
    at = TOKEN.lastIndex;
    if (m[1] !== undefined) out.push({ kind: 'num', value: Number(m[1]) });
    else if (m[3] !== undefined) out.push({ kind: 'op', value: m[3] });
    else {
      const word = m[2]!;
      const factor = UNITS[word.toLowerCase()];
      if (factor === undefined) return `unknown unit "${word}"`;
      // As fail2ban, a unit follows a number or a space ("1h", "1 hour", "(1+2) d").
      const before = text[at - word.length - 1];
      if (before === undefined || !/[\d\s]/.test(before)) return `unexpected "${word}"`;
      out.push({ kind: 'unit', value: factor, word });
    }
  }
  return out;
}

/**
 * Recursive descent over: sum := product ((+|-)? product)*  (no operator: added, as
 * "1h 30m"), product := unary ((*|/) unary | unit)*  (a unit multiplies what precedes it),
 * unary := (-|+) unary | num | ( sum ).
 */
function evaluate(tokens: Token[]): number | string {
  let i = 0;
  const peek = () => tokens[i];
  const isOp = (v: string) => peek()?.kind === 'op' && peek()!.value === v;
  const show = (t: Token) => (t.kind === 'unit' ? t.word : String(t.value));

  function unary(): number {
    const t = tokens[i++];
    if (!t) throw 'ends too early';
    if (t.kind === 'num') return t.value;
    if (t.kind === 'op' && t.value === '-') return -unary();
    if (t.kind === 'op' && t.value === '+') return unary();
    if (t.kind === 'op' && t.value === '(') {
      const v = sum();
      if (!isOp(')')) throw 'missing ")"';
      i++;
      return v;
    }
    throw `unexpected "${show(t)}"`;
  }
  function product(): number {
    let v = unary();
    for (;;) {
      const t = peek();
      if (t?.kind === 'unit') {
        i++;
        v *= t.value;
      } else if (isOp('*') || isOp('/')) {
        const op = tokens[i++]!.value;
        const r = unary();
        if (op === '/' && r === 0) throw 'division by zero';
        v = op === '*' ? v * (r as number) : v / (r as number);
      } else {
        return v;
      }
    }
  }
  function sum(): number {
    let v = product();
    for (;;) {
      const t = peek();
      if (!t || (t.kind === 'op' && t.value === ')')) return v;
      if (t.kind === 'op' && (t.value === '+' || t.value === '-')) {
        i++;
        v = t.value === '+' ? v + product() : v - product();
      } else if (t.kind === 'num' || (t.kind === 'op' && t.value === '(')) {
        v += product();
      } else {
        throw `unexpected "${show(t)}"`;
      }
    }
  }
  try {
    const v = sum();
    if (i < tokens.length) return `unexpected "${show(tokens[i]!)}"`;
    return v;
  } catch (e) {
    if (typeof e === 'string') return e;
    throw e;
  }
}

/** Seconds, or a message saying why the text is not a duration. */
export function tryParseDuration(text: string): number | string {
  const t = text.trim();
  if (!t) return 'empty';
  const tokens = tokenize(t);
  if (typeof tokens === 'string') return tokens;
  const v = evaluate(tokens);
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return 'not a finite number';
  return v;
}

/**
 * Why a duration cannot be used ("is ...", "must ..."), or null. `negativeMeansForever`: a negative
 * value is fail2ban's "without end" there (bantime); elsewhere (findtime, bantime.maxtime) an error.
 */
export function durationOutOfBounds(seconds: number, negativeMeansForever: boolean): string | null {
  if (!Number.isFinite(seconds)) return 'is not a finite number';
  if (seconds < 0 && !negativeMeansForever) return 'must not be negative';
  if (Math.abs(seconds) > MAX_BAN_SECONDS) return `is beyond 100 years; write e.g. 1w${negativeMeansForever ? ', or -1 for no end' : ''}`;
  return null;
}

export function durationMessage(text: string, why: string): string {
  return `${JSON.stringify(text)} is not a duration (${why}); write seconds or e.g. 10m, 1h, 1d, 1w`;
}

/** A duration's text and its seconds are fine, else the one-line message saying why not. */
export function checkedDuration(text: string, negativeMeansForever: boolean): number | string {
  const v = tryParseDuration(text);
  if (typeof v === 'string') return durationMessage(text, v);
  const out = durationOutOfBounds(v, negativeMeansForever);
  return out ? `${JSON.stringify(text.trim())} ${out}` : v;
}

/** Seconds for a fail2ban duration; a negative result means forever. Throws ConfigError at `place`. */
export function parseDuration(text: string, place: Place, negativeMeansForever = true): number {
  const v = checkedDuration(text, negativeMeansForever);
  if (typeof v === 'string') throw new ConfigError(place, v);
  return v;
}
