// check-config's deeper look: recheck on each whole regex of the user's own filters (the
// shipped ones were measured: see test/hardening/measure-redos.mts). It finds what the run's
// quick loop screen (redos.ts) cannot: polynomial backtracking from quantifiers side by side
// (`.*\s.*\s.*x` is cubic: 2.4 s on a 4 KB line). Too slow for every run (1-2 s per regex),
// fine for a command run by hand after editing a filter.

import type { Place } from '../types.ts';
import { loadRecheck, type Recheck } from './recheck-load.ts';

export interface RegexToJudge {
  re: RegExp;
  place: Place;
  rule: string;
}

export interface FullVerdicts {
  /** Exponential, or polynomial of degree 3 or more: one hostile line can stall a run. */
  problems: string[];
  /** Quadratic: bounded by the 64 KiB line cap, worth knowing. */
  warnings: string[];
}

function at(p: Place): string {
  return p.line !== undefined ? `${p.file}:${p.line}` : p.file;
}

export async function judgeWholeRegexes(regexes: RegexToJudge[], timeoutMs = 10_000): Promise<FullVerdicts> {
  const out: FullVerdicts = { problems: [], warnings: [] };
  if (regexes.length === 0) return out;
  let check: Recheck['check'];
  try {
    ({ check } = loadRecheck());
  } catch {
    out.warnings.push('recheck could not be loaded: regexes of your own filters were not checked for slow backtracking (reinstall f2b-scan)');
    return out;
  }
  for (const r of regexes) {
    let d;
    try {
      d = await check(r.re.source, r.re.flags.replace(/[dgy]/g, ''), { timeout: timeoutMs });
    } catch {
      continue;
    }
    if (d.status !== 'vulnerable' || !d.complexity) continue;
    const degree = d.complexity.type === 'exponential' ? Infinity : (d.complexity.degree ?? 2);
    const how = degree === Infinity ? 'exponentially' : `polynomially (degree ${degree})`;
    const msg = `${at(r.place)}: rule ${r.rule}: this regex can backtrack ${how} on hostile log text (recheck)`;
    if (degree >= 3) out.problems.push(`${msg}; one long line can stall a run: rewrite it (anchor it, use [^ ]+ instead of .*)`);
    else out.warnings.push(`${msg}; lines are cut at 64 KiB, which bounds it`);
  }
  return out;
}
