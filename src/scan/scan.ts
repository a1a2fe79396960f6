// One run's reading: every jail's new log lines through its rule, each failure handed to a sink.
//
// Each file is read ONCE per run for every jail that watches it: the jails of a file share one
// read from the smallest of their offsets (a jail skips the lines before its own), each line is
// decoded once, its date read once per distinct date setting, and every jail's prefilter and
// regexes run on it. A jail's rule is loaded only when one of its files has new bytes, so an
// idle run compiles nothing. Journal jails (backend = systemd) read the journal the same way.

import { stat } from 'node:fs/promises';
import { expandLogpaths } from '../sources/files.ts';
import { resolveHostForBan } from '../net/resolve.ts';
import { parseKey } from '../net/key.ts';
import type { FileCursor, State } from '../state/schema.ts';
import type { FileReport, Jail } from '../types.ts';
import { formatPlace, RuleError } from '../util/errors.ts';
import { collectJournal, journalInstead, usesJournal } from './journal-collect.ts';
import { decodingOf, type LogDecoding } from '../util/log-encoding.ts';
import { parallelMinBytes, ScanPool } from './collect-parallel.ts';
import { readFileForJails, type FileMember } from './read-file.ts';
import { newTally, type FailureSink, type JailTally } from './sink.ts';

/** A progress display for a large backlog (see report/progress.ts). */
export interface ProgressSink {
  tick(bytes: number, lines: number): void;
  stop(): void;
}

export interface ScanInput {
  jails: Jail[];
  /** Cursors are read from and written to state.files (and state.journals). */
  state: State;
  now: number;
  filterDirs: string[];
  /** The state was recovered from a corrupt file: unknown files start at their end. */
  startAtEnd: boolean;
  /** Asked once with the bytes waiting to be read; may return a progress display. */
  progress?: (backlogBytes: number) => Promise<ProgressSink | null>;
  /**
   * Hand on only failures inside their jail's findtime (time > now - findtime): no counting can
   * use older ones, which are still counted in perJail. Off by default (a report wants them all).
   */
  dropOld?: boolean;
  /**
   * Whether a configuration file was shipped as it is (ours, or Debian's fail2ban conffile
   * untouched): a jail whose logpath such a file sets may read the journal when that path
   * matches nothing (journal-collect.ts). Without it, no jail falls back.
   */
  isStock?: (file: string) => boolean;
}

export interface ScanResult {
  files: FileReport[];
  /** Failures found in the new lines, per jail (older than findtime too). */
  perJail: Record<string, number>;
  warnings: string[];
  /** Count of input problems (unreadable files, bad lines) that the exit code reports. */
  inputProblems: number;
  /** Jails skipped because their rule could not be loaded (a bad or refused regex). */
  errors: string[];
  /**
   * Per jail, why some of its input was not read at all: its rule refused, a log missing,
   * unreadable or not a file (each also among errors or warnings). `report` shows them as errors.
   */
  jailErrors: Record<string, string[]>;
}

/** A log and the jails that read it (in one encoding). */
interface FileJails {
  file: string;
  decoding: LogDecoding;
  jails: JailScan[];
}

function jailError(out: ScanResult, jail: string, message: string): void {
  (out.jailErrors[jail] ??= []).push(message);
}

/** One jail's share of the scan: its tally, and what it reads. */
export interface JailScan {
  jail: Jail;
  tally: JailTally;
  /** Failures at or before this are only counted. */
  oldest: number;
  /** Set when its rule could not be loaded: the jail is skipped (offsets kept). */
  error?: string;
}

/**
 * One jail's broken or refused rule must not leave the other jails unprotected: that jail is
 * skipped (its offsets stay where they were, so nothing is lost) and the run says so.
 */
function ruleError(js: JailScan, e: unknown): void {
  if (!(e instanceof RuleError)) throw e;
  js.error ??= `[${js.jail.name}] ${e.message}; jail skipped`;
}

export async function scanLogs(input: ScanInput, sink: FailureSink): Promise<ScanResult> {
  const out: ScanResult = { files: [], perJail: {}, warnings: [], inputProblems: 0, errors: [], jailErrors: {} };
  const scans = new Map<string, JailScan>();
  // file (and the encoding its jails read it in) -> the jails that watch it, in jail order
  const byFile = new Map<string, FileJails>();
  for (const jail of input.jails) {
    out.perJail[jail.name] = 0;
    const js: JailScan = { jail, tally: newTally(), oldest: input.dropOld ? input.now - jail.findtime : -Infinity };
    scans.set(jail.name, js);
    if (usesJournal(jail)) {
      try {
        await collectJournal(jail, input, out, sink, js);
      } catch (e) {
        ruleError(js, e);
      }
      continue;
    }
    const globbed = await expandLogpaths(jail.logpath);
    // One warning per problem, each naming the line that set the logpath (the admin's fix is there).
    const lp = jail.logpathPlace;
    const at = lp ? `${formatPlace({ file: lp.file, line: lp.line })}: ` : '';
    if (globbed.files.length === 0 && input.isStock && journalInstead(jail, globbed.warnings, input.filterDirs, input.isStock)) {
      // Not an input problem: the jail reads where its service logs (one line, once a day).
      out.warnings.push(`${at}[${jail.name}] logpath ${jail.logpath.join(' ')} matches no file: backend = auto reads the systemd journal instead`);
      try {
        await collectJournal(jail, input, out, sink, js);
      } catch (e) {
        ruleError(js, e);
      }
      continue;
    }
    for (const w of globbed.warnings) {
      out.warnings.push(`${at}[${jail.name}] ${w}`);
      jailError(out, jail.name, `${at}${w}`);
    }
    // A directory, a symlink loop or a glob matching nothing beside good files still tells in the exit code.
    out.inputProblems += globbed.warnings.length;
    if (globbed.files.length === 0) {
      if (globbed.warnings.length === 0) {
        out.warnings.push(`${at}[${jail.name}] no log file found for logpath ${jail.logpath.join(' ')}`);
        jailError(out, jail.name, `${at}no log file found for logpath ${jail.logpath.join(' ')}`);
        out.inputProblems++;
      }
      continue;
    }
    // Jails that read one file in different encodings read it apart (rare: one logencoding per log).
    const decoding = decodingOf(jail.logencoding);
    for (const f of globbed.files) {
      const k = `${decoding}\0${f}`;
      const entry = byFile.get(k);
      if (entry) entry.jails.push(js);
      else byFile.set(k, { file: f, decoding, jails: [js] });
    }
  }

  // Worker threads start only for a large backlog (collect-parallel.ts), and then at once:
  // they load their code while this thread compiles the first rule.
  const pool = new ScanPool();
  const waiting = input.progress || pool.size > 0 ? await backlog(byFile, input.state) : { total: 0, largest: 0 };
  if (waiting.largest >= parallelMinBytes()) pool.prestart();
  const progress = input.progress ? await input.progress(waiting.total) : null;
  try {
    for (const { file, decoding, jails } of byFile.values()) {
      const members: FileMember[] = jails.filter((js) => !js.error).map((js) => ({ scan: js, cursor: cursorOf(input.state, js.jail.name, file) }));
      if (members.length === 0) continue;
      const reads = await readFileForJails(file, members, { input, sink, pool, progress, onRuleError: ruleError, decoding });
      for (const r of reads) {
        for (const m of r.members) {
          if (m.scan.error) continue; // its rule failed during the read: its cursor stays
          setCursor(input.state, m.scan.jail.name, file, r.cursor);
          for (const w of r.warnings) out.warnings.push(`[${m.scan.jail.name}] ${w}`);
          if (r.unread) jailError(out, m.scan.jail.name, r.unread);
          out.inputProblems += r.warnings.length;
          out.files.push({ path: file, jail: m.scan.jail.name, bytesRead: r.bytesRead, linesRead: r.linesRead });
        }
      }
    }
  } finally {
    progress?.stop();
    await pool.close();
  }
  for (const e of pool.errors) out.warnings.push(`${e}; its part of the log was read by the main thread`);

  for (const js of scans.values()) {
    if (js.error) {
      out.errors.push(js.error);
      jailError(out, js.jail.name, js.error.replace(/^\[[^\]]*\] /, ''));
      continue;
    }
    await resolveNames(js, input.now, sink, out.warnings);
    out.perJail[js.jail.name] = js.tally.failures;
  }
  return out;
}

/** Host names (rules with <HOST> may capture them) are resolved per usedns, once each, after the read. */
async function resolveNames(js: JailScan, now: number, sink: FailureSink, warnings: string[]): Promise<void> {
  const resolved = new Map<string, string[]>();
  for (const m of js.tally.names) {
    let ips = resolved.get(m.host);
    if (!ips) {
      ips = await resolveHostForBan(m.host, js.jail.usedns, { warn: (w) => warnings.push(`[${js.jail.name}] ${w}`) });
      resolved.set(m.host, ips);
    }
    for (const ip of ips) {
      const key = parseKey(ip);
      if (key !== null) sink.failure(js.jail.name, key, m.time ?? now, { ...m, ip, key });
    }
  }
  js.tally.names = [];
}

function cursorOf(state: State, jail: string, file: string): FileCursor | undefined {
  const c = Object.hasOwn(state.files, jail) ? state.files[jail]! : undefined;
  return c && Object.hasOwn(c, file) ? c[file] : undefined;
}

function setCursor(state: State, jail: string, file: string, cursor: FileCursor): void {
  if (!Object.hasOwn(state.files, jail)) Object.defineProperty(state.files, jail, { value: {}, enumerable: true, writable: true, configurable: true });
  Object.defineProperty(state.files[jail]!, file, { value: cursor, enumerable: true, writable: true, configurable: true });
}

/** Bytes not yet read in the planned files, in all and in the largest one (a stat each; nothing is opened). */
async function backlog(byFile: Map<string, FileJails>, state: State): Promise<{ total: number; largest: number }> {
  let total = 0;
  let largest = 0;
  for (const { file, jails } of byFile.values()) {
    const st = await stat(file).catch(() => null);
    if (!st) continue;
    // The file is read once, from the smallest offset of its jails.
    let waiting = 0;
    for (const js of jails) {
      const c = cursorOf(state, js.jail.name, file);
      const same = c && c.dev === st.dev && c.ino === st.ino && st.size >= c.offset;
      waiting = Math.max(waiting, st.size - (same ? c.offset : 0));
    }
    total += waiting;
    largest = Math.max(largest, waiting);
  }
  return { total, largest };
}
