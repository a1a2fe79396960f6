// One file's matchers of rules that read a line alike up to their failregex lists: sshd's modes
// share the prefregex, the session id, the dates and most failregexes, and on most lines the
// first failregex that matches is the same one (or none is) in every mode. Matchers that have
// had the same verdict on every line so far remember the same things (the same sessions, fed
// the same groups; the same last dates), so only one of them, the leader, takes the line in and
// the others get its matches. At the first line where one's verdict differs it goes on apart
// from a copy of the leader's state before that line: the results are those of matchers that
// each read the file alone (test/rules/matcher-group.test.ts compares them). Unless taking either
// verdict in leaves the same state (MatcherCore.effect: both forget the connection, as sshd's modes
// do at its end, which one counts as a failure and another not): then it stays and reports its
// own failure of that line, read aside from the connection as it was (takeAside).
//
// The verdicts themselves still cost each rule its own look at the line (line-memo.ts makes the
// regexes they share run once); what is saved is the taking in: sessions, groups, failures.

import type { RuleMatch } from '../types.ts';
import type { CompiledRegex, Filter } from './compile.ts';
import { DROPPED, NO_MATCH, REPEAT_LAST, type MatcherCore } from './matcher.ts';

/**
 * The rule as a matcher runs it, regex sources and all: equal signatures, equal matches line for
 * line (`sshd` and `sshd[mode=normal]` are written apart and load equal).
 */
const signatures = new WeakMap<Filter, string>();
export function ruleSignature(f: Filter): string {
  let sig = signatures.get(f);
  if (sig === undefined) {
    sig = JSON.stringify([f.maxlines, readKey(f), f.failregex.map(regexKey), f.prefilter?.source ?? null]);
    signatures.set(f, sig);
  }
  return sig;
}

const regexKey = (r: CompiledRegex | undefined) => (r ? [r.re.source, r.re.flags, r.linear?.source ?? null] : null);

/**
 * What rules must have in common for one to follow another: everything a matcher reads but the
 * failregexes and the prefilter (whose verdicts are compared line by line). Null: a multi-line
 * rule (its buffer is not followed), never grouped. Matchers grouped must also read dates alike
 * and start at the same line: the caller's part of the key.
 */
export function groupKeyOf(f: Filter): string | null {
  return f.maxlines === 1 ? readKey(f) : null;
}

function readKey(f: Filter): string {
  return JSON.stringify([regexKey(f.prefregex), [...(f.prefregex?.groups.get('content') ?? [])], f.ignoreregex.map(regexKey), f.mlfid, f.datepattern ?? null]);
}

const NO_EXTRA: readonly number[] = [];
const NONE: readonly RuleMatch[] = Object.freeze([]);

/**
 * A follower's failregexes to check, by the first character of the content (first-chars.ts: the
 * others cannot match it), and its index of the leader's verdict.
 */
class Check {
  private readonly ascii: (readonly number[] | undefined)[] = new Array(128);

  /** `extra`: indexes in the follower's list; `firsts`: the follower's first characters. */
  constructor(
    private readonly extra: readonly number[],
    private readonly firsts: readonly (string | null)[],
    readonly at: number,
  ) {}

  /** The extra failregexes that may match content `c` (none to check without content). */
  extraFor(c: string | null): readonly number[] {
    if (c === null || this.extra.length === 0) return NO_EXTRA;
    if (c.length === 0) return this.extra.filter((k) => this.firsts[k] === null);
    const code = c.charCodeAt(0);
    if (code < 128) return (this.ascii[code] ??= this.build(c[0]!));
    return this.build(c[0]!);
  }

  private build(ch: string): number[] {
    return this.extra.filter((k) => this.firsts[k] === null || this.firsts[k]!.includes(ch));
  }
}

/** What a follower's rule must check, for each verdict of its leader's. */
interface Relation {
  /** The follower's prefilter passes every line the leader's passes; drops every line it drops. */
  passesWith: boolean;
  dropsWith: boolean;
  /** By the leader's failregex index: null when the follower's rule has not that regex. */
  at: (Check | null)[];
  /** The leader's rule matched nothing: the follower's regexes the leader's has not. */
  none: Check;
}

/** The prefilter only (a line dropped or repeated: the rest is the same). */
const SAME = new Check(NO_EXTRA, [], -1);

/** Every word of `a` is one of `b` (a line holding one of a holds one of b); false when not known. */
function within(a: ReadonlySet<string> | null, b: ReadonlySet<string> | null): boolean {
  if (a === null || b === null) return false;
  for (const w of a) if (!b.has(w)) return false;
  return true;
}

function relate(leader: MatcherCore, follower: MatcherCore): Relation {
  const same = leader.prefilterSource === follower.prefilterSource;
  const ls = leader.slots;
  const fs = follower.slots;
  const firsts = follower.firsts;
  const at = ls.map((slot, i) => {
    const k = fs.indexOf(slot);
    if (k < 0) return null;
    // Before it in the follower's list, what the leader did not find null first.
    const ruledOut = new Set(ls.slice(0, i));
    return new Check(
      fs.flatMap((s, x) => (x < k && !ruledOut.has(s) ? [x] : [])),
      firsts,
      k,
    );
  });
  const all = new Set(ls);
  return {
    passesWith: same || within(leader.prefilterWords, follower.prefilterWords),
    dropsWith: same || within(follower.prefilterWords, leader.prefilterWords),
    at,
    none: new Check(
      fs.flatMap((s, x) => (all.has(s) ? [] : [x])),
      firsts,
      -1,
    ),
  };
}

/** Matchers that take lines in as one: the leader's, and the indexes of those following it. */
interface Lockstep {
  leader: number;
  followers: number[];
}

export class MatcherGroup {
  /** found[i]: what members[i] matched on the last line pushed (read it before the next push). */
  readonly found: (readonly RuleMatch[])[];
  private readonly steps: Lockstep[];
  private readonly verdicts: number[];
  /** relations[a][b]: what member b checks besides member a's verdict (made when first needed). */
  private readonly relations: (Relation | undefined)[][];
  /** Every member has a prefilter: a line none of the file's prefilters passes is dropped by all. */
  private readonly allFiltered: boolean;
  private lines = 0;
  /**
   * aside[f]: follower f's verdict on this line is not its leader's, but taking either in leaves
   * the same state (MatcherCore.effect): f stays, its matches its own (takeAside). ownLast[f]: so
   * on the line before, whose failure a "last message repeated" line would repeat; leave[f]: f
   * leaves its lockstep alone at this line (such a line).
   */
  private readonly aside: boolean[];
  private readonly ownLast: boolean[];
  private readonly leave: boolean[];
  /** asideAs[f]: the follower before f on this line whose aside reading f adopted (-1: none). */
  private readonly asideAs: number[];
  /** Some follower's own failure of the line before (ownLast) is a failure. */
  private asideRepeatable = false;

  /**
   * `members`: matchers of rules with one groupKeyOf(), on one date reader and memo, none fed a
   * line yet (or a single matcher of any rule).
   */
  constructor(private readonly members: MatcherCore[]) {
    this.found = members.map(() => []);
    this.verdicts = members.map(() => 0);
    this.relations = members.map(() => []);
    this.aside = members.map(() => false);
    this.ownLast = members.map(() => false);
    this.leave = members.map(() => false);
    this.asideAs = members.map(() => -1);
    this.allFiltered = members.every((m) => m.prefilterSource !== null);
    this.steps = members.length === 0 ? [] : [{ leader: 0, followers: members.map((_, i) => i).slice(1) }];
  }

  push(line: string): void {
    const { members, found, verdicts, steps } = this;
    // One rule (a multi-line one is always alone): its own push.
    if (members.length === 1) {
      found[0] = members[0]!.push(line);
      return;
    }
    const n = ++this.lines;
    const count = steps.length;
    // A follower's own failure before (it read the line before aside) may be repeated by this line.
    const asideBefore = this.asideRepeatable;
    this.asideRepeatable = false;
    // The first leader to look at the line itself: the other leaders start from its verdict.
    let first: MatcherCore | null = null;
    let firstAt = -1;
    let firstRepeatable = false;
    // No prefilter of the file passes the line (most lines): every verdict is DROPPED.
    let dropped = false;
    for (let s = 0; s < count; s++) {
      const step = steps[s]!;
      const leader = members[step.leader]!;
      const repeatable = leader.repeatable();
      let v: number;
      if (first !== null && this.sameRepeat(first, firstRepeatable, repeatable) && (dropped ? leader.agrees(first.classified, true, NO_EXTRA, -1, true) : this.agree(firstAt, step.leader, true))) {
        v = first.classified.verdict;
      } else {
        v = leader.classify(line, repeatable);
        if (first === null) {
          first = leader;
          firstAt = step.leader;
          firstRepeatable = repeatable;
          dropped = v === DROPPED && this.allFiltered && leader.classified.droppedByAll;
        }
      }
      if (dropped && v === DROPPED && !asideBefore) {
        // The followers, in the leader's state, drop it too: nothing to check.
        const lf = (found[step.leader] = leader.take(n));
        for (let k = 0; k < step.followers.length; k++) {
          found[step.followers[k]!] = lf;
          this.ownLast[step.followers[k]!] = false;
        }
        continue;
      }
      let apart = false;
      let asides = false;
      let effect: string | null | undefined;
      // The last follower that read the line itself and went aside (-1: none yet).
      let asideFrom = -1;
      for (let k = 0; k < step.followers.length; k++) {
        const f = step.followers[k]!;
        verdicts[f] = v;
        if (this.ownLast[f] && line.includes('last message repeated ')) {
          // Its failure before is its own: a repeat of it is read apart from here on.
          verdicts[f] = members[f]!.classify(line, found[f]!.length === 1);
          this.leave[f] = apart = true;
          continue;
        }
        // The followers' state is the leader's: the same `repeatable`.
        if (this.agree(step.leader, f, false)) continue;
        // Another follower read it aside: one that agrees with it is aside alike (sshd's ddos and
        // aggressive modes at the end of a connection), its matches that follower's.
        if (asideFrom >= 0 && this.agree(asideFrom, f, true)) {
          verdicts[f] = verdicts[asideFrom]!;
          this.aside[f] = true;
          this.asideAs[f] = asideFrom;
          continue;
        }
        if ((verdicts[f] = members[f]!.classify(line, repeatable)) !== v) {
          if (effect === undefined) effect = leader.effect();
          if (effect !== null && members[f]!.effect() === effect) {
            this.aside[f] = asides = true;
            asideFrom = f;
          } else apart = true;
        }
      }
      if (apart) this.split(step, v);
      if (asides) leader.holdBefore();
      const lf = (found[step.leader] = leader.take(n));
      for (let k = 0; k < step.followers.length; k++) {
        const f = step.followers[k]!;
        if (this.aside[f]) {
          const like = this.asideAs[f]!;
          // Aside alike: the other follower's failure under f's index (agree() adopted its reading).
          found[f] = like < 0 ? members[f]!.takeAside(n, leader.aside()) : this.follow(found[like]!, verdicts[f]!, f);
          this.asideAs[f] = -1;
          this.aside[f] = false;
          this.ownLast[f] = true;
          if (found[f]!.length === 1) this.asideRepeatable = true;
        } else {
          found[f] = this.follow(lf, v, f);
          this.ownLast[f] = false;
        }
      }
    }
    // Lockstep groups made by split() during this line: their leaders have classified it.
    for (let s = count; s < steps.length; s++) {
      const step = steps[s]!;
      const lf = (found[step.leader] = members[step.leader]!.take(n));
      this.ownLast[step.leader] = false;
      for (const f of step.followers) {
        found[f] = this.follow(lf, verdicts[f]!, f);
        this.ownLast[f] = false;
      }
    }
  }

  /** push() of `count` lines in a row that every prefilter of the file's rules refuses (MatcherCore.takeDropped). */
  pushDropped(ring: readonly string[], count: number): void {
    const { members, found, steps } = this;
    if (members.length === 1) members[0]!.pushDropped(ring, count);
    else {
      this.lines += count;
      for (let s = 0; s < steps.length; s++) members[steps[s]!.leader]!.takeDropped(ring, count);
    }
    for (let i = 0; i < found.length; i++) {
      found[i] = NONE;
      this.ownLast[i] = false;
    }
    this.asideRepeatable = false;
  }

  /** Some leader found a failure on the line before: a "last message repeated" line would repeat it. */
  get repeatable(): boolean {
    if (this.asideRepeatable) return true;
    for (let s = 0; s < this.steps.length; s++) if (this.members[this.steps[s]!.leader]!.repeatable()) return true;
    return false;
  }

  /** How many of the members take lines in themselves (the others follow one of them). */
  get leaders(): number {
    return this.steps.length;
  }

  /** Every member reads single lines and has a prefilter: pushDropped() may stand for push(). */
  get droppable(): boolean {
    return this.allFiltered && this.members.every((m) => m.singleLine);
  }

  /**
   * Whether a leader whose line before was (not) a failure, `repeatable`, reads the line `first`
   * classified as first does as far as "last message repeated" goes: no such line is a repeat
   * for either when first, repeatable, did not take it as one, or when it is not one at all.
   */
  private sameRepeat(first: MatcherCore, firstRepeatable: boolean, repeatable: boolean): boolean {
    if (repeatable === firstRepeatable) return true;
    return firstRepeatable ? first.classified.verdict !== REPEAT_LAST : !first.classified.line.includes('last message repeated ');
  }

  /**
   * Whether member b's verdict on the line is member a's (a has classified it; b is in the same
   * state as far as the verdict goes), checked with what their rules have not in common; a verdict
   * b's rule cannot give (a failregex not in its list) is no. `adopt`: see MatcherCore.agrees.
   */
  private agree(a: number, b: number, adopt: boolean): boolean {
    const c = this.members[a]!.classified;
    const rel = (this.relations[a]![b] ??= relate(this.members[a]!, this.members[b]!));
    const v = c.verdict;
    const check = v >= 0 ? rel.at[c.index]! : v === NO_MATCH ? rel.none : SAME;
    const known = v === DROPPED ? rel.dropsWith : rel.passesWith;
    return check !== null && this.members[b]!.agrees(c, known, check.extraFor(v === DROPPED ? null : c.content), check.at, adopt);
  }

  /**
   * The followers of `step` whose verdict on this line is not the leader's `v` leave it, before
   * the leader takes the line in: each verdict's followers form a new lockstep, led by one of them
   * who goes on from a copy of the leader's state.
   */
  private split(step: Lockstep, v: number): void {
    const { members, verdicts, found } = this;
    const stay: number[] = [];
    const byVerdict = new Map<number, number[]>();
    const alone: number[] = [];
    for (const f of step.followers) {
      if (this.leave[f]) {
        this.leave[f] = false;
        alone.push(f);
      } else if (verdicts[f] === v || this.aside[f]) stay.push(f);
      else {
        const same = byVerdict.get(verdicts[f]!);
        if (same) same.push(f);
        else byVerdict.set(verdicts[f]!, [f]);
      }
    }
    step.followers = stay;
    const leader = members[step.leader]!;
    // Each on its own: their failures of the line before are their own.
    for (const f of alone) {
      members[f]!.restore(leader.snapshot(), found[f]!.length === 1 ? found[f]![0]! : null);
      this.steps.push({ leader: f, followers: [] });
    }
    for (const [, fs] of byVerdict) {
      const head = fs[0]!;
      // Its own failure of the line before (the leader's may name another failregex index).
      const before = found[head]!;
      members[head]!.restore(leader.snapshot(), before.length === 1 ? before[0]! : null);
      this.steps.push({ leader: head, followers: fs.slice(1) });
    }
  }

  /** Follower f's matches from its leader's `lf` (the same but for the failregex's index in f's rule). */
  private follow(lf: readonly RuleMatch[], v: number, f: number): readonly RuleMatch[] {
    if (lf.length === 0) return lf;
    const r = lf[0]!;
    // A repeated line repeats f's own failure of the line before.
    const j = v === REPEAT_LAST ? this.found[f]![0]!.regex : this.members[f]!.classified.index;
    return r.regex === j ? lf : [{ ...r, regex: j }];
  }
}
