// A scan worker thread reads its part of a large log for every jail on that log at once
// (collect-worker.ts scanPart): one matcher per equal rule, one group per rules that read lines
// alike (sshd's modes). Each jail must get, from a part read with the others, exactly what it gets
// from the same part read alone: the same failures, addresses, times, lines and users.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadFilter } from '../../src/rules/index.ts';
import { scanPart, type PartJail } from '../../src/scan/collect-worker.ts';
import { tempDir } from '../helpers/temp.ts';

const REPO = join(import.meta.dirname, '../..');
const NOW = Date.parse('2026-11-24T12:00:00Z') / 1000;

test('five jails (four sshd modes, one twice) in one worker part: each gets what it gets alone', async () => {
  const dir = tempDir('f2b-worker-part-');
  const log = join(dir, 'auth.log');
  execFileSync(process.execPath, [join(REPO, 'bench/generate.mjs'), 'auth', '20000', log, '--seed', '4']);
  const rule = (name: string, mode?: string) => loadFilter({ name, options: mode ? { mode } : {} }, { searchDirs: [join(REPO, 'rules/filter.d')] });
  const jails: [string, () => ReturnType<typeof rule>][] = [
    ['sshd', () => rule('sshd')],
    ['sshd-ddos', () => rule('sshd', 'ddos')],
    ['sshd-again', () => rule('sshd', 'normal')],
    ['sshd-aggressive', () => rule('sshd', 'aggressive')],
    ['pam-generic', () => rule('pam-generic')],
  ];
  const size = statSync(log).size;
  const fd = openSync(log, 'r');
  try {
    // The filter keys are per task here: each scanPart call sends its rules along.
    const part = (js: [string, () => ReturnType<typeof rule>][], tag: string) =>
      scanPart({
        id: 1,
        jails: js.map(([name, load], i): PartJail => ({ jail: { name }, filter: load(), filterKey: `${tag}-${i}`, oldest: -Infinity, wantsText: true })),
        fd,
        warmFrom: 0,
        start: 0,
        end: size,
        now: NOW,
        maxLineBytes: 1 << 16,
        decoding: 'utf-8',
      });
    const together = await part(jails, 'together');
    let found = 0;
    for (const [k, j] of jails.entries()) {
      const alone = await part([j], `alone-${k}`);
      assert.deepEqual(together.jails[k], alone.jails[0], `${j[0]}: failures in a part read with the others`);
      found += alone.jails[0]!.keys.length;
    }
    assert.ok(found > 0, 'the log has failures');
    assert.notDeepEqual(together.jails[0]!.keys, together.jails[1]!.keys, 'normal and ddos modes find different failures');
  } finally {
    closeSync(fd);
  }
});
