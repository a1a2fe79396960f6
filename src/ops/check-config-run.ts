// `f2b-scan check-config`: load the whole configuration and every rule an enabled jail
// uses, compile every regex, and list each problem as `file:line: message`.
// Missing log files are warnings (logs appear later, e.g. after a service's first start);
// a log path that exists but cannot be read is a problem. Findings in files the user did not
// write (our shipped rules, Debian's fail2ban files as shipped) are notes: nothing to fix.
// Every verdict is a pure function of the files: no time budget, the same on every machine.

import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { loadConfig, placeOfKey, type LoadedConfig } from '../config/index.ts';
import { checkPolicy } from '../policy/check.ts';
import { journalInstead } from '../scan/journal-collect.ts';
import { expandLogpaths } from '../sources/glob.ts';
import { createDateReader } from '../time/index.ts';
import type { Place } from '../types.ts';
import { ConfigError, RuleError } from '../util/errors.ts';
import { loadFilter } from '../rules/index.ts';
import { polynomialDegree } from '../rules/redos.ts';
import { stockFiles } from '../config/stock-files.ts';

export interface CheckResult {
  problems: string[];
  warnings: string[];
  /** Findings in files the user did not write, and which engine runs a risky regex. */
  notes: string[];
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

export async function runCheckConfig(opts: { configDir: string; builtinDir: string; now: number; dpkgStatus?: string }): Promise<CheckResult> {
  const problems: string[] = [];
  const warnings: string[] = [];
  const notes: string[] = [];
  let config: LoadedConfig;
  try {
    config = loadConfig({ configDir: opts.configDir, builtinDir: opts.builtinDir });
  } catch (e) {
    return { problems: [describe(e)], warnings, notes, summary: '' };
  }
  warnings.push(...config.warnings);
  problems.push(...config.jailErrors);
  // A bantime formula or ignorecommand the run would refuse (the jail, or the whole run when it comes from [DEFAULT]).
  try {
    const policy = checkPolicy(config.jails.filter((j) => j.enabled), (j, key) => placeOfKey(config.store, j.name, key));
    problems.push(...policy.jailErrors);
    warnings.push(...policy.warnings);
  } catch (e) {
    problems.push(describe(e));
  }
  const isStock = stockFiles({ builtinDir: config.builtinDir, configDir: config.configDir, statusFile: opts.dpkgStatus });
  /** A finding: a note in a file the user did not write, else `otherwise`. */
  const finding = (file: string, msg: string, otherwise: string[]) => (isStock(file) ? notes : otherwise).push(msg);
  const enabled = config.jails.filter((j) => j.enabled);
  const rules = new Set<string>();
  const judged = new Set<string>();
  let regexes = 0;
  for (const jail of enabled) {
    const where = placeOfKey(config.store, jail.name, 'filter');
    if (!jail.filter.name) continue; // loadConfig already warned: no filter, no failures
    try {
      const filter = loadFilter(jail.filter, { searchDirs: config.filterDirs, jailDatepattern: jail.datepattern, jailMaxlines: jail.maxlines });
      rules.add(filter.file);
      regexes += filter.failregex.length + filter.ignoreregex.length + (filter.prefregex ? 1 : 0);
      for (const r of [...(filter.prefregex ? [filter.prefregex] : []), ...filter.failregex, ...filter.ignoreregex]) {
        // One finding per regex, however many jails use it.
        const id = `${at(r.place)} ${r.re.source}`;
        if (judged.has(id)) continue;
        judged.add(id);
        const file = r.place.file;
        if (r.engineNote) notes.push(`${at(r.place)}: rule ${filter.name}: ${r.engineNote}`);
        if (!r.exact) finding(file, `${at(r.place)}: this regex uses a form JavaScript cannot say exactly as Python (a conditional decided inside a capture group after a choice, or a backref inside (?i:...)); some lines may match differently than under fail2ban`, warnings);
        const degree = r.engine === 'backtracking' ? polynomialDegree(r.re.source, r.re.flags) : 0;
        if (degree >= 3) {
          const msg = `${at(r.place)}: rule ${filter.name}: this regex can backtrack polynomially (degree ${degree}) on hostile log text: ${degree} unbounded quantifiers in a row can share out the same text`;
          if (isStock(file)) notes.push(`${msg}; lines are cut at 64 KiB, which bounds it`);
          else problems.push(`${msg}; one long line can stall a run: rewrite it (anchor it, use [^ ]+ instead of .*)`);
        }
      }
      // Options fail2ban passes to every filter (DEFAULT's `filter = %(__name__)s[mode=%(mode)s]`)
      // are no finding: a filter ignores those it does not use, as in fail2ban.
      if (where.section === jail.name) {
        for (const k of filter.unknownOptions) {
          finding(where.file, `${at(where)}: [${jail.name}] filter: option '${k}' is not used by rule ${filter.name} (${filter.file}); fail2ban ignores it too`, warnings);
        }
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
    if (files.length === 0 && journalInstead(jail, w, config.filterDirs, isStock)) {
      notes.push(`${at(lp)}: [${jail.name}] logpath ${jail.logpath.join(' ')} matches no file: backend = auto reads the systemd journal instead`);
      continue;
    }
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
  const names = enabled.map((j) => j.name);
  const summary = `configuration OK: ${names.length} enabled jail${names.length === 1 ? '' : 's'}${names.length ? ` (${names.join(', ')})` : ''}, ${rules.size} rule${rules.size === 1 ? '' : 's'}, ${regexes} regexes compiled`;
  return { problems, warnings, notes, summary };
}
