import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO, f2b, scratch, sshdConfig } from './cli.ts';

// A backlog over 16 MiB is read by the main thread and worker threads, each a part of the file.
test('a large backlog read on several threads bans exactly as one thread does', (t) => {
  const dir = scratch();
  const log = join(dir, 'auth.log');
  // 200,000 generated lines (about 19 MB), the last quarter inside findtime of --now.
  execFileSync(process.execPath, [join(REPO, 'bench/generate.mjs'), 'auth', '200000', log, '--seed', '7']);
  const conf = sshdConfig(dir, log, 'findtime = 6h');
  const scan = (threads: string) => {
    const r = f2b(['--config', conf, '--state', join(dir, `state-${threads}.json`), '--now', '2026-11-24T12:00:00Z', '--json'], { env: { F2B_SCAN_THREADS: threads } });
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout);
  };
  const one = scan('1');
  const two = scan('2');
  assert.ok(one.bans.length > 0, 'the log has bans to compare');
  const bans = (s: { bans: { ip: string; failures: number }[] }) => s.bans.map((b) => `${b.ip} ${b.failures}`).sort();
  assert.deepEqual(bans(two), bans(one));
  assert.deepEqual(two.files, one.files);
  // A cut between two parts may lose a multi-line session's link: a handful of lines at most.
  assert.ok(Math.abs(two.failures.sshd - one.failures.sshd) <= 10, `${two.failures.sshd} vs ${one.failures.sshd}`);
  // The next run resumes after the whole file: nothing is read twice.
  const again = f2b(['--config', conf, '--state', join(dir, 'state-2.json'), '--now', '2026-11-24T12:00:30Z', '--json'], { env: { F2B_SCAN_THREADS: '2' } });
  assert.equal(again.code, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout).files[0].bytesRead, 0);
  t.diagnostic(`failures: ${one.failures.sshd} on one thread, ${two.failures.sshd} on two`);
});
