// Turns a read filter into compiled JS regexes plus the prefilter: a cheap test a line
// must pass before any regex runs (every failregex needs one of a few literal words).

import type { Place } from '../types.ts';
import { RuleError } from '../util/errors.ts';
import type { RawFilter, RawRegex } from './filter-load.ts';
import { translatePyRegex } from './pyregex.ts';
import type { EngineKind } from './engine-choice.ts';
import { expandRegexTags, ID_GROUPS } from './tags.ts';
import { anyWordRegex } from './any-word.ts';

export interface CompiledRegex {
  /** The regex as the filter gives it after <key> substitution (fail2ban tags kept). */
  text: string;
  place: Place;
  re: RegExp;
  /** fail2ban group name -> JS group names standing for it. */
  groups: Map<string, string[]>;
  needles: string[];
  /** Words every match contains, all of them: a line missing one is not given to the regex. */
  words: string[];
  /** The characters a match can start with (null: unknown): a text starting otherwise cannot match. */
  first?: string | null;
  /** False when the translation may try alternatives in another order than Python (see JsRegex.exact). */
  exact: boolean;
  /** Which engine runs it (engine-choice.ts); set when the filter loads. */
  engine: EngineKind;
  /** For the linear engine: the regex in RE2's syntax (plain data: filters go to worker threads). */
  linear?: { source: string; lookbehind: boolean };
  /** Why it does not run on the backtracking engine as translated (check-config shows it). */
  engineNote?: string;
}

export interface Filter {
  name: string;
  /** The main filter file. */
  file: string;
  /** Every file read, in order (includes, .local). */
  files: string[];
  prefregex?: CompiledRegex;
  failregex: CompiledRegex[];
  ignoreregex: CompiledRegex[];
  maxlines: number;
  datepattern?: string;
  journalmatch?: string;
  options: Record<string, string>;
  unknownOptions: string[];
  /** A line this does not match cannot match any failregex (null: no such shortcut). */
  prefilter: RegExp | null;
  /** The words the prefilter looks for (it matches a line holding any of them). */
  prefilterWords?: string[];
  /** Some regex captures <F-MLFID>: failures are merged per multi-line id. */
  mlfid: boolean;
}

export function compileRegex(raw: RawRegex, multiline: boolean): CompiledRegex {
  const py = expandRegexTags(raw.text);
  const js = translatePyRegex(py, { multiline, place: raw.place, display: raw.text });
  // Multi-line matches need group positions (which lines <SKIPLINES> stepped over).
  const re = multiline ? new RegExp(js.regex.source, js.regex.flags + 'd') : js.regex;
  return { text: raw.text, place: raw.place, re, groups: js.groups, needles: js.needles, words: js.words, first: js.first, exact: js.exact, engine: 'backtracking' };
}

export interface CompileOptions {
  jailDatepattern?: string;
  jailMaxlines?: number;
}

export function compileFilter(raw: RawFilter, opts: CompileOptions = {}): Filter {
  let maxlines = 1;
  const ml = opts.jailMaxlines ?? raw.maxlines;
  if (ml !== undefined) {
    const n = Number(ml);
    if (!Number.isInteger(n) || n < 1) throw new RuleError({ file: raw.file }, `maxlines must be a whole number >= 1, got ${JSON.stringify(String(ml))}`);
    maxlines = n;
  }
  const multiline = maxlines > 1;
  const prefregex = raw.prefregex ? compileRegex(raw.prefregex, multiline) : undefined;
  if (prefregex && !prefregex.groups.has('content')) throw new RuleError(prefregex.place, 'prefregex needs <F-CONTENT>...</F-CONTENT> (the part the failregexes look at)');
  const failregex = raw.failregex.map((r) => compileRegex(r, multiline));
  const ignoreregex = raw.ignoreregex.map((r) => compileRegex(r, multiline));
  if (!failregex.length) throw new RuleError({ file: raw.file }, 'no failregex');

  const has = (r: CompiledRegex | undefined, names: readonly string[]) => !!r && names.some((n) => r.groups.has(n));
  const mlfid = has(prefregex, ['mlfid']) || failregex.some((r) => has(r, ['mlfid']));
  for (const r of failregex) {
    if (!has(r, ID_GROUPS) && !has(prefregex, ID_GROUPS) && !mlfid) {
      throw new RuleError(r.place, `failregex has no <HOST> (or <ADDR>, <IP4>, <IP6>, <DNS>, <F-ID>): ${r.text}`);
    }
  }

  let prefilter: RegExp | null = null;
  let prefilterWords: string[] | undefined;
  if (!multiline && failregex.every((r) => r.needles.length)) {
    prefilterWords = [...new Set(failregex.flatMap((r) => r.needles))];
    prefilter = anyWordRegex(prefilterWords);
  }
  return {
    name: raw.name,
    file: raw.file,
    files: raw.files,
    prefregex,
    failregex,
    ignoreregex,
    maxlines,
    datepattern: opts.jailDatepattern ?? raw.datepattern,
    journalmatch: raw.journalmatch,
    options: raw.options,
    unknownOptions: raw.unknownOptions,
    prefilter,
    ...(prefilterWords ? { prefilterWords } : {}),
    mlfid,
  };
}
