// `f2b-scan init` looks at a machine: for each jail, which of its log paths exist
// under the root, and how many failures its rule finds in their most recent lines.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import fg from 'fast-glob';
import type { LoadedConfig } from '../config/index.ts';
import { createMatcher, loadFilter, type Filter } from '../rules/index.ts';
import { expandLogpaths } from '../sources/files.ts';
import type { Jail } from '../types.ts';
import { surveyJournal, type JournalJob, type JournalSurvey } from './survey-journal.ts';

/** How much of each log init reads: its last lines, at most this many bytes. */
export const TAIL_LINES = 2000;
export const TAIL_BYTES = 1 << 20;

export interface SurveyedLog {
  /** The path as the machine sees it (without the root). */
  path: string;
  lines: number;
  failures: number;
}

export interface JailSurvey {
  jail: string;
  /** Enabled after the layers as they are now (jail.conf enables sshd). */
  enabledNow: boolean;
  /** The jail's logpath globs, as configured. */
  logpath: string[];
  logs: SurveyedLog[];
  lines: number;
  failures: number;
  /** Why the rule could not be used (missing or broken filter file). */
  ruleError?: string;
  /** The jail reads the journal already (backend = systemd). */
  journal: boolean;
  /** What its journal entries showed (its files being absent, or it reading the journal). */
  journalSeen?: JournalSurvey;
  /** Why the journal was not read for it (its files being absent). */
  journalUnread?: string;
}

/** The last `maxLines` complete lines of a file, reading at most `maxBytes` from its end. */
export function readTail(path: string, maxLines = TAIL_LINES, maxBytes = TAIL_BYTES): string[] {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const start = Math.max(0, size - maxBytes);
    const buf = Buffer.alloc(size - start);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, start + got);
      if (n === 0) break;
      got += n;
    }
    const lines = buf.subarray(0, got).toString('utf8').split('\n');
    if (start > 0) lines.shift(); // began in the middle of a line
    if (lines.at(-1) === '') lines.pop();
    return lines.slice(-maxLines).map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  } finally {
    closeSync(fd);
  }
}

/** A logpath glob as seen under `root` (fast-glob syntax, so the root is escaped). */
export function underRoot(root: string, glob: string): string {
  if (root === '/' || root === '') return glob;
  return fg.isDynamicPattern(glob) ? fg.escapePath(root.replace(/\/+$/, '')) + glob : join(root, glob);
}

function stripRoot(root: string, path: string): string {
  const r = root.replace(/\/+$/, '');
  return r && path.startsWith(r + '/') ? path.slice(r.length) : path;
}

export async function surveyJails(cfg: LoadedConfig, opts: { root: string; now: number }): Promise<JailSurvey[]> {
  const filters = new Map<string, Filter | Error>();
  const out: JailSurvey[] = [];
  const inJournal: { s: JailSurvey; job: JournalJob }[] = [];
  for (const jail of cfg.jails) {
    const s: JailSurvey = {
      jail: jail.name,
      enabledNow: jail.enabled,
      logpath: jail.logpath,
      logs: [],
      lines: 0,
      failures: 0,
      journal: jail.backend.startsWith('systemd'),
    };
    out.push(s);
    const { files } = s.journal ? { files: [] } : await expandLogpaths(jail.logpath.map((g) => underRoot(opts.root, g)));
    if (files.length === 0) {
      // No log file: the service may log to the journal only (no rsyslog on the host).
      const filter = filterOf({ ...jail, filter: { ...jail.filter, options: { logtype: 'journal', ...jail.filter.options } } }, cfg, filters);
      if (filter instanceof Error) s.journalUnread = `its rule could not be loaded: ${filter.message}`;
      else inJournal.push({ s, job: { jail, filter } });
      continue;
    }
    const filter = filterOf(jail, cfg, filters);
    if (filter instanceof Error) {
      s.ruleError = filter.message;
      s.logs = files.map((f) => ({ path: stripRoot(opts.root, f), lines: 0, failures: 0 }));
      continue;
    }
    for (const file of files) {
      const m = createMatcher(filter, { now: opts.now, timezone: jail.logtimezone, datepattern: jail.datepattern });
      const lines = readTail(file);
      let failures = 0;
      for (const line of lines) failures += m.push(line).length;
      s.logs.push({ path: stripRoot(opts.root, file), lines: lines.length, failures });
      s.lines += lines.length;
      s.failures += failures;
    }
  }
  const seen = await surveyJournal(inJournal.map((x) => x.job), opts);
  for (const { s, job } of inJournal) {
    const r = seen.get(job.jail)!;
    if (typeof r === 'string') s.journalUnread = r;
    // Read by its journalmatch, any entry is its service's; from the whole journal, only failures
    // its rule found say the service is here.
    else if (r.match ? r.entries > 0 : r.failures > 0) {
      s.journalSeen = r;
      s.lines = r.entries;
      s.failures = r.failures;
    }
  }
  return out;
}

/** Each filter (with its options) is compiled once, however many jails use it. */
function filterOf(jail: Jail, cfg: LoadedConfig, cache: Map<string, Filter | Error>): Filter | Error {
  const key = JSON.stringify([jail.filter, jail.datepattern, jail.maxlines]);
  let f = cache.get(key);
  if (!f) {
    try {
      f = loadFilter(jail.filter, { searchDirs: cfg.filterDirs, jailDatepattern: jail.datepattern, jailMaxlines: jail.maxlines });
    } catch (e) {
      f = e instanceof Error ? e : new Error(String(e));
    }
    cache.set(key, f);
  }
  return f;
}

/** The rule of `f2b-scan init`: a jail is enabled when its log (or its journal) is here and its rule found failures in it. */
export function shouldEnable(s: JailSurvey): boolean {
  return (s.logs.length > 0 || s.journalSeen !== undefined) && !s.ruleError && s.failures > 0;
}
