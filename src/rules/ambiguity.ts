// Whether a loop can read one text in exponentially many ways, decided exactly on the loop's
// position automaton (Glushkov's construction, keeping how many ways lead from one position to
// the next): a backtracking engine explores every way, so a loop is dangerous exactly when two
// different paths leave a state and come back to it reading the same text (an "exponential
// degree of ambiguity", Weber & Seidl). The check walks pairs of positions read in step: a pair
// (p,p) that reaches a pair (q,q') with q != q' (or a doubled edge) and comes back means danger.
//
// Lookarounds are left out first (they only remove ways), backreferences make the loop
// undecidable here (null). Counted repeats are unrolled up to a small bound, beyond it read as
// unbounded (more ways, never fewer). Pure and deterministic: no time budget anywhere.

import { charsOf, literalChar } from './charset.ts';
import { closingOf, tokenize, withoutLookarounds, zeroWidth, type Token } from './js-regex-tokens.ts';

/** Positions beyond this: the loop is not decided here (treated as dangerous by the caller). */
const MAX_POSITIONS = 400;
const MAX_UNROLL = 12;

type Counts = Map<number, number>;
type CharSet = number | Uint8Array;

interface Part {
  nullable: boolean;
  first: Counts;
  last: Counts;
}

class Undecided extends Error {}

function add(into: Counts, from: Counts, times = 1): void {
  for (const [k, c] of from) into.set(k, Math.min(2, (into.get(k) ?? 0) + c * times));
}

class Builder {
  /** What each position reads: one code unit, or a set of them. Position 0 is the start. */
  readonly sets: CharSet[] = [0];
  readonly follow: Counts[] = [new Map()];

  constructor(
    private readonly tokens: Token[],
    private readonly flags: string,
  ) {}

  private position(atom: string): Part {
    if (this.sets.length > MAX_POSITIONS) throw new Undecided();
    const id = this.sets.length;
    const c = this.flags.includes('i') ? null : literalChar(atom);
    this.sets.push(c !== null ? c.charCodeAt(0) : charsOf(atom, this.flags));
    this.follow.push(new Map());
    return { nullable: false, first: new Map([[id, 1]]), last: new Map([[id, 1]]) };
  }

  private link(from: Counts, to: Counts): void {
    for (const [p, cp] of from) {
      const f = this.follow[p]!;
      for (const [q, cq] of to) f.set(q, Math.min(2, (f.get(q) ?? 0) + cp * cq));
    }
  }

  private cat(a: Part, b: Part): Part {
    this.link(a.last, b.first);
    const first = new Map(a.first);
    if (a.nullable) add(first, b.first);
    const last = new Map(b.last);
    if (b.nullable) add(last, a.last);
    return { nullable: a.nullable && b.nullable, first, last };
  }

  private static readonly EMPTY: Part = { nullable: true, first: new Map(), last: new Map() };

  private opt(a: Part): Part {
    return { ...a, nullable: true };
  }

  private plus(a: Part): Part {
    this.link(a.last, a.first);
    return a;
  }

  /** Close a loop over `a` (its last positions lead back to its first). */
  repeat(a: Part): void {
    this.plus(a);
  }

  /** One unit (atom or group, tokens [from, to)) with its quantifier, built fresh for each copy. */
  private unit(from: number, to: number, q: string): Part {
    const once = (): Part => {
      const t = this.tokens[from]!;
      if (t.k === 'atom') {
        if (zeroWidth(t.text)) return Builder.EMPTY;
        if (t.text.startsWith('\\k<') || /^\\[1-9]/.test(t.text)) throw new Undecided();
        return this.position(t.text);
      }
      return this.alts(from + 1, to - 1);
    };
    // Lazy or greedy, the same ways exist: `*?` reads like `*`.
    const base = q.length > 1 && q.endsWith('?') ? q.slice(0, -1) : q;
    if (base === '') return once();
    if (base === '?') return this.opt(once());
    if (base === '*') return this.opt(this.plus(once()));
    if (base === '+') return this.plus(once());
    const m = /^\{(\d+)(,(\d*))?\}$/.exec(base);
    if (!m) throw new Undecided();
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    if (min > MAX_UNROLL || (max !== Infinity && max > MAX_UNROLL)) return min > 0 ? this.plus(once()) : this.opt(this.plus(once()));
    let part: Part = Builder.EMPTY;
    for (let k = 0; k < min; k++) part = this.cat(part, once());
    if (max === Infinity) return min > 0 ? this.cat(part, this.opt(this.plus(once()))) : this.opt(this.plus(once()));
    // a{2,4} is aa(a(a)?)?: nested, so no copy competes with another for the same character.
    let tail: Part = Builder.EMPTY;
    for (let k = min; k < max; k++) tail = this.opt(this.cat(once(), tail));
    return this.cat(part, tail);
  }

  /** Alternatives between tokens [from, to). */
  alts(from: number, to: number): Part {
    const result: Part = { nullable: false, first: new Map(), last: new Map() };
    let seq: Part = Builder.EMPTY;
    let k = from;
    const flush = () => {
      result.nullable ||= seq.nullable;
      add(result.first, seq.first);
      add(result.last, seq.last);
      seq = Builder.EMPTY;
    };
    while (k < to) {
      const t = this.tokens[k]!;
      if (t.k === 'alt') {
        flush();
        k++;
      } else if (t.k === 'atom') {
        seq = this.cat(seq, this.unit(k, k + 1, t.q));
        k++;
      } else if (t.k === 'open') {
        const close = closingOf(this.tokens, k);
        const q = (this.tokens[close] as Extract<Token, { k: 'close' }> | undefined)?.q ?? '';
        seq = this.cat(seq, this.unit(k, close + 1, q));
        k = close + 1;
      } else {
        throw new Undecided(); // unbalanced
      }
    }
    flush();
    return result;
  }
}

function has(set: Uint8Array, c: number): boolean {
  return (set[c >> 3]! & (1 << (c & 7))) !== 0;
}

function intersects(a: CharSet, b: CharSet): boolean {
  if (typeof a === 'number') return typeof b === 'number' ? a === b : has(b, a);
  if (typeof b === 'number') return has(a, b);
  for (let k = 0; k < a.length; k++) if (a[k]! & b[k]!) return true;
  return false;
}

/**
 * true: the loop `(?:body)q` can read some text in exponentially many ways; false: it cannot;
 * null: not decided here (a backreference inside, or too large).
 */
export function loopIsExponential(body: string, flags: string): boolean | null {
  try {
    const tokens = withoutLookarounds(tokenize(body));
    const b = new Builder(tokens, flags);
    const once = b.alts(0, tokens.length);
    // The loop itself (any unbounded quantifier, greedy or lazy): from its end back to its start.
    b.repeat(once);
    add(b.follow[0]!, once.first);
    return exponentialDegree(b.sets, b.follow);
  } catch (e) {
    if (e instanceof Undecided) return null;
    throw e;
  }
}

/** Pairs of positions read in step from the start; true when a diagonal pair's strongly connected part also holds a divergence. */
function exponentialDegree(sets: CharSet[], follow: Counts[]): boolean {
  const n = sets.length;
  const memo = new Map<number, boolean>();
  const meets = (p: number, q: number): boolean => {
    const k = p < q ? p * n + q : q * n + p;
    let v = memo.get(k);
    if (v === undefined) memo.set(k, (v = intersects(sets[p]!, sets[q]!)));
    return v;
  };
  const id = (p: number, q: number) => p * n + q;
  const edges = new Map<number, { to: number; doubled: boolean }[]>();
  const seen = new Set<number>([0]);
  const queue = [0];
  while (queue.length) {
    const node = queue.pop()!;
    const p = Math.floor(node / n);
    const q = node % n;
    const out: { to: number; doubled: boolean }[] = [];
    for (const [p2, cp] of follow[p]!) {
      for (const [q2, cq] of follow[q]!) {
        if (!meets(p2, q2)) continue;
        const to = id(p2, q2);
        out.push({ to, doubled: p === q && p2 === q2 && Math.min(cp, cq) >= 2 });
        if (!seen.has(to)) {
          seen.add(to);
          queue.push(to);
        }
      }
    }
    edges.set(node, out);
  }
  // Tarjan's strongly connected components, iteratively.
  const index = new Map<number, number>();
  const low = new Map<number, number>();
  const onStack = new Set<number>();
  const stack: number[] = [];
  let counter = 0;
  for (const root of seen) {
    if (index.has(root)) continue;
    const work: [number, number][] = [[root, 0]];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length) {
      const top = work[work.length - 1]!;
      const [v, i] = top;
      const es = edges.get(v) ?? [];
      if (i < es.length) {
        top[1]++;
        const w = es[i]!.to;
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push([w, 0]);
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1]![0];
        low.set(parent, Math.min(low.get(parent)!, low.get(v)!));
      }
      if (low.get(v) !== index.get(v)) continue;
      const comp = new Set<number>();
      let w: number;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.add(w);
      } while (w !== v);
      let diagonal = false;
      let divergent = false;
      for (const x of comp) {
        if (Math.floor(x / n) === x % n) diagonal = true;
        else divergent = true;
        for (const e of edges.get(x) ?? []) if (e.doubled && comp.has(e.to)) divergent = true;
      }
      // A single node is its own component only when it has an edge to itself.
      if (comp.size === 1 && !(edges.get(v) ?? []).some((e) => e.to === v)) continue;
      if (diagonal && divergent) return true;
    }
  }
  return false;
}
