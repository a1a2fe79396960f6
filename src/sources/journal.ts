// The systemd journal as a source of lines (backend = systemd): `journalctl -o json` after
// the stored cursor, streamed through execa with an argument array, each entry turned into
// the line fail2ban's journal backend hands its filters ("host ident[pid]: message") with
// its time from the journal itself (no date is parsed from the text).
//
// Where: the system journal, or what the backend options say, as fail2ban reads them:
//   backend = systemd[journalpath=/var/log/journal/remote]   (journalctl --directory)
//   backend = systemd[journalfiles=/srv/a.journal /srv/b.journal]   (journalctl --file, globs allowed)
// Which entries: the jail's (else the filter's) journalmatch, terms as journalctl takes them
// (FIELD=value, `+` between alternatives). First run without a cursor: from now - findtime,
// as fail2ban starts at the journal's tail minus findtime.

import { execa } from 'execa';
import { splitNameOptions } from '../config/index.ts';

export interface JournalSpec {
  /** journalctl --directory */
  directory?: string;
  /** journalctl --file (each may be a glob journalctl expands) */
  files: string[];
  /** journalctl match terms */
  matches: string[];
}

/** One journal entry as `journalctl -o json` prints it: strings, byte arrays, or lists of either. */
export type JournalFields = Record<string, unknown>;

/** The backend's options (`systemd[journalpath=..., journalfiles=...]`) and the match text; or a one-line problem. */
export function journalSpec(backend: string, journalmatch: string | undefined): JournalSpec | string {
  const options = splitNameOptions(backend.trim())?.options;
  if (!options) return `backend ${JSON.stringify(backend)}: cannot read its options`;
  const spec: JournalSpec = { files: [], matches: [] };
  const path = options.journalpath?.trim();
  if (path) spec.directory = path;
  const files = options.journalfiles?.trim();
  if (files) spec.files = files.split(/[\s,]+/).filter(Boolean);
  for (const f of [...spec.files, ...(spec.directory ? [spec.directory] : [])]) {
    // A path that journalctl would read as an option is refused, not passed.
    if (f.startsWith('-')) return `backend ${backend}: ${JSON.stringify(f)} is not a path`;
  }
  const m = parseJournalmatch(journalmatch ?? '');
  if (typeof m === 'string') return m;
  spec.matches = m;
  return spec;
}

/** `_SYSTEMD_UNIT=sshd.service + _COMM=sshd` -> terms; anything but FIELD=value and `+` is refused. */
export function parseJournalmatch(text: string): string[] | string {
  const terms = text.split(/\s+/).filter(Boolean);
  for (const t of terms) {
    if (t !== '+' && !/^[A-Z0-9_]+=/.test(t)) return `journalmatch: ${JSON.stringify(t)} is not FIELD=value or +`;
  }
  if (terms[0] === '+' || terms.at(-1) === '+') return `journalmatch: ${JSON.stringify(text.trim())} starts or ends with +`;
  return terms;
}

const LINE_FIELDS = ['_HOSTNAME', 'SYSLOG_IDENTIFIER', '_COMM', 'SYSLOG_PID', '_PID', 'MESSAGE', '_SOURCE_REALTIME_TIMESTAMP', '_SOURCE_MONOTONIC_TIMESTAMP'];

/** The journalctl command line for one read. */
export function journalArgs(spec: JournalSpec, cursor: string | undefined, since: number): string[] {
  // Only the fields the line is made of (the cursor and timestamps always come): less JSON to parse.
  const args = ['--output=json', `--output-fields=${LINE_FIELDS.join(',')}`, '--all', '--no-pager', '--quiet'];
  if (spec.directory) args.push(`--directory=${spec.directory}`);
  for (const f of spec.files) args.push(`--file=${f}`);
  if (cursor) args.push(`--after-cursor=${cursor}`);
  else args.push(`--since=@${Math.max(0, Math.floor(since))}`);
  // `--` ends the options: a match term is never read as one.
  return [...args, '--', ...spec.matches];
}

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((b) => typeof b === 'number')) return Buffer.from(v as number[]).toString('utf8');
  return undefined;
}

/** A field's value; a field written several times gives its first value (MESSAGE: all, joined). */
function field(e: JournalFields, name: string, joinAll = false): string | undefined {
  const v = e[name];
  if (Array.isArray(v) && !v.every((b) => typeof b === 'number')) {
    const parts = v.map(text).filter((x): x is string => x !== undefined);
    return joinAll ? parts.join(' ') : parts[0];
  }
  return text(v);
}

/**
 * The line a filter sees, as fail2ban's journal backend builds it: `_HOSTNAME`, then
 * SYSLOG_IDENTIFIER (else _COMM) with `[SYSLOG_PID or _PID]` and a colon, a kernel line's
 * monotonic time, then MESSAGE; newlines escaped so the entry stays one line.
 */
export function journalLine(e: JournalFields): string {
  const parts: string[] = [];
  const host = field(e, '_HOSTNAME');
  if (host) parts.push(host);
  const ident = field(e, 'SYSLOG_IDENTIFIER') || field(e, '_COMM');
  if (ident) {
    const pid = field(e, 'SYSLOG_PID') || field(e, '_PID');
    const n = pid !== undefined && /^\s*\d+\s*$/.test(pid) ? String(Number(pid)) : pid;
    parts.push(`${ident}${n ? `[${n}]` : ''}:`);
    if (ident === 'kernel') {
      const mono = Number(field(e, '_SOURCE_MONOTONIC_TIMESTAMP') ?? field(e, '__MONOTONIC_TIMESTAMP') ?? 0);
      parts.push(`[${(mono / 1e6).toFixed(6).padStart(12)}]`);
    }
  }
  parts.push(field(e, 'MESSAGE', true) ?? '');
  return parts.join(' ').replace(/\n/g, '\\n');
}

/** Epoch seconds of an entry: when the source says it happened, else when the journal got it. */
export function journalTime(e: JournalFields): number | null {
  const us = Number(field(e, '_SOURCE_REALTIME_TIMESTAMP') ?? field(e, '__REALTIME_TIMESTAMP'));
  return Number.isFinite(us) && us > 0 ? us / 1e6 : null;
}

export interface JournalRead {
  /** The cursor of the last entry read (the stored one when nothing was read). */
  cursor: string | undefined;
  entries: number;
  bytes: number;
  /** journalctl failed (missing, unreadable journal, bad cursor): one line. */
  error?: string;
}

/** Stream the entries after `cursor` (or since `since`) into onEntry(line, time). */
export async function readJournal(
  spec: JournalSpec,
  cursor: string | undefined,
  since: number,
  /** `fields`: the entry as journalctl gave it (init reads its SYSLOG_IDENTIFIER). */
  onEntry: (line: string, time: number | null, fields: JournalFields) => void,
): Promise<JournalRead> {
  const out: JournalRead = { cursor, entries: 0, bytes: 0 };
  const sub = execa('journalctl', journalArgs(spec, cursor, since), {
    reject: false,
    buffer: { stdout: false },
    env: { LC_ALL: 'C', SYSTEMD_COLORS: '0' },
    timeout: 10 * 60_000,
  });
  const onLine = (line: string) => {
    out.bytes += Buffer.byteLength(line) + 1;
    let e: JournalFields;
    try {
      e = JSON.parse(line) as JournalFields;
    } catch {
      return;
    }
    if (typeof e !== 'object' || e === null) return;
    const c = field(e, '__CURSOR');
    // journalctl can hand back the cursor's own entry when several files disagree on the
    // order (same boot, clashing monotonic times): it was read last run.
    if (cursor !== undefined && c === cursor) return;
    out.entries++;
    onEntry(journalLine(e), journalTime(e), e);
    if (c) out.cursor = c;
  };
  // Plain chunks split at newlines: several times faster than a line iterator per entry.
  let rest = '';
  sub.stdout!.setEncoding('utf8');
  for await (const chunk of sub.stdout! as AsyncIterable<string>) {
    let from = 0;
    let nl = chunk.indexOf('\n');
    if (nl >= 0 && rest) {
      onLine(rest + chunk.slice(0, nl));
      rest = '';
      from = nl + 1;
      nl = chunk.indexOf('\n', from);
    }
    while (nl >= 0) {
      if (nl > from) onLine(chunk.slice(from, nl));
      from = nl + 1;
      nl = chunk.indexOf('\n', from);
    }
    rest += chunk.slice(from);
  }
  if (rest.trim()) onLine(rest);
  const r = await sub;
  if (r.failed || r.exitCode !== 0) {
    const first = String(r.stderr ?? '').split('\n').find((l) => l.trim() !== '')?.trim();
    out.error =
      (r as { code?: string }).code === 'ENOENT'
        ? 'journalctl: command not found (Debian package systemd)'
        : `journalctl: ${first ?? r.shortMessage}`;
  }
  return out;
}
