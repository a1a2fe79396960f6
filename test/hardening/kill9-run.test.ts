// A run can die at any instant (OOM killer, reboot, kill -9). Whatever it was doing, the
// state on disk must still load, and the next complete run must leave firewall and state in
// agreement: every ban of the state held, nothing held that the state lacks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readdirSync } from 'node:fs';
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadState } from '../../src/state/store.ts';
import { BIN, bannedInState, dummyScenario, f2bAsync, failedPasswords, finished, heldByDummy, REPO, sshdConfig, sshdLine, scratch, startF2b } from './helpers.ts';
import { iptablesUnavailable, netnsUnavailable } from '../helpers/netns.ts';
import { mulberry32 } from '../helpers/random.ts';

const NOW = '2026-11-24T12:00:00Z';

/** The b-th attacker of a round (documentation prefix, canonical form). */
function attacker(round: number, b: number): string {
  return `2001:db8:${round.toString(16)}::${(b + 1).toString(16)}`;
}

/** One round's new log text: noise, and 2 failures (maxretry) of `bans` new addresses. */
function roundLines(round: number, bans: number, noise: number): string {
  const at = new Date(Date.parse('2026-11-24T11:00:00Z') + round * 60_000).toISOString();
  const lines: string[] = [];
  for (let i = 0; i < noise; i++) lines.push(sshdLine(at, `Accepted publickey for deploy from 192.0.2.${i % 250} port ${1000 + i} ssh2`));
  for (let b = 0; b < bans; b++) lines.push(...failedPasswords(attacker(round, b), 2, at));
  return lines.join('\n') + '\n';
}

async function assertStateLoads(path: string, round: number): Promise<void> {
  if (!existsSync(path)) return; // killed before its first save: nothing to load yet
  const loaded = await loadState(path);
  assert.equal(loaded.recovered, false, `round ${round}: the state on disk loads (${loaded.warnings.join('; ')})`);
}

test('kill -9 at random points of runs (dummy firewall): the state always loads, and after the next run firewall and state agree', { timeout: 180_000 }, async () => {
  const seed = Number(process.env.F2B_KILL_SEED ?? Date.now() % 100000);
  const random = mulberry32(seed);
  const ROUNDS = 15;
  const s = dummyScenario('maxretry = 2\nfindtime = 1d\nbantime = 1d\n');
  // How long a whole run over one round's lines takes, to spread the kills over it.
  appendFileSync(s.log, roundLines(0, 100, 4000));
  let t = performance.now();
  const first = await f2bAsync([...s.base, '--now', NOW]);
  assert.equal(first.code, 0, first.stderr);
  const runMs = performance.now() - t;
  const expected = new Set(bannedInState(s.state));
  assert.equal(expected.size, 100);

  const killedAt: number[] = [];
  const started = performance.now();
  for (let round = 1; round <= ROUNDS; round++) {
    appendFileSync(s.log, roundLines(round, 100, 4000));
    for (let b = 0; b < 100; b++) expected.add(attacker(round, b));
    const delay = Math.floor(random() * runMs * 1.1);
    killedAt.push(delay);
    const child = startF2b([...s.base, '--now', NOW]);
    const done = finished(child);
    await sleep(delay);
    child.kill('SIGKILL');
    await done;
    await assertStateLoads(s.state, round);

    const next = await f2bAsync([...s.base, '--now', NOW, '--lock-wait', '10']);
    assert.equal(next.code, 0, `round ${round} (seed ${seed}, killed after ${delay} ms): ${next.stderr}`);
    const state = bannedInState(s.state);
    assert.deepEqual(heldByDummy(s.banned), state, `round ${round} (seed ${seed}): firewall and state agree`);
    assert.deepEqual(state, expected, `round ${round} (seed ${seed}): no ban lost, none made twice or wrongly`);
  }
  assert.deepEqual(readdirSync(s.dir).filter((n) => n.includes('.corrupt-') || n.includes('.tmp')), [], 'no state was ever moved aside or left half-written');
  console.log(`# seed ${seed}: ${ROUNDS} runs of ~${runMs.toFixed(0)} ms killed after ${killedAt.join(', ')} ms; ${((performance.now() - started) / 1000).toFixed(1)} s`);
});

test('kill -9 at random points of runs banning through iptables in a network namespace: rules and state agree after the next run', { timeout: 180_000 }, async (t) => {
  const why = netnsUnavailable() ?? iptablesUnavailable();
  if (why) return t.skip(why);
  const ns = `f2b-k9-${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  const cleanup = () => { try { execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' }); } catch { /* gone */ } };
  process.once('exit', cleanup);
  try {
    const seed = Number(process.env.F2B_KILL_SEED ?? Date.now() % 100000);
    const random = mulberry32(seed);
    const dir = scratch('f2b-k9ipt-');
    const log = join(dir, 'auth.log');
    appendFileSync(log, '');
    const conf = sshdConfig(dir, log, 'maxretry = 2\nfindtime = 1d\nbantime = 1d\nport = 22\nbanaction = iptables-multiport\nbanaction_allports = iptables-allports\n');
    const state = join(dir, 'state.json');
    const args = [BIN, '--config', conf, '--state', state, '--now', NOW];
    const inNs = (extra: string[] = []) => spawn('ip', ['netns', 'exec', ns, process.execPath, ...args, ...extra], { cwd: REPO, env: { ...process.env, TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const held = () => {
      const out = execFileSync('ip', ['netns', 'exec', ns, 'ip6tables', '-w', '-S', 'f2b-sshd'], { encoding: 'utf8' });
      return new Set([...out.matchAll(/^-A f2b-sshd -s (\S+)\/128 -j /gm)].map((m) => m[1]!));
    };
    appendFileSync(log, roundLines(0, 30, 1000));
    let t0 = performance.now();
    const first = await finished(inNs());
    assert.equal(first.code, 0, first.stderr);
    const runMs = performance.now() - t0;
    const ROUNDS = 8;
    for (let round = 1; round <= ROUNDS; round++) {
      appendFileSync(log, roundLines(round, 30, 1000));
      const delay = Math.floor(random() * runMs * 1.1);
      const child = inNs();
      const done = finished(child);
      await sleep(delay);
      child.kill('SIGKILL');
      await done;
      await assertStateLoads(state, round);
      const next = await finished(inNs(['--lock-wait', '10']));
      assert.equal(next.code, 0, `round ${round} (seed ${seed}, killed after ${delay} ms): ${next.stderr}`);
      const want = bannedInState(state);
      assert.equal(want.size, 30 * (round + 1), `round ${round}: every ban in the state`);
      assert.deepEqual(held(), want, `round ${round} (seed ${seed}, killed after ${delay} ms): iptables holds exactly the state's bans`);
    }
  } finally {
    cleanup();
  }
});
