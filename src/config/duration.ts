// Durations as fail2ban writes them (bantime, findtime, bantime.maxtime ...): plain
// seconds, a number with a unit (10m, 1h, 2d, 1w, 1mo, 1y), several of them added
// ("1d 2h 30m", "1d12h"), and simple arithmetic (3600*24). fail2ban rewrites the text
// into a Python expression and evaluates it; we parse that small language instead of
// evaluating anything.

import type { Place } from '../types.ts';
import { ConfigError } from '../util/errors.ts';

const DAY = 24 * 60 * 60;

/** Unit words, case-insensitive, and their length in seconds (a month is 30 days, a year 365). */
const UNITS: Record<string, number> = {};
for (const [words, seconds] of [
  ['year years y yy', 365 * DAY],
  ['month months mo', 30 * DAY],
  ['week weeks w ww', 7 * DAY],
  ['day days d dd', DAY],
  ['hour hours h hh', 60 * 60],
  ['minute minutes min mins m mm', 60],
  ['second seconds sec secs s ss', 1],
] as const) {
  for (const w of words.split(' ')) UNITS[w] = seconds;
}

type Token = { kind: 'num'; value: number } | { kind: 'op'; value: string };

const TOKEN = /\s*(?:(\d+(?:\.\d*)?|\.\d+)\s*([a-z]+)?|([-+*/()]))/iy;

function tokenize(text: string): Token[] | string {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(text);
    if (!m) return `unexpected ${JSON.stringify(text.slice(at).trim().slice(0, 20))}`;
    at = TOKEN.lastIndex;
    if (m[3]) {
      out.push({ kind: 'op', value: m[3] });
      continue;
    }
    let value = Number(m[1]);
    if (m[2]) {
      const unit = UNITS[m[2].toLowerCase()];
      if (unit === undefined) return `unknown unit "${m[2]}"`;
      value *= unit;
    }
    out.push({ kind: 'num', value });
  }
  return out;
}

/**
 * Recursive descent over: sum := product ((+|-)? product)*  (no operator: added, as
 * "1h 30m"), product := unary ((*|/) unary)*, unary := (-|+) unary | num | ( sum ).
 */
function evaluate(tokens: Token[]): number | string {
  let i = 0;
  const peek = () => tokens[i];
  const isOp = (v: string) => peek()?.kind === 'op' && peek()!.value === v;

  function unary(): number {
    const t = tokens[i++];
    if (!t) throw 'ends too early';
    if (t.kind === 'num') return t.value;
    if (t.value === '-') return -unary();
    if (t.value === '+') return unary();
    if (t.value === '(') {
      const v = sum();
      if (!isOp(')')) throw 'missing ")"';
      i++;
      return v;
    }
    throw `unexpected "${t.value}"`;
  }
  function product(): number {
    let v = unary();
    while (isOp('*') || isOp('/')) {
      const op = tokens[i++]!.value;
      const r = unary();
      if (op === '/' && r === 0) throw 'division by zero';
      v = op === '*' ? v * r : v / r;
    }
    return v;
  }
  function sum(): number {
    let v = product();
    for (;;) {
      const t = peek();
      if (!t || (t.kind === 'op' && t.value === ')')) return v;
      if (t.kind === 'op' && (t.value === '+' || t.value === '-')) {
        i++;
        v = t.value === '+' ? v + product() : v - product();
      } else if (t.kind === 'num' || t.value === '(') {
        v += product();
      } else {
        throw `unexpected "${t.value}"`;
      }
    }
  }
  try {
    const v = sum();
    if (i < tokens.length) return `unexpected "${(tokens[i] as Token).value}"`;
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

export function durationMessage(text: string, why: string): string {
  return `${JSON.stringify(text)} is not a duration (${why}); write seconds or e.g. 10m, 1h, 1d, 1w`;
}

/** Seconds for a fail2ban duration; a negative result means forever. Throws ConfigError at `place`. */
export function parseDuration(text: string, place: Place): number {
  const v = tryParseDuration(text);
  if (typeof v === 'string') throw new ConfigError(place, durationMessage(text, v));
  return v;
}
