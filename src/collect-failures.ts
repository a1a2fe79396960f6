// Read each jail's new log lines and turn what its rule matches into failures.
// A jail's rule is loaded only when one of its files has new bytes, so an idle
// run compiles nothing.

import { createMatcher, loadFilter, type Filter, type Matcher } from './rules/index.ts';
import { expandLogpaths, readNewLines } from './sources/files.ts';
import { resolveHostForBan } from './net/resolve.ts';
import type { State } from './state/schema.ts';
import type { Failure, FileReport, Jail, RuleMatch } from './types.ts';

export interface CollectInput {
  jails: Jail[];
  /** Cursors are read from and written to state.files. */
  state: State;
  now: number;
  filterDirs: string[];
  /** The state was recovered from a corrupt file: unknown files start at their end. */
  startAtEnd: boolean;
}

export interface Collected {
  failures: Failure[];
  files: FileReport[];
  perJail: Record<string, number>;
  warnings: string[];
  /** Count of input problems (unreadable files, bad lines) that the exit code reports. */
  inputProblems: number;
}

export async function collectFailures(input: CollectInput): Promise<Collected> {
  const out: Collected = { failures: [], files: [], perJail: {}, warnings: [], inputProblems: 0 };
  for (const jail of input.jails) {
    out.perJail[jail.name] = 0;
    if (jail.backend === 'systemd') {
      out.warnings.push(`[${jail.name}] backend = systemd: the journal is not read yet; jail skipped`);
      continue;
    }
    await collectJail(jail, input, out);
  }
  return out;
}

async function collectJail(jail: Jail, input: CollectInput, out: Collected): Promise<void> {
  const globbed = await expandLogpaths(jail.logpath);
  for (const w of globbed.warnings) out.warnings.push(`[${jail.name}] ${w}`);
  if (globbed.files.length === 0) {
    out.warnings.push(`[${jail.name}] no log file found for logpath ${jail.logpath.join(' ')}`);
    out.inputProblems++;
    return;
  }
  let filter: Filter | undefined;
  const cursors = (input.state.files[jail.name] ??= {});
  const names: { match: RuleMatch; file: string }[] = [];

  for (const file of globbed.files) {
    let matcher: Matcher | undefined;
    const onLine = (line: string) => {
      if (!matcher) {
        filter ??= loadFilter(jail.filter, {
          searchDirs: input.filterDirs,
          jailDatepattern: jail.datepattern,
          jailMaxlines: jail.maxlines,
        });
        matcher = createMatcher(filter, { now: input.now, timezone: jail.logtimezone, datepattern: jail.datepattern });
      }
      const matches = matcher.push(line);
      for (let i = 0; i < matches.length; i++) {
        const m = matches[i]!;
        if (m.ip) out.failures.push(toFailure(jail, m, m.ip, file, input.now));
        else names.push({ match: m, file });
      }
    };
    const res = await readNewLines(file, cursors[file], onLine, { startAtEnd: input.startAtEnd && !cursors[file] });
    cursors[file] = res.cursor;
    for (const w of res.warnings) out.warnings.push(`[${jail.name}] ${w}`);
    out.inputProblems += res.warnings.length;
    out.files.push({ path: file, jail: jail.name, bytesRead: res.bytesRead, linesRead: res.linesRead });
  }

  // Host names (rules with <HOST> may capture them) are resolved per usedns, once each.
  const resolved = new Map<string, string[]>();
  for (const { match, file } of names) {
    let ips = resolved.get(match.host);
    if (!ips) {
      ips = await resolveHostForBan(match.host, jail.usedns, { warn: (m) => out.warnings.push(`[${jail.name}] ${m}`) });
      resolved.set(match.host, ips);
    }
    for (const ip of ips) out.failures.push(toFailure(jail, match, ip, file, input.now));
  }
  out.perJail[jail.name] = out.failures.filter((f) => f.jail === jail.name).length;
}

function toFailure(jail: Jail, m: RuleMatch, ip: string, file: string, now: number): Failure {
  const f: Failure = { jail: jail.name, ip, time: m.time ?? now, line: m.lines.join('\n'), source: file };
  if (m.user !== undefined) f.user = m.user;
  return f;
}
