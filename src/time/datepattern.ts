// A `datepattern` value (filter or jail) → the templates a reader searches. One pattern per line;
// the special values and prefixes are fail2ban's: {DEFAULT}, {^LN-BEG}, {NONE}, {DATE}, {UNB},
// EPOCH, LEPOCH, TAI64N, ISO8601.

import type { Place } from '../types.ts';
import { RuleError } from '../util/errors.ts';
import { dateSubstitutions, defaultTemplates, epochTemplate, lineStartTemplates } from './defaults.ts';
import { parseIso } from './fastparse.ts';
import { DirectiveError } from './strptime.ts';
import { anchoredTemplate, customTemplate, PatternError, TAI64N_CORE, type Template } from './template.ts';

export interface CompiledDatePattern {
  templates: Template[];
  /** `{NONE}`: lines carry no date; each gets "now". */
  none: boolean;
  /** False for the default set, whose templates never read one date two ways. */
  tiesMatter: boolean;
}

const ISO_CORE = '%ExY(?P<_sep>[-/.])%m(?P=_sep)%d(?:T|  ?)%H:%M:%S(?:[.,]%f\\d{0,3})?(?:\\s*%z)?';

function special(line: string): Template[] | null {
  const m = /^(\{\^LN-BEG\})?(EPOCH|LEPOCH|TAI64N|ISO8601)$/i.exec(line);
  if (!m) return null;
  const lnbeg = m[1] !== undefined;
  switch (m[2]!.toUpperCase()) {
    case 'EPOCH': return [epochTemplate('epoch', lnbeg ? 'line' : 'plain')];
    case 'LEPOCH': return [epochTemplate('lepoch', lnbeg ? 'line' : 'plain')];
    case 'TAI64N': return [anchoredTemplate('TAI64N', TAI64N_CORE, lnbeg ? 'lnbeg' : 'word', 'tai64n')];
    default: return [anchoredTemplate('ISO8601', ISO_CORE, lnbeg ? 'lnbeg' : 'word', 'fields', parseIso)];
  }
}

function compileLine(line: string): Template[] {
  if (line === '{DEFAULT}') return defaultTemplates();
  if (line === '{^LN-BEG}') return lineStartTemplates();
  const sp = special(line);
  if (sp) return sp;
  if (line.includes('{DATE}')) return dateSubstitutions(line);
  return [customTemplate(line)];
}

/**
 * Compiled sets by pattern text: a run opens a reader per log file, mostly with a handful of
 * patterns. Sharing is safe: a template's regexes are only used inside one synchronous read.
 */
const compiled = new Map<string, CompiledDatePattern>();

/** Throws RuleError (naming `place` and the offending pattern or directive) for a bad pattern. */
export function compileDatePattern(datepattern: string | undefined, place?: Place): CompiledDatePattern {
  const key = datepattern ?? '';
  let c = compiled.get(key);
  if (c === undefined) {
    c = compileUncached(key, place);
    if (compiled.size >= 256) compiled.clear();
    compiled.set(key, c);
  }
  return c;
}

function compileUncached(datepattern: string, place?: Place): CompiledDatePattern {
  const lines = datepattern.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  if (lines.length === 0 || (lines.length === 1 && (lines[0] === '{DEFAULT}' || lines[0] === '{^LN-BEG}'))) {
    return { templates: compileLine(lines[0] ?? '{DEFAULT}'), none: false, tiesMatter: false };
  }
  if (lines.some((l) => l === '{NONE}')) return { templates: [], none: true, tiesMatter: false };
  const templates: Template[] = [];
  for (const line of lines) {
    try {
      templates.push(...compileLine(line));
    } catch (e) {
      // any failure to compile is the pattern's fault: report it as such, with its place
      const why = e instanceof PatternError || e instanceof DirectiveError ? e.message : `cannot compile: ${String(e)}`;
      throw new RuleError(place ?? { file: '(datepattern)', key: 'datepattern' }, `datepattern ${JSON.stringify(line)}: ${why}`);
    }
  }
  return { templates, none: false, tiesMatter: true };
}
