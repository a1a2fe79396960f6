// Catastrophic backtracking screen. Log lines are written by attackers: a failregex whose loop
// can read the same text in exponentially many ways (`(\w+\s?)+`, `(a|ab)*`) lets one line
// stall a cron run for hours. Only a loop (unbounded * + {n,}) holding another quantifier or an
// alternation can do that; such a loop is "suspect" unless a structural rule proves that every
// text is read by it one way only. What happens to a regex with a suspect loop left is decided
// in engine-choice.ts (a linear-time engine, a loop made atomic, or a refusal).
//
// Everything here is a pure function of the regex text: the verdict is the same on every run
// and every machine, with no time budget and no external analyzer.

import { loopIsExponential } from './ambiguity.ts';
import { charsOf, disjoint, literalChar, reads } from './charset.ts';
import { optional, tokenize, unbounded, withoutLookarounds, zeroWidth, type Token } from './js-regex-tokens.ts';

/** A loop of a regex that could backtrack exponentially. */
export interface SuspectLoop {
  /** `^(?:body)q$`: the loop alone, anchored, named groups made plain (for messages and tests). */
  source: string;
  /** What the loop repeats, as written in the regex. */
  body: string;
  /** Where the body starts in the regex source. */
  index: number;
  /** Where the body ends (the loop's closing parenthesis). */
  bodyEnd: number;
  /** The loop's quantifier. */
  q: string;
}

interface Frame {
  bodyStart: number;
  lookaround: boolean;
  /** Some quantifier (even ? or {2}) inside: `(a?a?)+` is as ambiguous as `(a+)+`. */
  quantifierInside: boolean;
  alternation: boolean;
}

/** The loops of a JS regex source that need a closer look (empty for almost every regex). */
export function suspectLoops(src: string): SuspectLoop[] {
  const out: SuspectLoop[] = [];
  const stack: Frame[] = [{ bodyStart: 0, lookaround: false, quantifierInside: false, alternation: false }];
  for (const t of tokenize(src)) {
    if (t.k === 'open') {
      stack.push({ bodyStart: t.end, lookaround: t.kind !== 'cap' && t.kind !== 'nocap', quantifierInside: false, alternation: false });
    } else if (t.k === 'alt') {
      stack.at(-1)!.alternation = true;
    } else if (t.k === 'close') {
      if (stack.length === 1) continue; // a stray ')' (the regex would not compile anyway)
      const g = stack.pop()!;
      if (unbounded(t.q) && (g.quantifierInside || g.alternation)) {
        const body = src.slice(g.bodyStart, t.start);
        const plain = body.replace(/\(\?<([A-Za-z_$][\w$]*)>/g, '(?:');
        out.push({ source: `^(?:${plain})${t.q}$`, body, index: g.bodyStart, bodyEnd: t.start, q: t.q });
      }
      if (!g.lookaround && (t.q !== '' || g.quantifierInside)) stack.at(-1)!.quantifierInside = true;
    } else if (t.q !== '') {
      stack.at(-1)!.quantifierInside = true;
    }
  }
  return out;
}

/** The atoms of a body without groups or alternation (lookarounds dropped), or null. */
export function flatAtoms(body: string): Extract<Token, { k: 'atom' }>[] | null {
  const out: Extract<Token, { k: 'atom' }>[] = [];
  for (const t of withoutLookarounds(tokenize(body))) {
    if (t.k !== 'atom') return null;
    if (t.text.startsWith('\\k<') || /^\\[1-9]/.test(t.text)) return null; // a backreference reads anything
    if (!zeroWidth(t.text)) out.push(t);
  }
  return out;
}

/**
 * A loop whose body starts (or ends) with a character no other part of the body can read, and
 * whose quantified parts each stop at a fixed character they cannot read, is unambiguous: each
 * round begins (ends) exactly at one such character and reads its text one way only.
 * `(?: \S+)*`, `(?:\[[\w\-]+\]\s+)*`, `(?:[^\n]*\n)*?` and `(?:,(?!x=)\w+="[^"]*")*` are; most
 * real loops are. Lookarounds are left out first: they only remove ways of reading a text, so
 * a body unambiguous without them is unambiguous with them.
 */
export function provablyUnambiguous(body: string, flags: string): boolean {
  const atoms = flatAtoms(body);
  if (!atoms || atoms.length < 2) return false;
  for (const k of [0, atoms.length - 1]) {
    const sep = atoms[k]!;
    const c = sep.q === '' ? literalChar(sep.text) : null;
    if (c === null) continue;
    if (atoms.some((o, j) => j !== k && reads(o.text, c, flags))) continue;
    // Inside one round too there must be one way only: each quantified atom is followed by a
    // fixed character it cannot read (`a*?a*a]` splits its a's many ways in every round).
    const stopped = atoms.every((o, j): boolean => {
      if (o.q === '') return true;
      const next = j + 1 < atoms.length ? atoms[j + 1]! : k === 0 ? atoms[0]! : null;
      const nc = next && next.q === '' ? literalChar(next.text) : null;
      return nc !== null && !reads(o.text, nc, flags);
    });
    if (stopped) return true;
  }
  return false;
}

/**
 * The loops that can backtrack exponentially: suspect, not proven by the quick rule above, and
 * found dangerous (or not decidable: a backreference inside) on the loop's position automaton.
 */
export function riskyLoops(src: string, flags: string): SuspectLoop[] {
  return suspectLoops(src).filter((l) => riskyBody(l.body, flags));
}

/**
 * The loops of the shipped syslog header (RFC 5424 structured data, common-syslog.conf), which
 * nearly every rule holds, decided ahead: not exponential, without flags. Deciding them costs a
 * run ~10 ms of cold automaton code before its first line; test/rules/redos-known-loops.test.ts
 * decides them again and must agree.
 */
export const KNOWN_SAFE_LOOPS: readonly string[] = [
  String.raw`\s+[^=\s\]]+="(?:[^"\\]|\\[^\n])*"`,
  String.raw`[^"\\]|\\[^\n]`,
  String.raw`\[[^\]"\s]+(?:\s+[^=\s\]]+="(?:[^"\\]|\\[^\n])*")*\]`,
];

/**
 * Verdicts by loop body: the answer depends on the body and flags alone, and the rules repeat the
 * same loops (the syslog header's, in every rule that reads one), each worth an automaton to decide.
 */
const verdicts = new Map<string, boolean>(KNOWN_SAFE_LOOPS.map((body) => [`/${body}`, false]));

function riskyBody(body: string, flags: string): boolean {
  const key = `${flags}/${body}`;
  let v = verdicts.get(key);
  if (v === undefined) verdicts.set(key, (v = !provablyUnambiguous(body, flags) && loopIsExponential(body, flags) !== false));
  return v;
}

/**
 * How many unbounded quantifiers in a row (at the top level of an alternative) can share out
 * the same text, each able to read the next one's characters and whatever fixed text stands
 * between them: `.*\s.*\s.*x` is 3, so a failing line costs it the cube of its length. A
 * structural rule (it looks inside no group): it finds the usual `.*` chains, not every case.
 */
export function polynomialDegree(src: string, flags: string): number {
  const tokens = tokenize(src);
  let best = 0;
  let chain = 0;
  let prev: Uint8Array | null = null;
  const reset = () => {
    chain = 0;
    prev = null;
  };
  let depth = 0;
  for (const t of tokens) {
    if (t.k === 'open') {
      if (depth++ === 0) reset();
      continue;
    }
    if (t.k === 'close') {
      depth--;
      continue;
    }
    if (depth > 0) continue;
    if (t.k === 'alt') {
      reset();
      continue;
    }
    if (zeroWidth(t.text)) continue;
    if (t.text.startsWith('\\k<') || /^\\[1-9]/.test(t.text)) {
      reset();
      continue;
    }
    const set = charsOf(t.text, flags);
    if (unbounded(t.q)) {
      chain = prev !== null && !disjoint(prev, set) ? chain + 1 : 1;
      prev = set;
      best = Math.max(best, chain);
    } else if (!optional(t.q) && !(prev !== null && !disjoint(set, prev))) reset();
  }
  return best;
}
