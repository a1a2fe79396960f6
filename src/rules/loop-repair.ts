// For a regex RE2 cannot run (a lookahead, a backreference) whose loop is dangerous: make each
// round of the loop atomic (never backtracked into), where that provably changes no match. It
// changes none when every way the body can read a round from a given position ends at the same
// position: then trying the other ways could only lead to the same place again. Two rules prove
// it (lookarounds left out, as they only remove ways):
//
// - closing separator: the body ends with a literal run whose first character c no other part
//   of the body reads; a round then ends at the first c after its start (courier-auth's
//   `(?:(?!ip=)(?:user=[^,]*|\w+=[^,]*), )*`).
// - token tail: the body is fixed-width atoms, then atoms all inside one class X ending with X*
//   or X+, and neither a new round nor what follows the loop can start with a character of X;
//   a round then ends where the run of X characters ends (slapd's `(?:\s(?!err)\S+=\S*)*`).
//
// A round is made atomic with JavaScript's idiom (?=(?<g>body))\k<g>: the lookahead matches once
// and is never re-entered; its groups keep what they captured.

import { charsOf, disjoint, literalChar, reads, subset, union } from './charset.ts';
import { tokenize, withoutLookarounds, zeroWidth, type Token } from './js-regex-tokens.ts';
import type { SuspectLoop } from './redos.ts';

type Atom = Extract<Token, { k: 'atom' }>;

function isBackref(a: Atom): boolean {
  return a.text.startsWith('\\k<') || /^\\[1-9]/.test(a.text);
}

/** Every atom that reads characters, at any depth. */
function consuming(tokens: Token[]): Atom[] {
  return tokens.filter((t): t is Atom => t.k === 'atom' && !zeroWidth(t.text));
}

function closingSeparator(tokens: Token[], flags: string): boolean {
  // The final literal run, at the top level of the body.
  let k = tokens.length;
  while (k > 0) {
    const t = tokens[k - 1]!;
    if (t.k !== 'atom' || t.q !== '' || literalChar(t.text) === null) break;
    k--;
  }
  if (k === tokens.length) return false;
  const c = literalChar((tokens[k] as Atom).text)!;
  const others = consuming(tokens.slice(0, k));
  if (others.some(isBackref)) return false;
  return !others.some((a) => reads(a.text, c, flags)) && !consuming(tokens.slice(k + 1)).some((a) => reads(a.text, c, flags));
}

/** The first atom a part of the regex must read, when it is one mandatory atom. */
function mandatoryAtom(t: Token | undefined): Atom | null {
  if (!t || t.k !== 'atom' || isBackref(t) || zeroWidth(t.text)) return null;
  return t.q === '' || t.q.startsWith('+') ? t : null;
}

function tokenTail(tokens: Token[], after: Token | undefined, flags: string): boolean {
  if (tokens.some((t) => t.k !== 'atom')) return false;
  const atoms = consuming(tokens);
  if (atoms.some(isBackref) || atoms.length < 2) return false;
  const last = atoms[atoms.length - 1]!;
  if (!/^[*+]/.test(last.q)) return false;
  const x = charsOf(last.text, flags);
  let t = atoms.length - 1;
  while (t > 0 && subset(charsOf(atoms[t - 1]!.text, flags), x)) t--;
  if (t === 0 || atoms.slice(0, t).some((a) => a.q !== '')) return false;
  // What can come right after a round: a new round, or what follows the loop.
  const next: Uint8Array[] = [charsOf(atoms[0]!.text, flags)];
  if (after?.k === 'atom' && after.text === '$') {
    if (flags.includes('m')) next.push(charsOf('\\n', flags));
  } else {
    const a = mandatoryAtom(after);
    if (!a) return false;
    next.push(charsOf(a.text, flags));
  }
  return disjoint(union(next), x);
}

/** Whether every way the loop's body reads a round from one position ends at one position. */
export function roundEndsFixed(src: string, loop: SuspectLoop, flags: string): boolean {
  const body = withoutLookarounds(tokenize(loop.body));
  if (closingSeparator(body, flags)) return true;
  const rest = tokenize(src.slice(loop.bodyEnd));
  return tokenTail(body, rest[1], flags);
}

/** The regex with that loop's body made atomic (`serial` names its group: one per repair). */
export function makeRoundsAtomic(src: string, loop: SuspectLoop, serial: number): string {
  const g = `__round${serial}`;
  return `${src.slice(0, loop.index)}(?=(?<${g}>${loop.body}))\\k<${g}>${src.slice(loop.bodyEnd)}`;
}
