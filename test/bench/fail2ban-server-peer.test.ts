// The bench's real peer: a fail2ban-server started on a generated log must count every failure
// fail2ban-regex finds in it, ban the attackers, report CPU time, and be gone afterwards — else
// the "×N fail2ban-server" ratio compares with a server that did part of the job, or none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tempDir } from '../helpers/temp.ts';

const BENCH = join(import.meta.dirname, '../../bench');

test('fail2ban-server as the bench runs it counts what fail2ban-regex matches, bans, and stops', async (t) => {
  const peer = await import(pathToFileURL(join(BENCH, 'fail2ban-server.mjs')).href);
  const missing: string | null = peer.fail2banServerMissing();
  if (missing) return t.skip(missing);
  const dir = tempDir('f2b-bench-peer-');
  const log = join(dir, 'auth.log');
  // It has no --now: the lines must lie within findtime of the real clock.
  const end = new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString();
  execFileSync(process.execPath, [join(BENCH, 'generate.mjs'), 'attack', '3000', log, '--end', end, '--span', '2', '--pool', '20']);
  const regex = spawnSync('fail2ban-regex', [log, '/etc/fail2ban/filter.d/sshd.conf'], { encoding: 'utf8' });
  const matched = Number(/Lines: \d+ lines, \d+ ignored, (\d+) matched/.exec(regex.stdout)?.[1]);
  assert.ok(matched > 500, regex.stdout.slice(-300));

  const m = await peer.measureFail2banServer(dir, { logFile: log, filter: 'sshd', jailOptions: ['findtime = 1d', 'maxretry = 5', 'bantime = 1d'] });
  assert.equal(m.failed, matched);
  assert.equal(m.banned, 20, 'each of the 20 attackers');
  assert.ok(m.cpuMs > 0 && m.wallMs >= m.cpuMs / 4 && m.rssMB > 5, JSON.stringify(m));
  const conf = join(dir, 'fail2ban-server');
  assert.ok(!existsSync(join(conf, 'f2b.sock')), 'the server stopped and removed its socket');
  t.diagnostic(`fail2ban-server: ${m.failed} failures, ${m.banned} bans, ${m.cpuMs} ms CPU, ${Math.round(m.wallMs)} ms wall`);
});
