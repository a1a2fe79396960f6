// The rows about what the state holds (issue 15): an idle run over 100,000 tracked addresses and
// 20,000 bans against one over an empty state; a state of 1,000,000 active bans made with
// `import` (its size, an idle run, `status`); a run that imports and applies 100,000 bans
// (dummy action, and ipset in a network namespace). Every state is made by the CLI from
// generated input, never written by hand: its shape is the state module's business.

import { spawnSync } from 'node:child_process';
import { copyFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { bansConfig, banList, LOG_END, quietLog, stateJailConfig, trackedLog } from './fixtures.mjs';
import { count, have, ratio, row, timeInterleaved, timeMedian, timeOnce } from './measure.mjs';

const MINUTE_LATER = new Date(Date.parse(LOG_END) + 60_000).toISOString();

function check(m, what) {
  if (m.code !== 0 && m.code !== 5) throw new Error(`${what}: exited ${m.code}: ${(m.stderr || m.stdout).trim().split('\n').slice(0, 3).join(' / ')}`);
  return m;
}

/**
 * Idle runs (nothing new in the log, a minute after it ends) over the state `made` holds: each
 * timed run starts from a copy of it, so a run that tidies the state does not help the next.
 * One such run as a command for timeMedian / timeInterleaved.
 */
function idleCommand(ctx, id, { config, made }) {
  const state = join(ctx.dir, `${id}.state.json`);
  return [ctx.cli, ['--config', config, '--state', state, '--now', MINUTE_LATER, '--quiet'], { before: () => copyFileSync(made, state), longCpuMs: ctx.longCpuMs }];
}

/** Idle runs are short: at least 5 of them. */
const idleRuns = (ctx) => Math.max(ctx.runs, 5);

async function idleRow(ctx, id, name, { config, made, extra }) {
  const n = idleRuns(ctx);
  ctx.say(`${name}: up to ${n} runs`);
  const m = check(await timeMedian(n, ...idleCommand(ctx, id, { config, made })), id);
  return row(id, name, m, { stateBytes: statSync(made).size, ...extra });
}

/** A real run that makes a state: the path of a copy of what it left. */
async function makeState(ctx, id, config) {
  const state = join(ctx.dir, `${id}.state.json`);
  rmSync(state, { force: true });
  rmSync(join(config, 'bans.dummy'), { force: true });
  const m = check(await timeOnce(ctx.cli, ['--config', config, '--state', state, '--now', LOG_END, '--json'], { stdout: 'keep' }), `${id} (making the state)`);
  const made = `${state}.made`;
  copyFileSync(state, made);
  return { made, m, summary: JSON.parse(m.stdout) };
}

export async function trackedBench(ctx) {
  const tracked = Math.round(100_000 * ctx.scale);
  const banned = Math.round(20_000 * ctx.scale);
  ctx.say(`making a state of ${tracked} tracked addresses and ${banned} bans (a real run)`);
  const bigLog = trackedLog(ctx.dir, tracked, banned);
  const big = stateJailConfig(ctx.dir, 'tracked', bigLog.file);
  const bigState = await makeState(ctx, 'tracked', big);
  const bans = bigState.summary.bans?.length ?? null;
  ctx.add(row('tracked-make', `f2b-scan, the real run that makes it (${count(tracked)} + ${count(banned)} addresses, ${bans} bans)`, { ...bigState.m, runs: 1 }, { lines: tracked * 2 + banned * 5, bytes: bigLog.bytes, bans }));
  if (bans !== banned) ctx.note(`tracked state: the run made ${bans} bans, ${banned} expected`);

  // The peer: the same jail over a log without failures; its state knows the file, no address.
  const empty = stateJailConfig(ctx.dir, 'tracked-empty', quietLog(ctx.dir));
  const emptyState = await makeState(ctx, 'tracked-empty', empty);

  // In turn, round after round: two runs of a fifth of a second each swing more with the machine's
  // load than the difference measured (the empty-state run read 0.19-0.34 s on a shared VM).
  const n = idleRuns(ctx);
  ctx.say(`idle runs over ${count(tracked)} tracked + ${count(banned)} banned and over an empty state: ${n} rounds, in turn`);
  const [mBig, mEmpty] = await timeInterleaved(n, [idleCommand(ctx, 'tracked-idle', { config: big, made: bigState.made }), idleCommand(ctx, 'tracked-idle-empty', { config: empty, made: emptyState.made })]);
  const idleBig = row('tracked-idle', `f2b-scan, idle run over ${count(tracked)} tracked + ${count(banned)} banned`, check(mBig, 'tracked-idle'), { stateBytes: statSync(bigState.made).size });
  const idleEmpty = row('tracked-idle-empty', 'f2b-scan, idle run over an empty state (no address), in turn', check(mEmpty, 'tracked-idle-empty'), { stateBytes: statSync(emptyState.made).size });
  ctx.add(idleBig, idleEmpty);
  ctx.addRatio(ratio('tracked-vs-empty', `idle run: ${count(tracked)} tracked + ${count(banned)} bans / empty state`, idleBig, idleEmpty, 'a', 'the empty state'));
}

export async function millionBench(ctx) {
  const n = Math.round(1_000_000 * ctx.scale);
  const list = banList(ctx.dir, n, false);
  const config = stateJailConfig(ctx.dir, 'million', quietLog(ctx.dir));
  const state = join(ctx.dir, 'million.state.json');
  const fresh = () => {
    rmSync(state, { force: true });
    rmSync(join(config, 'bans.dummy'), { force: true });
  };
  ctx.say(`import of ${count(n)} bans (dummy action): up to ${ctx.runs} runs`);
  const imp = check(await timeMedian(ctx.runs, ctx.cli, ['import', list, '--jail', 'sshd', '--bantime', '1w', '--config', config, '--state', state, '--now', LOG_END], { before: fresh, longCpuMs: ctx.longCpuMs }), 'million import');
  const stateBytes = statSync(state).size;
  ctx.add(row('million-import', `f2b-scan import, ${count(n)} bans into an empty state (dummy action)`, imp, { bans: n, stateBytes }));

  // One untimed run first, as cron's next minute after the import: it records the quiet log's
  // cursor, which the import does not, so that run writes the state. Each timed idle run then
  // starts from what it left, with nothing to read and nothing to change (as every later cron
  // run over this state), and is not charged for a 45 MB write no real idle run makes.
  check(await timeOnce(ctx.cli, ['--config', config, '--state', state, '--now', LOG_END, '--quiet']), 'million: the run after the import');
  const made = `${state}.made`;
  copyFileSync(state, made);
  const idle = await idleRow(ctx, 'million-idle', `f2b-scan, idle run over ${count(n)} active bans`, { config, made, extra: { bans: n } });
  ctx.say(`status over ${count(n)} bans: up to ${ctx.runs} runs`);
  const st = check(await timeMedian(ctx.runs, ctx.cli, ['status', '--config', config, '--state', made, '--now', MINUTE_LATER], { longCpuMs: ctx.longCpuMs }), 'million status');
  ctx.add(idle, row('million-status', `f2b-scan status, ${count(n)} active bans`, st, { bans: n, stateBytes: statSync(made).size }));
}

export async function importBench(ctx) {
  const n = Math.round(100_000 * ctx.scale);
  const list = banList(ctx.dir, n, true);
  const quiet = quietLog(ctx.dir);
  const args = (jail, config, state) => ['import', list, '--jail', jail, '--bantime', '1h', '--config', config, '--state', state, '--now', LOG_END];

  const dummyCfg = stateJailConfig(ctx.dir, 'import-dummy', quiet);
  const state = join(ctx.dir, 'import-dummy.state.json');
  ctx.say(`import and apply ${count(n)} bans, dummy action: up to ${ctx.runs} runs`);
  const before = () => {
    rmSync(state, { force: true });
    rmSync(join(dummyCfg, 'bans.dummy'), { force: true });
  };
  const d = check(await timeMedian(ctx.runs, ctx.cli, args('sshd', dummyCfg, state), { before, longCpuMs: ctx.longCpuMs }), 'import, dummy');
  ctx.add(row('import-dummy', `f2b-scan import, ${count(n)} bans applied (dummy action)`, d, { bans: n }));

  const why = process.getuid?.() !== 0 ? 'needs root' : !have('unshare') ? 'unshare not installed' : !have('ipset') ? 'ipset not installed' : !have('iptables') ? 'iptables not installed' : null;
  if (why) {
    ctx.note(`import of ${count(n)} bans via ipset: skipped (${why}: it runs in a private network namespace)`);
    return;
  }
  const ipsetCfg = bansConfig(ctx.dir, 'iptables-ipset-proto6', quiet);
  const ipState = join(ctx.dir, 'import-ipset.state.json');
  ctx.say(`import and apply ${count(n)} bans via ipset in a network namespace: up to ${ctx.runs} runs`);
  // Each run in a new network namespace (unshare -n) from an empty state: every ban is new.
  const m = await timeMedian(ctx.runs, 'unshare', ['-n', ctx.cli, ...args('bench', ipsetCfg, ipState)], { before: () => rmSync(ipState, { force: true }), longCpuMs: ctx.longCpuMs, stdout: 'keep' });
  if (m.code !== 0) {
    ctx.note(`import of ${count(n)} bans via ipset: the run exited ${m.code}: ${(m.stderr || m.stdout).trim().split('\n').slice(0, 2).join(' / ')}`);
    return;
  }
  // The sets the run filled, counted in the namespace before it goes (an untimed run): a row
  // that timed an import the firewall refused would be worth nothing.
  rmSync(ipState, { force: true });
  const listed = spawnSync('unshare', ['-n', 'sh', '-c', '"$0" "$@" >/dev/null 2>&1; ipset list -t', ctx.cli, ...args('bench', ipsetCfg, ipState)], { encoding: 'utf8' });
  const held = [...(listed.stdout ?? '').matchAll(/Number of entries: (\d+)/g)].reduce((a, x) => a + Number(x[1]), 0);
  if (held !== n) ctx.note(`import via ipset: the sets held ${held} entries after the run, ${n} expected`);
  ctx.add(row('import-ipset', `f2b-scan import, ${count(n)} bans applied via ipset (iptables-ipset-proto6, netns)`, m, { bans: held }));
}

