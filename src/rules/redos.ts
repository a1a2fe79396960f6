// Catastrophic backtracking guard. Log lines are written by attackers: a failregex whose loop
// can read the same text in exponentially many ways (`(\w+\s?)+`, `(a|ab)*`) lets one line
// stall the cron run for hours. Every compiled regex is screened here; the loops that could
// be ambiguous are judged by the maintained analyzer `recheck`, and an exponential one is
// refused with a RuleError naming the filter file and line.
//
// Why a screen first: recheck needs 1-2 s for one of our translated regexes (their <HOST>
// expansion is large; 221 s for the 146 shipped ones, see the hardening report), far too slow
// for a run every minute. Only a loop (unbounded * + {n,}) holding another quantifier or an
// alternation can read one text in exponentially many ways; that loop alone, `^(?:body)+$`,
// is what recheck is given (tens of ms), once per distinct text, remembered in a small cache
// file when the run names one. Polynomial loops are left to the line length cap (64 KiB).

import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Place } from '../types.ts';
import { RuleError } from '../util/errors.ts';
import { loadRecheck } from './recheck-load.ts';

/** A loop of a regex that could backtrack exponentially, as a regex of its own. */
export interface SuspectLoop {
  /** `^(?:body)q$`: the loop alone, anchored, named groups made plain. */
  source: string;
  /** What the loop repeats. */
  body: string;
  /** Where the loop starts in the regex source. */
  index: number;
}

interface Frame {
  bodyStart: number;
  lookaround: boolean;
  /** Some quantifier (even ? or {2}) inside: `(a?a?)+` is as ambiguous as `(a+)+`. */
  quantifierInside: boolean;
  alternation: boolean;
}

/** The quantifier at `i` ('' if none) and whether it is unbounded. */
function quantifierAt(src: string, i: number): { text: string; unbounded: boolean } {
  const c = src[i];
  let text = '';
  let unbounded = false;
  if (c === '*' || c === '+') [text, unbounded] = [c, true];
  else if (c === '?') text = c;
  else if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i));
    if (m) [text, unbounded] = [m[0], m[2] !== undefined && m[3] === ''];
  }
  if (text && src[i + text.length] === '?') text += '?'; // lazy: same backtracking, other order
  return { text, unbounded };
}

/** The loops of a JS regex source that need a closer look (empty for almost every regex). */
export function suspectLoops(src: string): SuspectLoop[] {
  const out: SuspectLoop[] = [];
  const stack: Frame[] = [{ bodyStart: 0, lookaround: false, quantifierInside: false, alternation: false }];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    let atomEnd = -1;
    if (c === '\\') {
      atomEnd = i + 2;
    } else if (c === '[') {
      let j = i + 1;
      if (src[j] === '^') j++;
      if (src[j] === ']') j++;
      while (j < src.length && src[j] !== ']') j += src[j] === '\\' ? 2 : 1;
      atomEnd = j + 1;
    } else if (c === '(') {
      const head = /^\((?:\?(?::|<?[=!]|<[A-Za-z_$][\w$]*>))?/.exec(src.slice(i))![0];
      stack.push({ bodyStart: i + head.length, lookaround: /^\(\?<?[=!]/.test(head), quantifierInside: false, alternation: false });
      i += head.length;
      continue;
    } else if (c === '|') {
      stack.at(-1)!.alternation = true;
      i++;
      continue;
    } else if (c === ')' && stack.length > 1) {
      const g = stack.pop()!;
      const q = quantifierAt(src, i + 1);
      if (q.unbounded && (g.quantifierInside || g.alternation)) {
        const body = src.slice(g.bodyStart, i).replace(/\(\?<([A-Za-z_$][\w$]*)>/g, '(?:');
        out.push({ source: `^(?:${body})${q.text}$`, body, index: g.bodyStart });
      }
      const parent = stack.at(-1)!;
      if (!g.lookaround && (q.text !== '' || g.quantifierInside)) parent.quantifierInside = true;
      i += 1 + q.text.length;
      continue;
    } else {
      atomEnd = i + 1;
    }
    const q = quantifierAt(src, atomEnd);
    if (q.text !== '') stack.at(-1)!.quantifierInside = true;
    i = atomEnd + q.text.length;
  }
  return out;
}

/** The atoms of a body without groups or alternation, each with its quantifier; null otherwise. */
function flatAtoms(body: string): { atom: string; q: string }[] | null {
  const out: { atom: string; q: string }[] = [];
  let i = 0;
  while (i < body.length) {
    const c = body[i]!;
    let end: number;
    if (c === '(' || c === ')' || c === '|') return null;
    if (c === '\\') end = i + 2;
    else if (c === '[') {
      let j = i + 1;
      if (body[j] === '^') j++;
      if (body[j] === ']') j++;
      while (j < body.length && body[j] !== ']') j += body[j] === '\\' ? 2 : 1;
      end = j + 1;
    } else end = i + 1;
    const q = quantifierAt(body, end).text;
    out.push({ atom: body.slice(i, end), q });
    i = end + q.length;
  }
  return out;
}

/** The one character a literal atom stands for (`x`, `\[`), or null for classes, `.`, `\s`... */
function literalChar(atom: string): string | null {
  if (atom.length === 1) return '.^$'.includes(atom) ? null : atom;
  if (atom.length === 2 && atom[0] === '\\' && !/[A-Za-z0-9]/.test(atom[1]!)) return atom[1]!;
  return null;
}

/**
 * A loop whose body starts (or ends) with a character no other part of the body can read, and
 * whose quantified parts each stop at a fixed character they cannot read, is unambiguous: each
 * round begins (ends) exactly at one such character and reads its text one way only. `(?: \S+)*`, `(?:\[[\w\-]+\]\s+)*` and `(?:[a-z]+=[^,\s]*, )*` are; most
 * real loops are, and need no analyzer (recheck's start costs ~0.2 s).
 */
export function provablyUnambiguous(body: string, flags: string): boolean {
  const atoms = flatAtoms(body);
  if (!atoms || atoms.length < 2) return false;
  const f = flags.replace(/[dgy]/g, '');
  for (const k of [0, atoms.length - 1]) {
    const sep = atoms[k]!;
    const c = sep.q === '' ? literalChar(sep.atom) : null;
    if (c === null) continue;
    const reads = (atom: string, ch: string) => new RegExp(`^(?:${atom})$`, f).test(ch);
    if (atoms.some((o, j) => j !== k && reads(o.atom, c))) continue;
    // Inside one round too there must be one way only: each quantified atom is followed by a
    // fixed character it cannot read (`a*?a*a]` splits its a's many ways in every round).
    const stopped = atoms.every((o, j): boolean => {
      if (o.q === '') return true;
      const next: { atom: string; q: string } | null = j + 1 < atoms.length ? atoms[j + 1]! : k === 0 ? atoms[0]! : null;
      const nc: string | null = next && next.q === '' ? literalChar(next.atom) : null;
      return nc !== null && !reads(o.atom, nc);
    });
    if (stopped) return true;
  }
  return false;
}

export type Verdict = 'safe' | 'polynomial' | 'exponential' | 'unknown';

/** Verdicts by hash of (source, flags): in memory, and in a file when a run names one. */
const verdicts = new Map<string, Verdict>();
let cacheFile: string | null = null;
let dirty = false;

function key(source: string, flags: string): string {
  return createHash('sha256').update(`${flags}/${source}`).digest('hex').slice(0, 32);
}

let cacheRead = false;

/** Remember verdicts in `path` (read at the first loop to judge, written by saveRedosCache). */
export function useRedosCache(path: string): void {
  cacheFile = path;
  cacheRead = false;
}

function readCache(): void {
  if (cacheRead || !cacheFile) return;
  cacheRead = true;
  try {
    const path = cacheFile;
    const saved = JSON.parse(readFileSync(path, 'utf8')) as Record<string, Verdict>;
    for (const [k, v] of Object.entries(saved)) if (!verdicts.has(k)) verdicts.set(k, v);
  } catch {
    /* no cache yet, or unreadable: verdicts are made again */
  }
}

/** Write the verdict cache if it changed (temp file + rename; losing it only costs time). */
export function saveRedosCache(): void {
  if (!cacheFile || !dirty) return;
  try {
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(Object.fromEntries(verdicts)), { mode: 0o600 });
    renameSync(tmp, cacheFile);
    dirty = false;
  } catch {
    /* a read-only directory: verdicts are made again next time */
  }
}

type CheckSync = (source: string, flags: string, params?: Record<string, unknown>) => {
  status: 'safe' | 'vulnerable' | 'unknown';
  complexity?: { type: string };
};
let checkSync: CheckSync | null = null;

/** recheck's verdict on one regex (seconds at most; loaded only when a loop is suspect). */
export function judge(source: string, flags: string): Verdict {
  readCache();
  const k = key(source, flags);
  const known = verdicts.get(k);
  if (known) return known;
  let v: Verdict = 'unknown';
  try {
    checkSync ??= loadRecheck().checkSync;
    const d = checkSync(source, flags, { timeout: 5000 });
    if (d.status === 'safe') v = 'safe';
    else if (d.status === 'vulnerable') v = d.complexity?.type === 'exponential' ? 'exponential' : 'polynomial';
  } catch {
    v = 'unknown'; // recheck missing or failed: the line length cap is the guard left
  }
  verdicts.set(k, v);
  dirty = true;
  return v;
}

/**
 * Refuse a regex with a loop that backtracks exponentially: RuleError at the regex's place,
 * naming the rule and the loop. Anything else (safe, polynomial, unknown) passes.
 */
export function assertNoCatastrophicBacktracking(re: RegExp, place: Place, rule: string): void {
  const flags = re.flags.replace(/[dgy]/g, '');
  for (const loop of suspectLoops(re.source)) {
    if (provablyUnambiguous(loop.body, flags)) continue;
    try {
      new RegExp(loop.source, flags);
    } catch {
      continue; // the loop refers to groups outside it: cannot be judged alone
    }
    if (judge(loop.source, flags) === 'exponential') {
      const shown = loop.source.length > 80 ? `${loop.source.slice(0, 77)}...` : loop.source;
      throw new RuleError(place, `rule ${rule}: regex refused: a loop can backtrack exponentially on hostile log text (catastrophic backtracking, found by recheck): ${shown}`);
    }
  }
}
