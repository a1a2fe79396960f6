// `f2b-scan check-config`: load the whole configuration and every rule an enabled jail
// uses, compile every regex, and list each problem as `file:line: message`.
// Missing log files are warnings (logs appear later, e.g. after a service's first start);
// a log path that exists but cannot be read is a problem.

import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { loadConfig, placeOfKey, type LoadedConfig } from '../config/index.ts';
import { expandLogpaths } from '../sources/glob.ts';
import { createDateReader } from '../time/index.ts';
import type { Place } from '../types.ts';
import { ConfigError, RuleError } from '../util/errors.ts';
import { loadFilter } from '../rules/index.ts';
import { judgeWholeRegexes, type RegexToJudge } from '../rules/redos-full.ts';

export interface CheckResult {
  problems: string[];
  warnings: string[];
  /** One line for the all-good case. */
  summary: string;
}

function at(p: Place): string {
  let s = p.file;
  if (p.line !== undefined) s += `:${p.line}`;
  return s;
}

function describe(e: unknown): string {
  if (e instanceof RuleError || e instanceof ConfigError) {
    // Their message already starts with the formatted place; rebuild as file:line: message.
    const msg = e.message;
    const cut = msg.indexOf(': ');
    const rest = cut >= 0 ? msg.slice(cut + 2) : msg;
    const sk = [e.place.section ? `[${e.place.section}]` : '', e.place.key ?? ''].filter(Boolean).join(' ');
    return `${at(e.place)}: ${sk ? sk + ': ' : ''}${rest}`;
  }
  return `internal error: ${(e as Error)?.message ?? String(e)}`;
}

export async function runCheckConfig(opts: { configDir: string; builtinDir: string; now: number }): Promise<CheckResult> {
  const problems: string[] = [];
  const warnings: string[] = [];
  let config: LoadedConfig;
  try {
    config = loadConfig({ configDir: opts.configDir, builtinDir: opts.builtinDir });
  } catch (e) {
    return { problems: [describe(e)], warnings, summary: '' };
  }
  warnings.push(...config.warnings);
  const enabled = config.jails.filter((j) => j.enabled);
  const rules = new Set<string>();
  let regexes = 0;
  const ownRegexes: RegexToJudge[] = [];
  for (const jail of enabled) {
    const where = placeOfKey(config.store, jail.name, 'filter');
    if (!jail.filter.name) continue; // loadConfig already warned: no filter, no failures
    try {
      const filter = loadFilter(jail.filter, { searchDirs: config.filterDirs, jailDatepattern: jail.datepattern, jailMaxlines: jail.maxlines });
      rules.add(filter.file);
      // The user's own filters get recheck's whole-regex verdict (the shipped ones were measured).
      if (!filter.file.startsWith(opts.builtinDir)) for (const r of [filter.prefregex, ...filter.failregex, ...filter.ignoreregex]) if (r) ownRegexes.push({ re: r.re, place: r.place, rule: filter.name });
      regexes += filter.failregex.length + filter.ignoreregex.length + (filter.prefregex ? 1 : 0);
      for (const r of [...(filter.prefregex ? [filter.prefregex] : []), ...filter.failregex, ...filter.ignoreregex]) {
        if (!r.exact) warnings.push(`${at(r.place)}: this regex uses a form JavaScript cannot say exactly as Python (a conditional decided inside a capture group after a choice, or a backref inside (?i:...)); some lines may match differently than under fail2ban`);
      }
      for (const k of filter.unknownOptions) {
        problems.push(`${at(where)}: [${jail.name}] filter: unknown option '${k}' for rule ${filter.name} (${filter.file})`);
      }
      try {
        createDateReader({ datepattern: filter.datepattern, timezone: jail.logtimezone, now: opts.now, place: { file: filter.file } });
      } catch (e) {
        problems.push(describe(e));
      }
    } catch (e) {
      if (e instanceof RuleError && e.message.includes('unknown filter')) {
        problems.push(`${at(where)}: [${jail.name}] filter: unknown filter '${jail.filter.name}' (looked in ${config.filterDirs.join(', ')})`);
      } else problems.push(describe(e));
    }
    if (jail.backend.startsWith('systemd')) continue;
    const { files, warnings: w } = await expandLogpaths(jail.logpath);
    const lp = placeOfKey(config.store, jail.name, 'logpath');
    for (const msg of w) {
      if (/matches no file|dangling symlink/.test(msg)) warnings.push(`${at(lp)}: [${jail.name}] ${msg}`);
      else problems.push(`${at(lp)}: [${jail.name}] ${msg}`);
    }
    for (const f of files) {
      try {
        await access(f, constants.R_OK);
      } catch (e) {
        problems.push(`${at(lp)}: [${jail.name}] logpath ${f}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    }
  }
  const slow = await judgeWholeRegexes(ownRegexes);
  problems.push(...slow.problems);
  warnings.push(...slow.warnings);
  const names = enabled.map((j) => j.name);
  const summary = `configuration OK: ${names.length} enabled jail${names.length === 1 ? '' : 's'}${names.length ? ` (${names.join(', ')})` : ''}, ${rules.size} rule${rules.size === 1 ? '' : 's'}, ${regexes} regexes compiled`;
  return { problems, warnings, summary };
}
