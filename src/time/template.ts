// A date template: one way a date can appear in a line, compiled to the regexes the detector
// runs. Built from a pattern in datepattern syntax (strptime directives inside a Python-style
// regex) or from one of the special kinds (EPOCH, LEPOCH, TAI64N, a JSON/logfmt epoch field).

import type { FastParser } from './fastparse.ts';
import { firstPlainGroup, translatePythonRegex } from './pyregex.ts';
import { expandDirectives } from './strptime.ts';

/** How the date text becomes an instant. */
export type Kind = 'fields' | 'epoch' | 'lepoch' | 'tai64n' | 'fieldEpoch';

/**
 * Where a template may start: `lnbeg` at the line start after at most two non-word characters
 * (fail2ban's `{^LN-BEG}`), `word` anywhere at a word boundary, `caret` only at column 0, `free`
 * wherever its own regex says.
 */
export type Anchor = 'lnbeg' | 'word' | 'caret' | 'free';

export interface Template {
  readonly name: string;
  readonly kind: Kind;
  readonly anchor: Anchor;
  /** Flag `g` (and `d`, group indices, for `free` templates): exec from 0 gives this template's
   *  leftmost match. */
  readonly search: RegExp;
  /** The capture group that holds the date text. */
  readonly group: number;
  /** Whether that group closes the match (only a zero-width boundary follows): its start is then
   *  known without group indices (regex flag `d`, which makes a search twice as slow). */
  readonly groupAtEnd: boolean;
  /** Flag `y`: the date text alone (+ end boundary), to re-read at a learned position; null
   *  when the template's own regex decides where it may start. */
  readonly sticky: RegExp | null;
  /** `word` templates: the same regex without flags, for `line.search` (finds the column
   *  without building a match). */
  readonly finder: RegExp | null;
  readonly fast: FastParser | null;
  /** Whether every match needs a digit (lets the detector skip lines without one). */
  readonly needsDigit: boolean;
  /** Whether every match holds a `digit:digit` time (lets the detector skip lines without one). */
  readonly needsTime: boolean;
}

const END = '(?=\\b|\\W|$)';
const START_WORD = '(?=^|\\b|\\W)';
const LNBEG = '^(?:\\W{0,2})?';

/** Core regexes of the special kinds (the date text only). */
export const EPOCH_CORE = '\\d{10,11}\\b(?:\\.\\d{3,6})?';
export const LEPOCH_CORE = '\\d{10,11}(?:\\d{3}(?:\\.\\d{1,6}|\\d{3})?)?';
export const TAI64N_CORE = '@[0-9a-f]{24}';

/** Thrown with a short reason; the caller adds the place. */
export class PatternError extends Error {}

function regex(source: string, flags: string): RegExp {
  try {
    return new RegExp(source, flags);
  } catch (e) {
    throw new PatternError(`not a valid regex: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`);
  }
}

/** Turn datepattern text (directives + Python regex) into a JS regex source and flags. */
export function coreSource(pattern: string): { source: string; flags: string } {
  let py;
  try {
    py = translatePythonRegex(pattern);
  } catch (e) {
    throw new PatternError((e as Error).message);
  }
  const dir = expandDirectives(py.source);
  let flags = py.flags;
  if (dir.ignoreCase && !flags.includes('i')) flags += 'i';
  return { source: dir.source, flags };
}

/**
 * A template whose core is the whole date text, at a fixed kind of position. fail2ban's word
 * start `(?=^|\b|\W)` makes a regex ten times slower to search (it is tried at every column), so
 * `word` templates search without it and the detector checks the start in code (startAllowed);
 * `wordStart` cores, which always begin with a letter or digit, use the equivalent, fast `\b`.
 */
export function anchoredTemplate(
  name: string, core: string, anchor: Exclude<Anchor, 'free'>, kind: Kind = 'fields', fast: FastParser | null = null,
  wordStart = false,
): Template {
  const { source, flags } = kind === 'fields' ? coreSource(core) : { source: core, flags: '' };
  const before = anchor === 'lnbeg' ? LNBEG : anchor === 'word' ? (wordStart ? '\\b' : '') : '^';
  return {
    name, kind, anchor, fast,
    search: regex(`${before}(${source})${END}`, 'g' + flags),
    group: 1,
    groupAtEnd: true,
    sticky: regex(`(?:${source})${END}`, 'y' + flags),
    finder: anchor === 'word' ? regex(`${before}(?:${source})${END}`, flags) : null,
    needsDigit: true,
    needsTime: /%(?:Ex)?[HkIl]:%(?:Ex)?M/.test(core),
  };
}

/** A template from a full regex source (JS dialect) whose group `group` is the date text. */
export function freeTemplate(
  name: string, source: string, flags: string, kind: Kind, group: number, needsDigit: boolean, groupAtEnd: boolean,
): Template {
  return {
    name, kind, anchor: 'free', fast: null, search: regex(source, (groupAtEnd ? 'g' : 'gd') + flags), group, groupAtEnd,
    sticky: null, finder: null, needsDigit, needsTime: false,
  };
}

/**
 * A custom datepattern line (after `{DATE}` was replaced), as fail2ban reads it: word boundaries
 * are added around it unless it starts with `^`/`**` or ends with `$`/`\b`/`\s`/`**`, or carries
 * `{UNB}`; `{^LN-BEG}` anchors it at the line start. A plain group marks the date text, else the
 * whole match is the date.
 */
export function customTemplate(line: string, kind: Kind = 'fields'): Template {
  let p = line;
  let unbounded = false;
  let lnbeg = false;
  for (;;) {
    if (p.startsWith('{UNB}')) { unbounded = true; p = p.slice(5); continue; }
    if (p.startsWith('{^LN-BEG}')) { lnbeg = true; p = p.slice(9); continue; }
    break;
  }
  let noStart = unbounded || lnbeg || /^\(*(?:\(\?[a-zA-Z]+\))?(?:\^|\(\?:\^)/.test(p);
  let noEnd = unbounded || /(?<!\\)(?:\$\)*|\\b|\\s)$/.test(p);
  if (/^\(*\*\*/.test(p)) { noStart = true; p = p.replace(/^(\(*)\*\*/, '$1'); }
  if (/(?<!\\)\*\*\)*$/.test(p)) { noEnd = true; p = p.replace(/(?<!\\)\*\*(\)*)$/, '$1'); }
  const { source, flags } = coreSource(p);
  let group = firstPlainGroup(source);
  let body = source;
  if (group === 0) {
    body = `(${source})`;
    group = 1;
  }
  const before = lnbeg ? LNBEG : noStart ? '' : START_WORD;
  const after = noEnd ? '' : END;
  return freeTemplate(line, before + body + after, flags, kind, group, false, false);
}
