// How long a ban lasts, as fail2ban 1.0 computes it with bantime.increment:
//  - the first ban (no earlier one remembered) lasts `bantime`, untouched;
//  - later ones: with bantime.multipliers, bantime * factor * multipliers[count] (the last
//    multiplier repeats once count runs past the list); otherwise max(bantime, formula), the
//    default formula doubling per earlier ban (capped at 2^20);
//  - then capped at bantime.maxtime, then bantime.rndtime adds random() * rndtime seconds.
// A negative bantime is forever and never grows.

import type { Jail, Epoch } from '../types.ts';
import { ConfigError } from '../util/errors.ts';
import { MAX_BAN_SECONDS } from '../config/duration.ts';
import { compileFormula, formulaPlace, type Formula } from './formula.ts';

export const DEFAULT_FORMULA = 'ban.Time * (1<<(ban.Count if ban.Count<20 else 20)) * banFactor';

const compiled = new Map<string, Formula>();

/** The jail's formula, parsed once per text. Throws ConfigError for one we refuse. */
export function jailFormula(jail: Jail): Formula {
  const text = jail.increment.formula?.trim() || DEFAULT_FORMULA;
  let f = compiled.get(text);
  if (!f) {
    f = compileFormula(text, formulaPlace(jail.source, jail.name));
    compiled.set(text, f);
  }
  return f;
}

/** Check every enabled jail's bantime.* settings up front, so a bad formula fails the config check, not a ban. */
export function checkBantimePolicy(jails: Jail[]): void {
  for (const j of jails) {
    if (!j.increment.enabled) continue;
    const inc = j.increment;
    const place = (key: string) => ({ file: j.source.file, section: j.name, key });
    if (!Number.isFinite(inc.factor) || inc.factor <= 0) throw new ConfigError(place('bantime.factor'), `must be a number above 0: ${inc.factor}`);
    if (inc.multipliers?.some((m) => !Number.isFinite(m) || m < 0)) {
      throw new ConfigError(place('bantime.multipliers'), `must be numbers of 0 or more: ${inc.multipliers.join(' ')}`);
    }
    if (!inc.multipliers?.length) jailFormula(j);
  }
}

/** How many bans of this address count for the jail's increment: this jail's, or all jails' with overalljails. */
export function priorBans(jail: Jail, history: { count: number; jails: Record<string, number> } | undefined): number {
  if (!history) return 0;
  if (jail.increment.overalljails) return history.count;
  return Object.hasOwn(history.jails, jail.name) ? history.jails[jail.name]! : 0;
}

export interface BanTime {
  /** seconds, or null for forever */
  seconds: number | null;
  warning?: string;
}

/**
 * The length of a ban for an address banned `prior` times before.
 * `random` is Math.random in a run, injectable for tests.
 */
export function banDuration(jail: Jail, prior: number, random: () => number = Math.random): BanTime {
  const base = jail.bantime;
  if (base < 0) return { seconds: null };
  const inc = jail.increment;
  if (!inc.enabled || base === 0 || prior <= 0) return { seconds: base };
  let t: number;
  if (inc.multipliers?.length) {
    const m = inc.multipliers;
    t = base * inc.factor * m[Math.min(prior, m.length - 1)]!;
  } else {
    try {
      t = Math.max(base, jailFormula(jail).evaluate({ banTime: base, banCount: prior, banFactor: inc.factor }));
    } catch (e) {
      // fail2ban logs the error and keeps the plain bantime; so do we, with a warning.
      if (e instanceof ConfigError) return { seconds: base, warning: e.message };
      throw e;
    }
  }
  if (inc.maxtime !== undefined && inc.maxtime > 0) t = Math.min(t, inc.maxtime);
  if (!Number.isFinite(t)) {
    return { seconds: base, warning: `[${jail.name}] bantime.formula gave ${t}; set bantime.maxtime to cap it. Using bantime ${base}` };
  }
  if (inc.rndtime !== undefined && inc.rndtime > 0) t += random() * inc.rndtime;
  return { seconds: t };
}

/**
 * When a ban starting at `start` ends. fail2ban's arithmetic above can reach far beyond any
 * sense (bantime × 2^20, or an exp() formula: 1e38 seconds); the end is kept within 100 years,
 * a time every Date and firewall can hold (an end past year 275760 once crashed every run).
 */
export function banUntil(start: Epoch, seconds: number | null): Epoch | null {
  return seconds === null ? null : start + Math.min(seconds, MAX_BAN_SECONDS);
}
