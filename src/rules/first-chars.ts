// The characters a match of a start-anchored regex can begin with: a failregex written
// `^Failed ...|^(?:error: )?PAM: ...` cannot match a text starting with "C", so the matcher
// skips it on such a text without running it (its result would be null all the same).
//
// Only a sound answer or none: anything this does not understand (a class it cannot read, a
// backreference, a case-insensitive flag, a regex that can match the empty text or is not
// anchored at the start in every alternative) gives null, and the regex always runs.

import type { Node } from './pyregex-parse.ts';

/** What a part of a regex may begin with: a set of characters (null: any), and whether it can match empty. */
interface First {
  chars: Set<string> | null;
  empty: boolean;
}

const ZERO_WIDTH: First = { chars: new Set(), empty: true };
const ANY: First = { chars: null, empty: false };

/**
 * The first characters a match of `alts` (a parsed regex, conditionals expanded) can start with,
 * as a string of distinct characters; null when unknown or not every alternative starts with ^.
 */
export function firstChars(alts: Node[][], flags: string): string | null {
  if (flags.includes('i') || flags.includes('m')) return null;
  if (!alts.every((a) => a[0]?.k === 'raw' && a[0].s === '^')) return null;
  const f = ofAlts(alts);
  if (f.chars === null || f.empty) return null;
  return [...f.chars].join('');
}

function ofAlts(alts: Node[][]): First {
  const chars = new Set<string>();
  let empty = false;
  for (const a of alts) {
    const f = ofSeq(a);
    if (f.chars === null) return ANY;
    for (const c of f.chars) chars.add(c);
    empty ||= f.empty;
  }
  return { chars, empty };
}

function ofSeq(seq: Node[]): First {
  const chars = new Set<string>();
  for (const n of seq) {
    const f = ofNode(n);
    if (f.chars === null) return ANY;
    for (const c of f.chars) chars.add(c);
    if (!f.empty) return { chars, empty: false };
  }
  return { chars, empty: true };
}

function ofNode(n: Node): First {
  switch (n.k) {
    case 'raw':
      if (n.lit !== undefined) return n.lit.length === 1 ? { chars: new Set([n.lit]), empty: false } : ANY;
      if (isZeroWidth(n.s)) return ZERO_WIDTH;
      return classChars(n.s);
    case 'group':
      // Lookarounds consume nothing: the first character comes from what follows them.
      return n.kind === 'look' ? ZERO_WIDTH : ofAlts(n.alts);
    case 'quant': {
      const f = ofNode(n.node);
      return f.chars === null ? ANY : { chars: f.chars, empty: f.empty || minOf(n.q) === 0 };
    }
    case 'cond':
      return ofAlts([n.yes, n.no]);
    default:
      return ANY; // a backreference: whatever its group took
  }
}

function isZeroWidth(s: string): boolean {
  return s === '^' || s === '$' || s === '\\b' || s === '\\B' || s.startsWith('(?<!') || s.startsWith('(?!') || s.startsWith('(?=') || s.startsWith('(?<=');
}

/** The least count a quantifier allows ("?", "*", "+", "{n}", "{n,m}", "{,m}", each maybe lazy). */
function minOf(q: string): number {
  if (q[0] === '+') return 1;
  if (q[0] === '{') {
    const m = /^\{(\d*)/.exec(q);
    return m && m[1] ? Number(m[1]) : 0;
  }
  return 0;
}

/** A class listing plain letters, digits and a few punctuation marks ("[Ii]", "[aA]"); anything else: any. */
function classChars(s: string): First {
  const m = /^\[([A-Za-z0-9_ ]+)\]$/.exec(s);
  return m ? { chars: new Set(m[1]!), empty: false } : ANY;
}

/**
 * For a list of regexes, those that may match a text, by its first character, in list order:
 * a rule of 20-36 start-anchored failregexes has 1-4 candidates for a given text.
 */
export class FirstCharIndex {
  private readonly ascii: (readonly number[] | undefined)[] = new Array(128);
  private readonly anyStart: readonly number[];

  constructor(private readonly firsts: readonly (string | null)[]) {
    this.anyStart = firsts.flatMap((f, i) => (f === null ? [i] : []));
  }

  /** Indexes of the regexes that may match `text` (the others cannot). */
  candidates(text: string): readonly number[] {
    if (text.length === 0) return this.anyStart;
    const code = text.charCodeAt(0);
    if (code < 128) return (this.ascii[code] ??= this.build(text[0]!));
    return this.build(text[0]!); // rare: a text starting beyond ASCII
  }

  private build(ch: string): number[] {
    return this.firsts.flatMap((f, i) => (f === null || f.includes(ch) ? [i] : []));
  }
}
