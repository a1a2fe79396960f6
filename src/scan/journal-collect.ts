// A jail with backend = systemd (or auto without logpath): its new journal entries through its
// rule, handed to the sink as the file reader does. The cursor lives in state.journals[jail]
// like a file offset, so each entry is read once; a failed read keeps the old cursor.

import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { backendName } from '../config/values.ts';
import { createMatcherWith, loadFilter, type DateReader } from '../rules/index.ts';
import type { Jail } from '../types.ts';
import type { JailScan, ScanInput, ScanResult } from './scan.ts';
import { deliver, type FailureSink } from './sink.ts';

/** The journal is this jail's source: backend systemd, or auto with no logpath to read. */
export function usesJournal(jail: Jail): boolean {
  const b = backendName(jail.backend);
  return b === 'systemd' || (b === 'auto' && jail.logpath.length === 0);
}

/** Whether `journalctl` is on the PATH (a look at the directories: nothing is run). */
export function haveJournalctl(path = process.env.PATH ?? ''): boolean {
  return path.split(delimiter).some((dir) => {
    if (!dir) return false;
    try {
      accessSync(join(dir, 'journalctl'), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * A jail nobody asked for: backend = auto, its logpath set by a file the user did not write
 * (`isStock`: Debian's untouched jail.conf, our shipped rules) and matching no file (only "matches
 * no file", not a permission problem), on a host with journalctl, for a rule that says what to
 * read there (journalmatch): the journal is read instead, as on a journald-only Debian 12/13
 * whose stock [sshd] points at an auth.log nothing writes (fail2ban's paths-arch/-opensuse set
 * sshd_backend = systemd for the same reason). A logpath the user wrote stays a warning.
 */
export function journalInstead(jail: Jail, globWarnings: string[], filterDirs: string[], isStock: (file: string) => boolean): boolean {
  if (backendName(jail.backend) !== 'auto') return false;
  if (!jail.logpathPlace || !isStock(jail.logpathPlace.file)) return false;
  if (globWarnings.length === 0 || !globWarnings.every((w) => w.endsWith(': matches no file'))) return false;
  if (!haveJournalctl()) return false;
  if (jail.journalmatch?.trim()) return true;
  try {
    return Boolean(loadFilter(journalRef(jail), { searchDirs: filterDirs, jailDatepattern: jail.datepattern, jailMaxlines: jail.maxlines }).journalmatch?.trim());
  } catch {
    return false; // a rule that does not load: the file path reports it
  }
}

/** fail2ban tells a filter it reads the journal (logtype), unless the jail says otherwise. */
function journalRef(jail: Jail): Jail['filter'] {
  return { ...jail.filter, options: { logtype: 'journal', ...jail.filter.options } };
}

/** Label of the journal in run summaries (FileReport.path). */
function label(jail: Jail): string {
  return `journal:${jail.name}`;
}

export async function collectJournal(jail: Jail, input: ScanInput, out: ScanResult, sink: FailureSink, js: JailScan): Promise<void> {
  const warn = (m: string) => out.warnings.push(`[${jail.name}] ${m}`);
  const ref = journalRef(jail);
  // Loaded here (it brings execa): runs without a journal jail never load it.
  const { journalSpec, readJournal } = await import('../sources/journal.ts');
  const filter = loadFilter(ref, { searchDirs: input.filterDirs, jailDatepattern: jail.datepattern, jailMaxlines: jail.maxlines });
  const spec = journalSpec(jail.backend, jail.journalmatch ?? filter.journalmatch);
  if (typeof spec === 'string') {
    warn(`${spec}; jail skipped`);
    out.inputProblems++;
    return;
  }
  if (spec.matches.length === 0) warn('no journalmatch: every journal entry is matched against the rule');

  // The entry's own time, handed to the matcher instead of a date read from the text.
  let entryTime: number | null = null;
  const reader: DateReader = { read: () => (entryTime === null ? null : { time: entryTime, start: 0, end: 0 }) };
  const matcher = createMatcherWith(filter, reader);
  const stored = Object.hasOwn(input.state.journals, jail.name) ? input.state.journals[jail.name]!.cursor : undefined;

  const res = await readJournal(spec, stored, input.now - jail.findtime, (line, time) => {
    entryTime = time;
    deliver(matcher.push(line), jail.name, input.now, js.oldest, sink, js.tally);
  });
  if (res.error) {
    warn(res.error);
    out.inputProblems++;
  }
  if (res.cursor && res.cursor !== stored) input.state.journals[jail.name] = { cursor: res.cursor };
  out.files.push({ path: label(jail), jail: jail.name, bytesRead: res.bytes, linesRead: res.entries });
}
