// Read each jail's new log lines and turn what its rule matches into failures.
// A jail's rule is loaded only when one of its files has new bytes, so an idle
// run compiles nothing.

import { stat } from 'node:fs/promises';
import { createMatcher, loadFilter, type Filter, type Matcher } from '../rules/index.ts';
import { expandLogpaths, readNewLines } from '../sources/files.ts';
import { collectJournal, journalInstead, usesJournal } from './journal-collect.ts';
import { resolveHostForBan } from '../net/resolve.ts';
import type { FileCursor, State } from '../state/schema.ts';
import type { Failure, FileReport, Jail } from '../types.ts';
import { formatPlace, RuleError } from '../util/errors.ts';
import { decodingOf } from '../util/log-encoding.ts';
import { sinkMatches, toFailure, type ScanJail, type SinkOut } from './collect-sink.ts';
import { parallelMinBytes, ScanPool } from './collect-parallel.ts';
import type { PartResult } from './collect-worker.ts';

/** A progress display for a large backlog (see report/progress.ts). */
export interface ProgressSink {
  tick(bytes: number, lines: number): void;
  stop(): void;
}

export interface CollectInput {
  jails: Jail[];
  /** Cursors are read from and written to state.files. */
  state: State;
  now: number;
  filterDirs: string[];
  /** The state was recovered from a corrupt file: unknown files start at their end. */
  startAtEnd: boolean;
  /** Asked once with the bytes waiting to be read; may return a progress display. */
  progress?: (backlogBytes: number) => Promise<ProgressSink | null>;
  /**
   * Keep only failures inside their jail's findtime (time > now - findtime), as the policy
   * counts nothing older: a backlog of millions of old lines then costs no memory. Older
   * ones are still counted in perJail. Off by default (a report looks at all of them).
   */
  dropOld?: boolean;
  /**
   * Whether a configuration file was shipped as it is (ours, or Debian's fail2ban conffile
   * untouched): a jail whose logpath such a file sets may read the journal when that path
   * matches nothing (journal-collect.ts). Without it, no jail falls back.
   */
  isStock?: (file: string) => boolean;
}

export interface Collected {
  failures: Failure[];
  files: FileReport[];
  perJail: Record<string, number>;
  warnings: string[];
  /** Count of input problems (unreadable files, bad lines) that the exit code reports. */
  inputProblems: number;
  /** Jails skipped because their rule could not be loaded (a bad or refused regex). */
  errors: string[];
}

/**
 * One jail's broken or refused rule must not leave the other jails unprotected: that jail is
 * skipped (its offsets stay where they were, so nothing is lost) and the run says so.
 */
async function skipJailOnRuleError(jail: Jail, out: Collected, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (e) {
    if (!(e instanceof RuleError)) throw e;
    out.errors.push(`[${jail.name}] ${e.message}; jail skipped`);
  }
}

interface JailFiles {
  jail: Jail;
  files: string[];
}

export async function collectFailures(input: CollectInput): Promise<Collected> {
  const out: Collected = { failures: [], files: [], perJail: {}, warnings: [], inputProblems: 0, errors: [] };
  const plan: JailFiles[] = [];
  for (const jail of input.jails) {
    out.perJail[jail.name] = 0;
    if (usesJournal(jail)) {
      await skipJailOnRuleError(jail, out, () => collectJournal(jail, input, out));
      continue;
    }
    const globbed = await expandLogpaths(jail.logpath);
    // One warning per problem, each naming the line that set the logpath (the admin's fix is there).
    const lp = jail.logpathPlace;
    const at = lp ? `${formatPlace({ file: lp.file, line: lp.line })}: ` : '';
    if (globbed.files.length === 0 && input.isStock && journalInstead(jail, globbed.warnings, input.filterDirs, input.isStock)) {
      // Not an input problem: the jail reads where its service logs (one line, once a day).
      out.warnings.push(`${at}[${jail.name}] logpath ${jail.logpath.join(' ')} matches no file: backend = auto reads the systemd journal instead`);
      await skipJailOnRuleError(jail, out, () => collectJournal(jail, input, out));
      continue;
    }
    for (const w of globbed.warnings) out.warnings.push(`${at}[${jail.name}] ${w}`);
    // A directory, a symlink loop or a glob matching nothing beside good files still tells in the exit code.
    out.inputProblems += globbed.warnings.length;
    if (globbed.files.length === 0) {
      if (globbed.warnings.length === 0) {
        out.warnings.push(`${at}[${jail.name}] no log file found for logpath ${jail.logpath.join(' ')}`);
        out.inputProblems++;
      }
      continue;
    }
    plan.push({ jail, files: globbed.files });
  }
  // Worker threads start only for a large backlog (collect-parallel.ts), and then at once:
  // they load their code while this thread compiles the first rule.
  const pool = new ScanPool();
  const waiting = input.progress || pool.size > 0 ? await backlog(plan, input.state) : { total: 0, largest: 0 };
  if (waiting.largest >= parallelMinBytes()) pool.prestart();
  const progress = input.progress ? await input.progress(waiting.total) : null;
  try {
    for (const p of plan) await skipJailOnRuleError(p.jail, out, () => collectJail(p, input, out, progress, pool));
  } finally {
    progress?.stop();
    await pool.close();
  }
  for (const e of pool.errors) out.warnings.push(`${e}; its part of the log was read by the main thread`);
  return out;
}

/** Bytes not yet read in the planned files, in all and in the largest one (a stat each; nothing is opened). */
async function backlog(plan: JailFiles[], state: State): Promise<{ total: number; largest: number }> {
  let total = 0;
  let largest = 0;
  for (const { jail, files } of plan) {
    for (const file of files) {
      const st = await stat(file).catch(() => null);
      if (!st) continue;
      const c: FileCursor | undefined = state.files[jail.name]?.[file];
      const same = c && c.dev === st.dev && c.ino === st.ino && st.size >= c.offset;
      const waiting = st.size - (same ? c.offset : 0);
      total += waiting;
      largest = Math.max(largest, waiting);
    }
  }
  return { total, largest };
}

async function collectJail({ jail, files }: JailFiles, input: CollectInput, out: Collected, progress: ProgressSink | null, pool: ScanPool): Promise<void> {
  let filter: Filter | undefined;
  const cursors = (input.state.files[jail.name] ??= {});
  const sink: SinkOut = { failures: out.failures, names: [], old: 0 };
  const before = out.failures.length;
  const oldest = input.dropOld ? input.now - jail.findtime : -Infinity;
  const scanJail: ScanJail = {
    name: jail.name, filter: jail.filter, findtime: jail.findtime, datepattern: jail.datepattern, maxlines: jail.maxlines, logtimezone: jail.logtimezone,
  };

  // Loaded at the first new line of the jail: an idle run compiles nothing.
  const jailFilter = (): Filter =>
    (filter ??= loadFilter(jail.filter, {
      searchDirs: input.filterDirs,
      jailDatepattern: jail.datepattern,
      jailMaxlines: jail.maxlines,
    }));

  for (const file of files) {
    let matcher: Matcher | undefined;
    let pendingBytes = 0;
    let pendingLines = 0;
    const onLine = (line: string) => {
      matcher ??= createMatcher(jailFilter(), { now: input.now, timezone: jail.logtimezone, datepattern: jail.datepattern });
      if (progress) {
        pendingBytes += line.length + 1;
        if (++pendingLines === 65536) {
          progress.tick(pendingBytes, pendingLines);
          pendingBytes = pendingLines = 0;
        }
      }
      sinkMatches(matcher.push(line), jail.name, file, input.now, oldest, sink);
    };
    // A part of a large backlog read by a worker thread: its findings follow the lines before it.
    const onPart = (part: PartResult) => {
      for (const f of part.out.failures) sink.failures.push(f);
      for (const n of part.out.names) sink.names.push(n);
      sink.old += part.out.old;
      progress?.tick(part.range.bytes, part.range.lines);
    };
    const res = await readNewLines(file, cursors[file], onLine, {
      startAtEnd: input.startAtEnd && !cursors[file],
      decoding: decodingOf(jail.logencoding),
      streamRange: pool.streamer(scanJail, jailFilter, file, input.now, oldest, onPart),
    });
    progress?.tick(pendingBytes, pendingLines);
    cursors[file] = res.cursor;
    for (const w of res.warnings) out.warnings.push(`[${jail.name}] ${w}`);
    out.inputProblems += res.warnings.length;
    out.files.push({ path: file, jail: jail.name, bytesRead: res.bytesRead, linesRead: res.linesRead });
  }

  // Host names (rules with <HOST> may capture them) are resolved per usedns, once each.
  const resolved = new Map<string, string[]>();
  for (const { match, file } of sink.names) {
    let ips = resolved.get(match.host);
    if (!ips) {
      ips = await resolveHostForBan(match.host, jail.usedns, { warn: (m) => out.warnings.push(`[${jail.name}] ${m}`) });
      resolved.set(match.host, ips);
    }
    for (const ip of ips) out.failures.push(toFailure(jail.name, match, ip, file, input.now));
  }
  out.perJail[jail.name] = out.failures.length - before + sink.old;
}
