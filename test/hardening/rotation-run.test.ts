// logrotate between two cron runs: the lines the daemon wrote after the last run and before
// the rotation sit in the rotated file. Through whole runs, both rotation styles: nothing is
// lost and nothing is counted twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { dummyScenario, f2bAsync, failedPasswords, heldByDummy, readState } from './helpers.ts';

const NOW = '2026-11-24T12:00:00Z';

function lines(l: string[]): string {
  return l.join('\n') + '\n';
}

for (const style of ['rename-and-create', 'copytruncate'] as const) {
  test(`${style}: failures written just before the rotation are counted once, with those in the new file`, { timeout: 60_000 }, async () => {
    const s = dummyScenario('maxretry = 3\nfindtime = 1h\n');
    writeFileSync(s.log, lines(failedPasswords('198.51.100.7', 2, '2026-11-24T11:50:00Z')));
    const first = await f2bAsync([...s.base, '--json', '--now', NOW]);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(JSON.parse(first.stdout).bans, []);

    // After the run, before the rotation: the third failure of .7, two of .8.
    appendFileSync(s.log, lines([...failedPasswords('198.51.100.7', 1, '2026-11-24T11:55:00Z'), ...failedPasswords('198.51.100.8', 2, '2026-11-24T11:55:10Z')]));
    if (style === 'rename-and-create') {
      renameSync(s.log, `${s.log}.1`);
      writeFileSync(s.log, '');
    } else {
      copyFileSync(s.log, `${s.log}.1`);
      truncateSync(s.log, 0);
    }
    // The daemon goes on in the new (or emptied) file: the third failure of .8.
    appendFileSync(s.log, lines(failedPasswords('198.51.100.8', 1, '2026-11-24T11:58:00Z')));

    const second = await f2bAsync([...s.base, '--json', '--now', NOW]);
    assert.equal(second.code, 0, second.stderr);
    const out = JSON.parse(second.stdout);
    assert.deepEqual(out.failures, { sshd: 4 }, 'the 3 lines of the rotated file and the 1 of the new one, each once');
    assert.deepEqual(out.bans.map((b: { ip: string; failures: number }) => [b.ip, b.failures]).sort(), [['198.51.100.7', 3], ['198.51.100.8', 3]]);
    assert.deepEqual(heldByDummy(s.banned), new Set(['198.51.100.7', '198.51.100.8']));

    // A third run reads nothing again, from either file.
    const third = await f2bAsync([...s.base, '--json', '--now', NOW]);
    assert.deepEqual(JSON.parse(third.stdout).failures, { sshd: 0 });
    assert.equal(Object.keys(readState(s.state).failures.sshd ?? {}).length, 0);
  });
}
