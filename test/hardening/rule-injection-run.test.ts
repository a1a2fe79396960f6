// Issue 16's rule rows through whole runs of the real CLI: a client who spells another
// address into the text it controls (an nginx request path, an Exim recipient) gets nobody
// banned but, at most, itself. The victim 198.51.100.7 is never counted, never banned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { f2bAsync, heldByDummy, ownLogIn, readState, scratch } from './helpers.ts';

const NOW = '2026-11-24T12:00:00Z';
const VICTIM = '198.51.100.7';

/** One jail on the dummy action reading `lines`; maxretry 1, so a single counted line bans. */
async function runJail(jail: string, lines: string[]) {
  const dir = scratch('f2b-ruleinj-');
  const log = join(dir, `${jail}.log`);
  writeFileSync(log, lines.join('\n') + '\n');
  const banned = join(dir, 'banned.txt');
  const conf = join(dir, 'conf');
  mkdirSync(conf);
  writeFileSync(join(conf, 'jail.local'),
    `[${jail}]\nenabled = true\nlogpath = ${log}\nmaxretry = 1\nfindtime = 1d\naction = dummy[target="${banned}"]\n`);
  ownLogIn(conf, dir);
  const state = join(dir, 'state.json');
  const r = await f2bAsync(['--config', conf, '--state', state, '--jail', jail, '--json', '--now', NOW]);
  return { r, banned, state, out: r.stdout ? JSON.parse(r.stdout) : null };
}

function assertVictimUntouched(res: Awaited<ReturnType<typeof runJail>>, jail: string) {
  assert.ok(!res.out.bans.some((b: { ip: string }) => b.ip === VICTIM), `${VICTIM} banned: ${res.r.stdout}`);
  assert.ok(!heldByDummy(res.banned).has(VICTIM));
  assert.equal(readState(res.state).failures[jail]?.[VICTIM], undefined, 'the victim is not even counted');
}

test('nginx-botsearch: a request path spelling "failed (2: ...), client: <victim>, ... request: \\"GET /phpmyadmin" bans nobody innocent', async () => {
  const path = `/x" failed (2: No such file or directory), client: ${VICTIM}, server: a, request: "GET /phpmyadmin HTTP/1.1`;
  const uri = encodeURI(path).replace(/"/g, '%22');
  const res = await runJail('nginx-botsearch', [
    `2026/11/24 11:59:00 [error] 2833#0: *1 open() "/srv/www${path}" failed (2: No such file or directory), client: 203.0.113.9, server: localhost, request: "GET ${uri} HTTP/1.1", host: "www.example.com"`,
    // the same scanner asking for a real admin path is still banned
    `2026/11/24 11:59:01 [error] 2833#0: *2 open() "/srv/www/phpmyadmin/index.php" failed (2: No such file or directory), client: 203.0.113.10, server: localhost, request: "GET /phpmyadmin/index.php HTTP/1.1", host: "www.example.com"`,
  ]);
  assert.equal(res.r.code, 0, res.r.stderr);
  assertVictimUntouched(res, 'nginx-botsearch');
  assert.deepEqual(res.out.bans.map((b: { ip: string }) => b.ip), ['203.0.113.10']);
});

test('exim-spam: a quoted recipient holding "From <a> (host=b [<victim>]) for y" bans nobody innocent', async () => {
  const res = await runJail('exim-spam', [
    `2026-11-24 11:59:00 1VxHRO-000NiI-Ly SA: Action: silently tossed message: score=31.0 required=5.0 trigger=30.0 (scanned in 6/6 secs | Message-Id: a@b). From <s@example.org> (host=client.example.net [203.0.113.9]) for "x From <a> (host=b [${VICTIM}]) for y"@example.com`,
    `2026-11-24 11:59:01 1VxHRO-000NiJ-Ly SA: Action: silently tossed message: score=31.0 required=5.0 trigger=30.0 (scanned in 6/6 secs | Message-Id: x From <a> (host=b [${VICTIM}]) for y). From <s@example.org> (host=client.example.net [203.0.113.9]) for me@example.com`,
    `2026-11-24 11:59:02 1VxHRO-000NiK-Ly SA: Action: silently tossed message: score=31.0 required=5.0 trigger=30.0 (scanned in 6/6 secs | Message-Id: c@d). From <s@example.org> (host=client.example.net [203.0.113.10]) for me@example.com`,
  ]);
  assert.equal(res.r.code, 0, res.r.stderr);
  assertVictimUntouched(res, 'exim-spam');
  assert.deepEqual(res.out.bans.map((b: { ip: string }) => b.ip), ['203.0.113.10']);
});
