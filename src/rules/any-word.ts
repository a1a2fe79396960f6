// A regex that finds whether a text holds any of a set of words: the prefilter every line meets.
// It matches the same lines as `w1|w2|...`, only sooner: a word that holds another word of the
// set is dropped (the shorter one is found wherever the longer one is), and the rest are written
// as a tree of their common beginnings ("Disconnect(?:ing|ed)"), so at each position of the line
// the engine follows one branch instead of trying every word.

import { escapeChar } from './pyregex-class.ts';

export function anyWordRegex(words: readonly string[]): RegExp {
  return new RegExp(tree(minimalWords(words)));
}

/** The words that hold no other word of the set (duplicates once). */
export function minimalWords(words: readonly string[]): string[] {
  const set = [...new Set(words)];
  return set.filter((w) => !set.some((v) => v !== w && w.includes(v)));
}

/** Alternatives grouped by their first character, recursively (no word may be empty). */
function tree(words: string[]): string {
  const byFirst = new Map<string, string[]>();
  for (const w of words) {
    const c = String.fromCodePoint(w.codePointAt(0)!);
    let rest = byFirst.get(c);
    if (!rest) byFirst.set(c, (rest = []));
    rest.push(w.slice(c.length));
  }
  const parts: string[] = [];
  for (const [c, rests] of byFirst) {
    const longer = rests.filter((r) => r.length > 0);
    if (longer.length === 0) {
      parts.push(escapeChar(c));
      continue;
    }
    const sub = longer.length === 1 ? [...longer[0]!].map(escapeChar).join('') : `(?:${tree(longer)})`;
    // A word that ends here beside longer ones (possible only without minimalWords).
    parts.push(longer.length < rests.length ? `${escapeChar(c)}(?:${sub})?` : escapeChar(c) + sub);
  }
  return parts.join('|');
}
