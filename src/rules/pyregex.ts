// Python `re` -> JavaScript RegExp, for the regexes of fail2ban filter files.
// What JS lacks is rewritten: (?P<n>..) and (?P=n) become (?<n>..) and \k<n>; leading
// (?i)/(?s)/(?m) become flags; scoped or mid-pattern (?i) spell each letter as [aA];
// \A and \Z become anchors; atomic groups and possessive quantifiers use the
// lookahead-plus-backreference idiom; conditional groups (?(name)yes|no) are expanded
// into plain alternatives, one per way the named group can end up set or unset, which
// keeps Python's backtracking order. Duplicated named groups get a `__N` suffix;
// `groups` maps each Python name to its JS names.

import type { Place } from '../types.ts';
import { RuleError } from '../util/errors.ts';
import { requiredNeedles } from './needles.ts';
import { parsePyRegex, PyRegexError, type Node } from './pyregex-parse.ts';

export interface JsRegex {
  source: string;
  flags: string;
  /** Python group name -> the JS group names that stand for it (usually one). */
  groups: Map<string, string[]>;
  /** Literal strings of which every match contains at least one (empty: no such set). */
  needles: string[];
  regex: RegExp;
}

const MAX_PATHS = 64;

export interface TranslateOptions {
  /** The regex is matched against several lines joined by \n (fail2ban's multi-line mode). */
  multiline?: boolean;
  place?: Place;
  /** The regex as the user wrote it (before tag expansion), for messages. */
  display?: string;
}

export function translatePyRegex(py: string, opts: TranslateOptions = {}): JsRegex {
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
  if (backRefs.size) {
    // Python's (?P=name) fails when the group did not take part, JS's matches empty:
    // treat it as (?(name)(?P=name)|fail) where the pattern allows expanding.
    try {
      alts = expandAll(parsed.alts, new Set([...condRefs, ...backRefs]), place, py);
    } catch (e) {
      if (!(e instanceof RuleError) || condRefs.size) throw e;
    }
  } else if (condRefs.size) alts = expandAll(parsed.alts, condRefs, place, py);
  const em = new Emitter();
  const source = alts.map((a) => em.seq(a)).join('|');
  let regex: RegExp;
  try {
    regex = new RegExp(source, flags);
  } catch (e) {
    throw new RuleError(place, `bad regex: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}: ${clip(opts.display ?? py)}`);
  }
  const needles = flags.includes('i') ? [] : requiredNeedles(alts);
  return { source, flags, groups: em.groups, needles, regex };
}

function clip(s: string): string {
  return s.length > 160 ? JSON.stringify(s.slice(0, 157) + '...') : JSON.stringify(s);
}

// ---------- conditional groups ----------

function expandAll(alts: Node[][], refs: Set<string>, place: Place, py: string): Node[][] {
  const paths: Node[][] = [];
  for (const alt of alts) {
    for (const p of expandSeq(alt, new Set(), refs, place)) {
      paths.push(p.seq);
      if (paths.length > MAX_PATHS) throw new RuleError(place, `conditional groups expand to too many alternatives: ${clip(py)}`);
    }
  }
  return paths;
}

function collectRefs(alts: Node[][], out: Set<string>, backrefs: Set<string>): void {
  const walk = (n: Node): void => {
    if (n.k === 'backref') backrefs.add(n.name);
    if (n.k === 'cond') {
      out.add(n.ref);
      n.yes.forEach(walk);
      n.no.forEach(walk);
    } else if (n.k === 'group') n.alts.forEach((a) => a.forEach(walk));
    else if (n.k === 'quant') walk(n.node);
  };
  alts.forEach((a) => a.forEach(walk));
}

/** Does this node hold a conditional, or a group a conditional looks at? */
function relevant(n: Node, refs: Set<string>): boolean {
  if (n.k === 'cond') return true;
  if (n.k === 'backref') return refs.has(n.name);
  if (n.k === 'group') return (n.name !== undefined && refs.has(n.name)) || n.alts.some((a) => a.some((x) => relevant(x, refs)));
  if (n.k === 'quant') return relevant(n.node, refs);
  return false;
}

interface Path {
  seq: Node[];
  set: ReadonlySet<string>;
}

function expandSeq(seq: Node[], set: ReadonlySet<string>, refs: Set<string>, place: Place): Path[] {
  let paths: Path[] = [{ seq: [], set }];
  for (const n of seq) {
    if (!relevant(n, refs)) {
      for (const p of paths) p.seq.push(n);
      continue;
    }
    const next: Path[] = [];
    for (const p of paths) {
      for (const q of expandNode(n, p.set, refs, place)) next.push({ seq: [...p.seq, ...q.seq], set: q.set });
    }
    if (next.length > MAX_PATHS) throw new RuleError(place, 'conditional groups expand to too many alternatives');
    paths = next;
  }
  return paths;
}

function expandNode(n: Node, set: ReadonlySet<string>, refs: Set<string>, place: Place): Path[] {
  if (n.k === 'backref') return [{ seq: [set.has(n.name) ? n : { k: 'raw', s: '(?!)' }], set }];
  if (n.k === 'cond') {
    if (/^\d+$/.test(n.ref)) throw new RuleError(place, `conditional on a group number (?(${n.ref})...) is not supported`);
    return expandSeq(set.has(n.ref) ? n.yes : n.no, set, refs, place);
  }
  if (n.k === 'quant') {
    const q = n.q;
    if (q !== '?' && q !== '??') throw new RuleError(place, 'a repeated group used by a conditional (?(...)) is not supported');
    const some = expandNode(n.node, set, refs, place);
    const none: Path = { seq: [], set };
    return q === '?' ? [...some, none] : [none, ...some];
  }
  if (n.k === 'group') {
    if (n.kind === 'look' || n.kind === 'atomic') throw new RuleError(place, 'a conditional (?(...)) inside a lookaround or atomic group is not supported');
    const out: Path[] = [];
    for (const alt of n.alts) {
      for (const r of expandSeq(alt, set, refs, place)) {
        const s = new Set(r.set);
        if (n.name !== undefined && refs.has(n.name)) s.add(n.name);
        out.push({ seq: [{ ...n, alts: [r.seq] }], set: s });
      }
    }
    return out;
  }
  return [{ seq: [n], set }];
}

// ---------- emitting JS ----------

class Emitter {
  readonly groups = new Map<string, string[]>();
  private atomic = 0;
  private current = new Map<string, string>();

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
    this.current.set(py, js);
    return js;
  }

  node(n: Node): string {
    switch (n.k) {
      case 'raw':
        return n.s;
      case 'backref':
        return `\\k<${this.current.get(n.name) ?? n.name}>`;
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
        const body = n.node.k === 'raw' && !isSingleAtom(n.node.s) ? `(?:${inner})` : inner;
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
