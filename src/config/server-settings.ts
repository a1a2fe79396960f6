// Settings fail2ban keeps for the whole server rather than per jail (fail2ban.conf's [Definition]),
// that f2b-scan honours: `dbpurgeage`, how long an address's ban count is remembered after its
// last ban (bantime.increment). Read from our main file (f2b-scan.local, f2b-scan.conf) and,
// where the configuration is fail2ban's own, from its fail2ban.local / fail2ban.conf, so an
// existing installation keeps its value. `f2b-scan get <jail> dbpurgeage` shows it and its place.

import { join } from 'node:path';
import type { Place } from '../types.ts';
import { parseDuration } from './duration.ts';
import { IniStore } from './store.ts';

const SECTION = 'Definition';
/** fail2ban's own default (fail2ban.conf: dbpurgeage = 1d). */
export const DEFAULT_DBPURGEAGE = '1d';

export interface ServerSetting {
  /** As written (or the default). */
  value: string;
  /** Seconds (negative: forever). */
  seconds: number;
  /** Where it was written; null: fail2ban's default. */
  place: Place | null;
}

/** The server-wide keys `get` answers for any jail. */
export const SERVER_KEYS = ['dbpurgeage'] as const;

/** dbpurgeage from the main file, else fail2ban.local/.conf in `configDir`, else 1d. Throws ConfigError for a bad value. */
export function readDbPurgeAge(main: IniStore, configDir: string): ServerSetting {
  const fail2ban = new IniStore();
  fail2ban.addFile(join(configDir, 'fail2ban.conf'), true);
  fail2ban.addFile(join(configDir, 'fail2ban.local'), true);
  for (const store of [main, fail2ban]) {
    const e = store.entry(SECTION, 'dbpurgeage');
    const value = store.get(SECTION, 'dbpurgeage')?.trim();
    if (!e || value === undefined || value === '') continue;
    const place: Place = { file: e.file, ...(e.line ? { line: e.line } : {}), section: SECTION, key: 'dbpurgeage' };
    return { value, seconds: parseDuration(value, place), place };
  }
  return { value: DEFAULT_DBPURGEAGE, seconds: 86_400, place: null };
}
