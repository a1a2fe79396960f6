// The rule engine: fail2ban filter files in, failures out.
//   loadFilter(ref, { searchDirs })  -> Filter (compiled; throws RuleError with file:line)
//   createMatcher(filter, { now })   -> Matcher: push(line) -> RuleMatch[]

import { createDateReader } from '../time/index.ts';
import type { Ref } from '../types.ts';
import { RuleError } from '../util/errors.ts';
import { compileFilter, type Filter } from './compile.ts';
import { readFilter } from './filter-load.ts';
import { createMatcherWith, type Matcher } from './matcher.ts';
import { assertNoCatastrophicBacktracking } from './redos.ts';

export type { Filter, CompiledRegex } from './compile.ts';
export type { Matcher, MatcherStats, DateReader, DateHit } from './matcher.ts';
export { createMatcherWith } from './matcher.ts';
export { findFilterFile } from './filter-load.ts';
export { translatePyRegex, type JsRegex } from './pyregex.ts';
export { expandRegexTags } from './tags.ts';
export { useRedosCache, saveRedosCache } from './redos.ts';

export interface LoadFilterOptions {
  /** filter.d directories, first match wins; ref.name may also be a path to a .conf file. */
  searchDirs: string[];
  jailDatepattern?: string;
  jailMaxlines?: number;
  /**
   * What to do with a regex that can backtrack exponentially: refuse it (a RuleError, the
   * default: runs read attacker text every minute as root), or only report it (`test-rule`,
   * an admin testing a rule on a log they chose, as fail2ban-regex does).
   */
  onRiskyRegex?: 'refuse' | ((message: string) => void);
}

export function loadFilter(ref: Ref, opts: LoadFilterOptions): Filter {
  const filter = compileFilter(readFilter(ref, opts.searchDirs), opts);
  // Attackers write the lines: a regex that can backtrack exponentially is refused here.
  for (const r of [filter.prefregex, ...filter.failregex, ...filter.ignoreregex]) {
    if (!r) continue;
    try {
      assertNoCatastrophicBacktracking(r.re, r.place, filter.name);
    } catch (e) {
      if (!(e instanceof RuleError) || opts.onRiskyRegex === undefined || opts.onRiskyRegex === 'refuse') throw e;
      opts.onRiskyRegex(e.message);
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
