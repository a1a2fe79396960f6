// Journal files for tests: entries in the journal export format written into a new journal
// file by systemd-journal-remote (the way a machine's journal holds them), read back by
// journalctl like any journal.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const JOURNAL_REMOTE = '/lib/systemd/systemd-journal-remote';

/** Why journal files cannot be made and read here, or null. */
export function journalUnavailable(): string | null {
  if (!existsSync(JOURNAL_REMOTE)) return 'systemd-journal-remote is not installed (Debian package systemd-journal-remote)';
  if (spawnSync('journalctl', ['--version']).status !== 0) return 'journalctl is not installed (Debian package systemd)';
  return null;
}

export interface JournalEntry {
  iso: string;
  message: string;
  comm?: string;
  /** '' for none. */
  unit?: string;
  pid?: number;
}

const BOOT = Date.parse('2026-11-24T00:00:00Z');

/** Write the entries into a new journal file (its name must end in .journal for journalctl --directory). */
export function writeJournal(file: string, entries: JournalEntry[]): void {
  const text = entries
    .map((e) =>
      [
        `__REALTIME_TIMESTAMP=${Date.parse(e.iso) * 1000}`,
        // One boot: monotonic time grows with the wall clock, as on a real machine.
        `__MONOTONIC_TIMESTAMP=${(Date.parse(e.iso) - BOOT) * 1000}`,
        '_BOOT_ID=0123456789abcdef0123456789abcdef',
        '_HOSTNAME=web1',
        `SYSLOG_IDENTIFIER=${e.comm ?? 'sshd'}`,
        `_COMM=${e.comm ?? 'sshd'}`,
        `_PID=${e.pid ?? 4242}`,
        ...(e.unit === '' ? [] : [`_SYSTEMD_UNIT=${e.unit ?? 'ssh.service'}`]),
        `MESSAGE=${e.message}`,
        '',
      ].join('\n'),
    )
    .join('\n');
  const r = spawnSync(JOURNAL_REMOTE, ['-o', file, '-'], { input: text + '\n', encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`systemd-journal-remote: ${r.stderr}`);
}
