// Conditional groups (?(name)yes|no) — and Python's rule that (?P=name) fails when the
// group did not take part — rewritten for JavaScript, which has neither. At the first
// point where a referenced group may or may not take part, the pattern branches into
// alternatives, each carrying the rest of the pattern with the condition decided:
//   a(?P<x>b)?c(?(x)d|e)  ->  a(?:(?<x>b)cd|ce)
// The text before the branch point stays shared and the rest is copied into each
// branch, so the order in which alternatives are tried is Python's. Inside a capture
// group whose content can end in different states the group itself is copied, one copy
// per state, tried in that order (Python would interleave them when a choice comes
// before the deciding group inside the capture; fail2ban's filters never do that).

import type { Place } from '../types.ts';
import { RuleError } from '../util/errors.ts';
import type { Node } from './pyregex-parse.ts';

type State = ReadonlySet<string>;
type Cont = (s: State) => Node[];

const MAX_BRANCHES = 256;
const FAIL: Node = { k: 'raw', s: '(?!)' };

/** Marks where a copy of a group's content ends, with the state it ends in. */
interface Mark {
  k: 'raw';
  s: '';
  mark: string;
  state: State;
}

const key = (s: State) => [...s].sort().join(',');

export function collectRefs(alts: Node[][], conds: Set<string>, backrefs: Set<string>): void {
  const walk = (n: Node): void => {
    if (n.k === 'backref') backrefs.add(n.name);
    if (n.k === 'cond') {
      conds.add(n.ref);
      n.yes.forEach(walk);
      n.no.forEach(walk);
    } else if (n.k === 'group') n.alts.forEach((a) => a.forEach(walk));
    else if (n.k === 'quant') walk(n.node);
  };
  alts.forEach((a) => a.forEach(walk));
}

/**
 * Rewrite the top-level alternatives so no conditional (and no backref in `refs`) is left
 * to decide at match time. `exact` is false when a capture group had to be copied per
 * state, which may try alternatives in another order than Python.
 */
export function expandConditionals(alts: Node[][], refs: Set<string>, place: Place): { alts: Node[][]; exact: boolean } {
  const x = new Expander(refs, place);
  const out = alts.map((a) => x.seq(a, 0, new Set(), () => []));
  return { alts: out, exact: x.exact };
}

class Expander {
  private branches = 0;
  exact = true;
  constructor(
    private readonly refs: Set<string>,
    private readonly place: Place,
  ) {}

  /** Does this node hold a conditional, or a group or backref a conditional depends on? */
  private relevant(n: Node): boolean {
    if (n.k === 'cond') return true;
    if (n.k === 'backref') return this.refs.has(n.name);
    if (n.k === 'group') return (n.name !== undefined && this.refs.has(n.name)) || n.alts.some((a) => a.some((x) => this.relevant(x)));
    if (n.k === 'quant') return this.relevant(n.node);
    return false;
  }

  /** Does the node hold a capture group whose state something depends on? */
  private defines(n: Node): boolean {
    if (n.k === 'group') return (n.name !== undefined && this.refs.has(n.name)) || n.alts.some((a) => a.some((x) => this.defines(x)));
    if (n.k === 'quant') return this.defines(n.node);
    if (n.k === 'cond') return [...n.yes, ...n.no].some((x) => this.defines(x));
    return false;
  }

  private tick(): void {
    if (++this.branches > MAX_BRANCHES) throw new RuleError(this.place, 'conditional groups expand to too many alternatives');
  }

  /** seq[i..] followed by the continuation, with the state known so far. */
  seq(seq: Node[], i: number, state: State, k: Cont): Node[] {
    let j = i;
    while (j < seq.length && !this.relevant(seq[j]!)) j++;
    if (j === seq.length) return [...seq.slice(i), ...k(state)];
    const branches = this.node(seq[j]!, state, (s) => this.seq(seq, j + 1, s, k));
    return [...seq.slice(i, j), ...alternation(branches)];
  }

  /** The ways a node can match, each followed by the continuation for the state it leaves. */
  private node(n: Node, state: State, k: Cont): Node[][] {
    this.tick();
    switch (n.k) {
      case 'backref':
        return [[state.has(n.name) ? n : FAIL, ...k(state)]];
      case 'cond':
        if (/^\d+$/.test(n.ref)) throw new RuleError(this.place, `conditional on a group number (?(${n.ref})...) is not supported`);
        return [this.seq(state.has(n.ref) ? n.yes : n.no, 0, state, k)];
      case 'quant': {
        if (n.q !== '?' && n.q !== '??') throw new RuleError(this.place, 'a repeated group used by a conditional (?(...)) is not supported');
        const some = this.node(n.node, state, k);
        const none = k(state);
        return n.q === '?' ? [...some, none] : [none, ...some];
      }
      case 'group': {
        if (n.kind === 'look' || n.kind === 'atomic') {
          // Self-contained: fine as long as it does not set a group the rest depends on.
          if (this.defines(n)) throw new RuleError(this.place, 'a group used by a conditional (?(...)) inside a lookaround or atomic group is not supported');
          return [[{ ...n, alts: n.alts.map((a) => this.seq(a, 0, state, () => [])) }, ...k(state)]];
        }
        const out: Node[][] = [];
        // A non-capturing group needs no closing: the rest of the pattern goes inside
        // each alternative, exactly as Python tries them.
        if (n.kind === 'nocap') {
          for (const alt of n.alts) out.push(this.seq(alt, 0, state, k));
          return out;
        }
        const sets = (s: State) => (n.name !== undefined && this.refs.has(n.name) ? new Set([...s, n.name]) : s);
        for (const alt of n.alts) {
          if (!alt.some((x) => this.relevant(x))) {
            out.push([{ ...n, alts: [alt] }, ...k(sets(state))]);
            continue;
          }
          // The content decides the state: expand it up to marks, then one copy of the group per end state.
          const body = this.seq(alt, 0, state, (s) => [{ k: 'raw', s: '', mark: key(s), state: s } as Mark as Node]);
          const ends = new Map<string, State>();
          collectMarks(body, ends);
          if (ends.size > 1) this.exact = false;
          for (const [m, s] of ends) out.push([{ ...n, alts: [prune(body, m) ?? []] }, ...k(sets(s))]);
        }
        return out;
      }
      default:
        return [[n, ...k(state)]];
    }
  }
}

/** One node standing for "first branch, else the next...". */
function alternation(branches: Node[][]): Node[] {
  if (branches.length === 1) return branches[0]!;
  return [{ k: 'group', kind: 'nocap', open: '(?:', alts: branches, branch: true } as Node];
}

const isMark = (n: Node | undefined): n is Node & Mark => !!n && n.k === 'raw' && 'mark' in n;
const isBranch = (n: Node | undefined): n is Node & { k: 'group'; alts: Node[][] } => !!n && n.k === 'group' && 'branch' in n;

function collectMarks(seq: Node[], into: Map<string, State>): void {
  const last = seq[seq.length - 1];
  if (isMark(last)) into.set(last.mark, last.state);
  else if (isBranch(last)) for (const a of last.alts) collectMarks(a, into);
}

/** The part of an expanded sequence whose paths end in the given mark (marks removed); null when none does. */
function prune(seq: Node[], mark: string): Node[] | null {
  const last = seq[seq.length - 1];
  if (isMark(last)) return last.mark === mark ? seq.slice(0, -1) : null;
  if (isBranch(last)) {
    const kept = last.alts.map((a) => prune(a, mark)).filter((a): a is Node[] => a !== null);
    if (!kept.length) return null;
    return [...seq.slice(0, -1), ...alternation(kept)];
  }
  return seq;
}
