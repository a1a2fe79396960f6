// The rule engine: fail2ban filter files in, failures out.
//   loadFilter(ref, { searchDirs })  -> Filter (compiled; throws RuleError with file:line)
//   createMatcher(filter, { now })   -> Matcher: push(line) -> RuleMatch[]

import { createDateReader } from '../time/index.ts';
import type { Ref } from '../types.ts';
import { RuleError } from '../util/errors.ts';
import { compileFilter, type Filter } from './compile.ts';
import { readFilter } from './filter-load.ts';
import { createMatcherWith, type Matcher } from './matcher.ts';
import { chooseEngine, describeEngine } from './engine-choice.ts';

export type { Filter, CompiledRegex } from './compile.ts';
export type { Matcher, MatcherStats, DateReader, DateHit } from './matcher.ts';
export { createMatcherWith } from './matcher.ts';
export { LineMemo } from './line-memo.ts';
export { findFilterFile } from './filter-load.ts';
export { translatePyRegex, type JsRegex } from './pyregex.ts';
export { expandRegexTags } from './tags.ts';
export { describeEngine, type EngineKind } from './engine-choice.ts';

export interface LoadFilterOptions {
  /** filter.d directories, first match wins; ref.name may also be a path to a .conf file. */
  searchDirs: string[];
  jailDatepattern?: string;
  jailMaxlines?: number;
  /**
   * What to do with a regex no engine can run safely (engine-choice.ts): refuse it (a RuleError,
   * the default: runs read attacker text every minute as root), or only report it and run it as
   * written (`test-rule`, an admin testing a rule on a log they chose, as fail2ban-regex does).
   */
  onRiskyRegex?: 'refuse' | ((message: string) => void);
}

export function loadFilter(ref: Ref, opts: LoadFilterOptions): Filter {
  const filter = compileFilter(readFilter(ref, opts.searchDirs), opts);
  // Attackers write the lines: each regex gets an engine on which no line can stall the run.
  for (const r of [filter.prefregex, ...filter.failregex, ...filter.ignoreregex]) {
    if (!r) continue;
    const c = chooseEngine(r.re);
    r.engineNote = describeEngine(c) ?? undefined;
    if (c.kind === 'linear') {
      r.engine = 'linear';
      r.linear = { source: c.source, lookbehind: c.lookbehind };
    } else if (c.kind === 'atomic-rounds') {
      r.engine = 'atomic-rounds';
      r.re = new RegExp(c.source, r.re.flags);
    } else if (c.kind === 'refused') {
      const message = new RuleError(r.place, `rule ${filter.name}: regex refused: ${c.why}`);
      if (opts.onRiskyRegex === undefined || opts.onRiskyRegex === 'refuse') throw message;
      opts.onRiskyRegex(message.message);
    }
  }
  return filter;
}

export interface MatcherOptions {
  /** The current time (epoch seconds): year-less dates are resolved against it. */
  now: number;
  timezone?: string;
  /** The jail's datepattern, overriding the filter's. */
  datepattern?: string;
}

/** One matcher per stream (file): it holds the date reader and multi-line state. */
export function createMatcher(filter: Filter, opts: MatcherOptions): Matcher {
  const reader = createDateReader({
    datepattern: opts.datepattern ?? filter.datepattern,
    timezone: opts.timezone,
    now: opts.now,
    place: { file: filter.file },
  });
  return createMatcherWith(filter, reader);
}
