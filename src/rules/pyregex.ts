// Python `re` -> JavaScript RegExp, for the regexes of fail2ban filter files.
// What JS lacks is rewritten: (?P<n>..) and (?P=n) become (?<n>..) and \k<n>; leading
// (?i)/(?s)/(?m) become flags; scoped or mid-pattern (?i) spell each letter as [aA];
// \A and \Z become anchors; atomic groups and possessive quantifiers use the
// lookahead-plus-backreference idiom; conditional groups (?(name)yes|no) become plain
// alternatives (conditionals.ts). Duplicated named groups get a `__N` suffix;
// `groups` maps each Python name to its JS names.

import type { Place } from '../types.ts';
import { RuleError } from '../util/errors.ts';
import { collectRefs, expandConditionals } from './conditionals.ts';
import { requiredNeedles, requiredWords } from './needles.ts';
import { firstChars } from './first-chars.ts';
import { parsePyRegex, PyRegexError, type Node } from './pyregex-parse.ts';

export interface JsRegex {
  source: string;
  flags: string;
  /** Python group name -> the JS group names that stand for it (usually one). */
  groups: Map<string, string[]>;
  /** Literal strings of which every match contains at least one (empty: no such set). */
  needles: string[];
  /** Words every match contains, all of them (needles.ts requiredWords; empty: none known). */
  words: string[];
  /** The characters a match can start with (a start-anchored regex; null: unknown, see first-chars.ts). */
  first: string | null;
  regex: RegExp;
  /**
   * False for the rare forms JS cannot say with Python's exact meaning (a conditional
   * decided inside a capture group after a choice, backrefs inside (?i:...) or on groups
   * set in a lookaround): matches may then differ from Python's on some lines.
   */
  exact: boolean;
}


export interface TranslateOptions {
  /** The regex is matched against several lines joined by \n (fail2ban's multi-line mode). */
  multiline?: boolean;
  place?: Place;
  /** The regex as the user wrote it (before tag expansion), for messages. */
  display?: string;
}

/** Translations by text: the modes of one rule and the jails of one service repeat most regexes. */
const translated = new Map<string, JsRegex>();

export function translatePyRegex(py: string, opts: TranslateOptions = {}): JsRegex {
  const key = `${opts.multiline ? 'm' : 's'}\0${py}`;
  let js = translated.get(key);
  if (js === undefined) translated.set(key, (js = translate(py, opts)));
  // A RegExp of its own for each caller (its lastIndex is state).
  return { ...js, regex: new RegExp(js.regex.source, js.regex.flags) };
}

function translate(py: string, opts: TranslateOptions): JsRegex {
  const place = opts.place ?? { file: '<regex>' };
  let parsed;
  try {
    parsed = parsePyRegex(py, !!opts.multiline);
  } catch (e) {
    // Positions count in the expanded text, meaningless next to what the user wrote.
    const msg = e instanceof PyRegexError && opts.display !== undefined ? e.message.replace(/ at position \d+$/, '') : (e as Error).message;
    throw new RuleError(place, `bad regex: ${msg}: ${clip(opts.display ?? py)}`);
  }
  let flags = '';
  if (parsed.flags.has('i')) flags += 'i';
  if (parsed.flags.has('s')) flags += 's';
  if (opts.multiline || parsed.flags.has('m')) flags += 'm';

  const condRefs = new Set<string>();
  const backRefs = new Set<string>();
  collectRefs(parsed.alts, condRefs, backRefs);
  let alts = parsed.alts;
  let exact = !hasCaseFoldedBackref(parsed.alts);
  if (backRefs.size) {
    // Python's (?P=name) fails when the group did not take part, JS's matches empty:
    // treat it as (?(name)(?P=name)|fail) where the pattern allows expanding.
    try {
      const x = expandConditionals(parsed.alts, new Set([...condRefs, ...backRefs]), place);
      alts = x.alts;
      exact &&= x.exact;
    } catch (e) {
      if (!(e instanceof RuleError) || condRefs.size) throw e;
      exact = false;
    }
  } else if (condRefs.size) {
    const x = expandConditionals(parsed.alts, condRefs, place);
    alts = x.alts;
    exact &&= x.exact;
  }
  const em = new Emitter();
  const source = em.finish(alts.map((a) => em.seq(a)).join('|'));
  let regex: RegExp;
  try {
    regex = new RegExp(source, flags);
  } catch (e) {
    throw new RuleError(place, `bad regex: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}: ${clip(opts.display ?? py)}`);
  }
  const needles = flags.includes('i') ? [] : requiredNeedles(alts);
  const words = flags.includes('i') ? [] : requiredWords(alts);
  return { source, flags, groups: em.groups, needles, words, first: firstChars(alts, flags), regex, exact };
}

/** A backref inside (?i:...) compares ignoring case in Python; JS's \k cannot unless the whole regex is /i. */
function hasCaseFoldedBackref(alts: Node[][]): boolean {
  const walk = (n: Node): boolean =>
    (n.k === 'backref' && !!n.ci) ||
    (n.k === 'group' && n.alts.some((a) => a.some(walk))) ||
    (n.k === 'quant' && walk(n.node)) ||
    (n.k === 'cond' && [...n.yes, ...n.no].some(walk));
  return alts.some((a) => a.some(walk));
}

function clip(s: string): string {
  return s.length > 160 ? JSON.stringify(s.slice(0, 157) + '...') : JSON.stringify(s);
}

// ---------- emitting JS ----------

const BACKREF = /\u0000(\w+)\u0000/g;

class Emitter {
  readonly groups = new Map<string, string[]>();
  private atomic = 0;

  /**
   * Backreferences are placeholders until every copy of their group is known: then
   * \k<copy1>\k<copy2>... — a copy that did not take part matches empty in JS, and a
   * path through the pattern holds at most one copy, so this is the one that matched.
   */
  finish(source: string): string {
    return source.replace(BACKREF, (_m, py: string) => {
      const list = this.groups.get(py) ?? [py];
      return list.length === 1 ? `\\k<${list[0]}>` : `(?:${list.map((j) => `\\k<${j}>`).join('')})`;
    });
  }

  seq(seq: Node[]): string {
    let s = '';
    for (const n of seq) s += this.node(n);
    return s;
  }

  private alts(alts: Node[][]): string {
    return alts.map((a) => this.seq(a)).join('|');
  }

  private name(py: string): string {
    const list = this.groups.get(py);
    let js = py;
    if (!list) this.groups.set(py, [py]);
    else {
      js = `${py}__${list.length + 1}`;
      list.push(js);
    }
    return js;
  }

  node(n: Node): string {
    switch (n.k) {
      case 'raw':
        return n.s;
      case 'backref':
        return `\u0000${n.name}\u0000`;
      case 'cond':
        // Only reached when no conditional expansion ran (cannot happen) — be safe.
        return `(?:${this.seq(n.yes)}|${this.seq(n.no)})`;
      case 'group': {
        if (n.kind === 'atomic') return this.atomicWrap(this.alts(n.alts));
        if (n.kind === 'cap' && n.name !== undefined) {
          const js = this.name(n.name);
          return `(?<${js}>${this.alts(n.alts)})`;
        }
        return `${n.open}${this.alts(n.alts)})`;
      }
      case 'quant': {
        const inner = this.node(n.node);
        // An optional group: Python lets it match empty (and capture ''), JS's ? refuses
        // an empty iteration; an alternation with the empty string has Python's meaning.
        if (n.node.k === 'group' && (n.q === '?' || n.q === '??') && !n.possessive) {
          return n.q === '?' ? `(?:${inner}|)` : `(?:|${inner})`;
        }
        const single = n.node.k === 'raw' ? isSingleAtom(n.node.s) : n.node.k === 'group' ? n.node.kind !== 'atomic' : false;
        const body = single ? inner : `(?:${inner})`;
        if (n.possessive) return this.atomicWrap(body + n.q);
        return body + n.q;
      }
    }
  }

  /** Match once, never backtrack into it: (?=(X))\k — the lookahead is atomic in JS. */
  private atomicWrap(body: string): string {
    const g = `__atomic${++this.atomic}`;
    return `(?=(?<${g}>${body}))\\k<${g}>`;
  }
}

function isSingleAtom(s: string): boolean {
  return s.length === 1 || /^\\.$/.test(s) || /^\\x..$|^\\u....$/.test(s) || (s.startsWith('[') && s.endsWith(']')) || (s.startsWith('(') && s.endsWith(')'));
}
