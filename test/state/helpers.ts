// Shared by the state tests: a temp directory per test and a realistic state of any size.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { emptyState, type State } from '../../src/state/schema.ts';
import { setTicket } from '../../src/state/tickets.ts';
import { setBan } from '../../src/state/bans.ts';

export function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'f2b-state-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** `n` addresses with failures in sshd, every tenth also banned. */
export function bigState(n: number, stamp = 0, lines = true): State {
  const s = emptyState();
  s.files.sshd = { '/var/log/auth.log': { dev: 2049, ino: 1234, offset: 99_000_000 + stamp, size: 99_000_100, mtimeMs: 1764026000000.5 } };
  for (let i = 0; i < n; i++) {
    const key = (10 << 24) + i;
    const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    const t = 1764026000 + i;
    setTicket(s, 'sshd', key, {
      first: t, last: t + 9, retry: 3, attempts: 3,
      ...(lines ? { lines: [`Nov 24 23:13:20 host sshd[4242]: Failed password for root from ${ip} port 51234 ssh2`] } : {}),
    });
    if (i % 10 === 0) setBan(s, 'sshd', key, { start: t, until: t + 600, failures: 5, count: 1, origin: 'log' });
  }
  s.lastRun = 1764026000 + stamp;
  return s;
}

/**
 * A state file's text without its index (its last field, src/state/state-text.ts), and the
 * index; each span checked to be a table's columns.
 */
export function splitIndex(text: string): { body: string; spans: [number, number][] } {
  const m = /,"spans":(\[[\d,[\]]*\])\}$/.exec(text);
  if (m === null) throw new Error('the file has no index of its tables');
  const spans = JSON.parse(m[1]!) as [number, number][];
  for (const [s, e] of spans) {
    if (text.slice(s - 7, s) !== '"cols":') throw new Error(`span ${s}-${e} is not after "cols":`);
    const cols = JSON.parse(text.slice(s, e)) as { key?: unknown };
    if (!Array.isArray(cols.key)) throw new Error(`span ${s}-${e} is not a table's columns`);
  }
  return { body: text.slice(0, m.index) + '}', spans };
}
