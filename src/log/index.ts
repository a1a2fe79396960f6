// f2b-scan's own log: what each run and operator command did, in fail2ban's line format,
// so the recidive jail (and anything written for fail2ban's log) reads it.
//   readLogSettings(main)                  -> where and from which level
//   new FoundLog(target, now)             -> a run's Found lines, appended as the scan finds them
//   runRecords({ decisions, outcomes, now }) -> the records of its outcome
//   writeOwnLog(main, records)            -> problems (one line each), and whether the machine refused

import type { IniStore } from '../config/store.ts';
import { LEVELS, parseLevel, type LogRecord } from './format.ts';
import { parseTarget, writeRecords, type LogProblem, type LogTarget } from './target.ts';

export { formatLine, formatBody, localTime, asctime, parseLevel, LEVELS, type LogRecord, type LevelName } from './format.ts';
export { parseTarget, DEFAULT_LOGTARGET, type LogTarget } from './target.ts';
export { runRecords, banRecord, unbanRecord } from './records.ts';
export { FoundLog } from './found-log.ts';

export interface LogSettings {
  target: LogTarget;
  /** Records below this level are not written (fail2ban's default: INFO). */
  level: number;
  warnings: string[];
}

const SECTION = 'Definition';

export function readLogSettings(main: IniStore): LogSettings {
  const warnings: string[] = [];
  const target = parseTarget(main.get(SECTION, 'logtarget'), main.get(SECTION, 'syslogsocket'));
  let level: number = LEVELS.INFO;
  const raw = main.get(SECTION, 'loglevel');
  if (raw !== undefined && raw.trim() !== '') {
    const n = parseLevel(raw);
    if (n === null) {
      const e = main.entry(SECTION, 'loglevel');
      warnings.push(`${e?.file ?? 'f2b-scan.conf'}${e?.line ? `:${e.line}` : ''} [${SECTION}] loglevel: unknown level ${JSON.stringify(raw.trim())}, using INFO`);
    } else level = n;
  }
  return { target, level, warnings };
}

export interface OwnLogResult {
  /** One line per problem. */
  warnings: string[];
  /** The log could not be written for the machine's reasons (not root, read-only, full disk): exit 7. */
  environment: boolean;
}

/**
 * Append the records at or above the configured level; returns problems as warnings. `earlier`:
 * a problem this run already met writing to the log (its Found lines), told once.
 */
export async function writeOwnLog(main: IniStore, records: LogRecord[], earlier: LogProblem | null = null): Promise<OwnLogResult> {
  const s = readLogSettings(main);
  const kept = records.filter((r) => LEVELS[r.level] >= s.level);
  // The Ban lines are still tried: recidive counts them, and the disk may have room again.
  const problems = [earlier, await writeRecords(s.target, kept)].filter((p): p is LogProblem => p !== null);
  const messages = [...new Set(problems.map((p) => p.message))];
  return { warnings: [...s.warnings, ...messages], environment: problems.some((p) => p.environment) };
}
