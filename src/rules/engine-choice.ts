// Which engine runs a regex, decided once when its filter loads, from the regex text alone (the
// same answer on every run and every machine):
//   backtracking  - V8's RegExp: no loop of it can read a text in exponentially many ways;
//   linear        - re2js (RE2): a loop can, and RE2 can express the regex: time grows with the
//                   line's length only;
//   atomic-rounds - a loop can, RE2 cannot express the regex (lookahead, backreference), but each
//                   dangerous loop's rounds can be made atomic without changing any match;
//   refused       - none of these: the jail is skipped with a RuleError naming the loop.

import { LinearRegex } from './linear-regex.ts';
import { makeRoundsAtomic, roundEndsFixed } from './loop-repair.ts';
import { toRe2 } from './re2-translate.ts';
import { riskyLoops, type SuspectLoop } from './redos.ts';

export type EngineKind = 'backtracking' | 'linear' | 'atomic-rounds';

export type EngineChoice =
  | { kind: 'backtracking' }
  | { kind: 'linear'; source: string; lookbehind: boolean; loop: string }
  | { kind: 'atomic-rounds'; source: string; loops: string[] }
  | { kind: 'refused'; why: string };

const MAX_REPAIRS = 16;

export function shownLoop(l: SuspectLoop): string {
  return l.source.length > 80 ? `${l.source.slice(0, 77)}...` : l.source;
}

/** Choices by flags and source: the modes of one rule (and the jails of one service) share most regexes. */
const chosen = new Map<string, EngineChoice>();

export function chooseEngine(re: RegExp): EngineChoice {
  const flags = re.flags.replace(/[dgy]/g, '');
  const key = `${flags}/${re.source}`;
  let c = chosen.get(key);
  if (c === undefined) chosen.set(key, (c = choose(re.source, flags)));
  return c;
}

function choose(source: string, flags: string): EngineChoice {
  const risky = riskyLoops(source, flags);
  if (!risky.length) return { kind: 'backtracking' };
  const loop = shownLoop(risky[0]!);

  const re2 = toRe2(source, flags);
  let why: string;
  if (re2.ok) {
    try {
      new LinearRegex(re2.source, flags, re2.lookbehind, false);
      return { kind: 'linear', source: re2.source, lookbehind: re2.lookbehind, loop };
    } catch (e) {
      why = (e as Error).message.replace(/^error parsing regexp: /, '');
    }
  } else why = re2.why;

  let src = source;
  const repaired: string[] = [];
  for (let n = 1; n <= MAX_REPAIRS; n++) {
    const left = n === 1 ? risky : riskyLoops(src, flags);
    if (!left.length) break;
    const l = left[0]!;
    if (!roundEndsFixed(src, l, flags)) {
      return { kind: 'refused', why: `a loop can backtrack exponentially on hostile log text (${shownLoop(l)}); RE2 cannot run this regex (${why}) and the loop's rounds cannot be made atomic without changing what it matches` };
    }
    repaired.push(shownLoop(l));
    src = makeRoundsAtomic(src, l, n);
  }
  if (riskyLoops(src, flags).length) return { kind: 'refused', why: `too many dangerous loops (${loop})` };
  return { kind: 'atomic-rounds', source: src, loops: repaired };
}

/** One line for check-config and test-rule: what runs this regex and why. */
export function describeEngine(c: EngineChoice): string | null {
  if (c.kind === 'linear') return `a loop can backtrack exponentially (${c.loop}): runs on RE2, in time linear in the line's length`;
  if (c.kind === 'atomic-rounds') return `a loop can backtrack exponentially (${c.loops.join(', ')}): its rounds run atomic (never backtracked into), which changes no match`;
  if (c.kind === 'refused') return c.why;
  return null;
}
