// The default template set: every date form fail2ban 1.0's detector reads, in its order of
// preference, then the structured forms f2b-scan reads beyond it (JSON/logfmt epoch fields,
// systemd short-full, W3C with a tab, RFC 2822). Order only breaks ties between templates that
// match at the same column; otherwise the leftmost date in the line wins.

import { parseApache, parseIso, parseSyslog } from './fastparse.ts';
import {
  anchoredTemplate, customTemplate, EPOCH_CORE, freeTemplate, LEPOCH_CORE, TAI64N_CORE,
  type Kind, type Template,
} from './template.ts';
import type { FastParser } from './fastparse.ts';

interface Def {
  name: string;
  /** datepattern syntax; for special kinds a plain JS regex of the date text */
  core: string;
  kind?: Kind;
  /** `caret`: only at column 0; `lnbeg`: only at the line start, also in the unanchored set */
  only?: 'caret' | 'lnbeg';
  fast?: FastParser;
  /** false: not part of what `{DATE}` stands for */
  inDate?: boolean;
  /** the date always starts with a letter or digit (a faster search) */
  w?: boolean;
}

const SYSLOG_TAIL = '%b %d %k:%M:%S(?:\\.%f)?(?: %ExY)?';

const DEFS: Def[] = [
  { name: 'ISO 8601', w: true, core: '%ExY(?P<_sep>[-/.])%m(?P=_sep)%d(?:T|  ?)%H:%M:%S(?:[.,]%f\\d{0,3})?(?:\\s*%z)?', fast: parseIso },
  // fail2ban has three templates here (plain, after a zone name, after an offset); one template
  // with the optional prefix reads the same and lets a file learned as syslog find the prefix
  { name: 'syslog', core: `(?:(?:%Z|%z) )?(?:%a )?${SYSLOG_TAIL}`, fast: parseSyslog },
  { name: 'syslog with year before time', w: true, core: '(?:%a )?%b %d %ExY %k:%M:%S(?:\\.%f)?' },
  { name: 'day/month/year', core: '%d(?P<_sep>[-/])%m(?P=_sep)(?:%ExY|%Exy) %k:%M:%S' },
  { name: 'Apache/BIND', core: '%d(?P<_sep>[-/])%b(?P=_sep)%ExY[ :]?%H:%M:%S(?:\\.%f)?(?: %z)?', fast: parseApache },
  { name: 'month/day/year:time', w: true, core: '%m/%d/%ExY:%H:%M:%S' },
  { name: 'month-day-year', w: true, core: '%m-%d-%ExY %k:%M:%S(?:\\.%f)?' },
  { name: 'epoch', core: EPOCH_CORE, kind: 'epoch' },
  { name: 'MySQL', w: true, core: '%Exy%Exm%Exd  ?%H:%M:%S' },
  { name: 'Tomcat', w: true, core: '%b %d, %ExY %I:%M:%S %p' },
  { name: 'short ISO', w: true, core: '%ExY%Exm%Exd(?:T|  ?)%ExH%ExM%ExS(?:[.,]%f)?(?:\\s*%z)?' },
  { name: 'TAI64N', core: TAI64N_CORE, kind: 'tai64n' },
  { name: 'time only', core: '%H:%M:%S', only: 'lnbeg' },
  { name: '<month/day/yy@time>', core: '<%m/%d/%Exy@%H:%M:%S>', only: 'caret' },
  { name: 'ASSP', core: '%b-%d-%Exy %k:%M:%S', only: 'caret' },
  // beyond fail2ban
  { name: 'systemd short-full', w: true, core: '%a %ExY-%Exm-%Exd %ExH:%ExM:%ExS %Z', inDate: false },
  { name: 'W3C date<TAB>time', w: true, core: '%ExY-%Exm-%Exd\\t%ExH:%ExM:%ExS(?:\\.%f)?', inDate: false },
  { name: 'RFC 2822', core: '(?:%a, )?%d %b %ExY %H:%M:%S(?: %z)?', inDate: false },
];

/**
 * EPOCH / LEPOCH where fail2ban reads them. `line`: at the line start after at most two non-word
 * characters, and a lone `[` before it needs its `]` (`{^LN-BEG}EPOCH`); `plain`: at column 0,
 * after a `[` at column 0 or after `audit(` (fail2ban 1.0 does not check the closing `]` or `:n)`
 * there); `default`: both, as the default set holds both.
 */
export function epochTemplate(kind: 'epoch' | 'lepoch', where: 'line' | 'plain' | 'default'): Template {
  const core = kind === 'epoch' ? EPOCH_CORE : LEPOCH_CORE;
  const start = where === 'line'
    ? `^(?:\\W{0,2})?(?:(?<!^\\[)|(?=${core}\\]))`
    : where === 'plain'
      ? '(?:^|(?<=^\\[)|(?<=\\baudit\\())'
      : '(?:^(?:\\W{0,2})?|(?<=\\baudit\\())';
  return freeTemplate(kind === 'epoch' ? 'EPOCH' : 'LEPOCH', `${start}(${core})(?=\\b|\\W|$)`, '', kind, 1, true, true);
}

const EPOCH_VALUE = '(\\d{13}(?:\\.\\d{1,6})?|\\d{10,11}(?:\\.\\d{1,9})?)(?=\\b|\\W|$)';

/** `"ts": 1106513999.5`, `"time":"1106513999"`, `"timestamp":1106513999123` (JSON; seconds or ms). */
function jsonEpochTemplate(): Template {
  return freeTemplate('JSON epoch field', `"(?:ts|time|timestamp|@timestamp)"\\s*:\\s*"?${EPOCH_VALUE}`, '', 'fieldEpoch', 1, true, true);
}

/** `ts=1106513999.5`, `time="1106513999"` (logfmt; seconds or ms). */
function logfmtEpochTemplate(): Template {
  return freeTemplate('logfmt epoch field', `\\b(?:ts|time|timestamp)="?${EPOCH_VALUE}`, '', 'fieldEpoch', 1, true, true);
}

function build(def: Def, lineStart: boolean): Template {
  const kind = def.kind ?? 'fields';
  if (kind === 'epoch') return epochTemplate('epoch', lineStart ? 'line' : 'default');
  const anchor = def.only === 'caret' ? 'caret' : def.only === 'lnbeg' || lineStart ? 'lnbeg' : 'word';
  return anchoredTemplate(def.name, def.core, anchor, kind, def.fast ?? null, def.w === true);
}

/** The default set (fail2ban's default detector and more), searched anywhere in the line. */
export function defaultTemplates(): Template[] {
  return [...DEFS.map((d) => build(d, false)), jsonEpochTemplate(), logfmtEpochTemplate()];
}

/** `{^LN-BEG}`: the default set, but only at the start of a line. */
export function lineStartTemplates(): Template[] {
  return DEFS.map((d) => build(d, true));
}

/**
 * `…{DATE}…`: one template per default form, with `{DATE}` standing for that form. The special
 * forms (epoch, TAI64N) only take part as `^{DATE}`, where they are read at the line start; inside
 * a longer pattern fail2ban 1.0 substitutes their bare names, which never match a real date.
 */
export function dateSubstitutions(line: string): Template[] {
  const out: Template[] = [];
  for (const d of DEFS) {
    if (d.inDate === false) continue;
    const kind = d.kind ?? 'fields';
    if (kind !== 'fields') {
      if (line !== '^{DATE}') continue;
      out.push(kind === 'epoch' ? epochTemplate('epoch', 'line') : anchoredTemplate(d.name, d.core, 'lnbeg', kind));
      continue;
    }
    out.push(customTemplate(line.split('{DATE}').join(d.core), kind));
  }
  return out;
}
