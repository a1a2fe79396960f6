// The attack rows (issue 15): a distributed brute force of 200,000 and 1,000,000 auth.log
// lines with a fresh address on most failures, dry and real; its peers fail2ban-regex and a
// real fail2ban-server on the same file; the same 1M lines from 100 addresses (the growth
// ratio); five jails over one file against one jail.
//
// The two ratios of f2b-scan against itself (growth, five jails / one) compare runs measured in
// turn (A, B, A, B ...): on a shared machine the load moves more within a minute than the
// difference measured, and two series taken minutes apart read 1.33x one time, 1.66x another.

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { measureFail2banServer, fail2banServerMissing } from './fail2ban-server.mjs';
import { ATTACK_END, ATTACK_JAIL, attackConfig, attackLog, fiveJailsConfig, FIVE_JAILS } from './fixtures.mjs';
import { count, have, ratio, row, timeInterleaved, timeMedian } from './measure.mjs';


/**
 * One f2b-scan run from an empty state (every timed run), `--json` for the counts, as a command
 * for timeMedian / timeInterleaved. `dry`: `--dry-run`; else a real run whose bans go to the
 * scenario's dummy file.
 */
export function scanCommand(ctx, id, { config, now, dry, env }) {
  const state = join(ctx.dir, `${id}.state.json`);
  ctx.warmVerdicts(state);
  const before = () => {
    rmSync(state, { force: true });
    rmSync(join(config, 'bans.dummy'), { force: true });
  };
  const args = ['--config', config, '--state', state, '--now', now, '--json', ...(dry ? ['--dry-run'] : [])];
  return [ctx.cli, args, { stdout: 'keep', before, env, longCpuMs: ctx.longCpuMs }];
}

/** The table row of a scan command's measurement (its counts from the last run's `--json`). */
export function scanResult(id, name, file, m) {
  if (m.code !== 0 && m.code !== 5) throw new Error(`${id}: f2b-scan exited ${m.code}: ${m.stderr.trim().split('\n').slice(0, 3).join(' / ')}`);
  const summary = JSON.parse(m.stdout);
  const failures = Object.values(summary.failures ?? {}).reduce((a, n) => a + n, 0);
  return row(id, name, m, { lines: file.lines, bytes: file.bytes, addresses: file.addresses, failures, bans: summary.bans?.length ?? null });
}

export async function scanRow(ctx, id, name, spec) {
  const [cmd, args, opts] = scanCommand(ctx, id, spec);
  ctx.say(`${name}: up to ${ctx.runs} runs`);
  return scanResult(id, name, spec.file, await timeMedian(ctx.runs, cmd, args, opts));
}

/** Rows of scans measured in turn, round after round (`specs`: [id, name, spec] each). */
async function scanRowsInTurn(ctx, specs) {
  ctx.say(`${specs.map(([, name]) => name).join(' | ')}: ${ctx.runs} rounds, in turn`);
  const ms = await timeInterleaved(ctx.runs, specs.map(([id, , spec]) => scanCommand(ctx, id, spec)));
  return specs.map(([id, name, spec], k) => scanResult(id, name, spec.file, ms[k]));
}

/** An attack log of `size` lines (fresh addresses, or `pool` of them), its config and the scan specs of its dry and real run. */
function attackScans(ctx, size, pool = 0) {
  const lines = ctx.sizes[size];
  ctx.say(`generating the attack log, ${lines} lines${pool ? `, ${pool} addresses` : ''}`);
  const file = attackLog(ctx.dir, lines, pool);
  // Ids name the role (small/big), names the size: the targets find rows by id at any --scale.
  const id = `attack-${size}${pool ? `-pool${pool}` : ''}`;
  const config = attackConfig(ctx.dir, id, file.file);
  const who = pool ? `${pool} addresses` : 'fresh addresses';
  const base = { config, file, now: ATTACK_END };
  return {
    file,
    dry: [`${id}-dry`, `f2b-scan, attack ${count(lines)} (${who}), --dry-run`, { ...base, dry: true }],
    real: [`${id}-real`, `f2b-scan, attack ${count(lines)} (${who}), real run`, { ...base, dry: false }],
  };
}

/** The 200k attack, dry and real. */
function smallAttackRows(ctx) {
  return ctx.once('attack-small', async () => {
    const s = attackScans(ctx, 'small');
    const [dry, real] = await scanRowsInTurn(ctx, [s.dry, s.real]);
    ctx.add(dry, real);
    return { file: s.file, dry, real };
  });
}

/**
 * The 1M attack from fresh addresses and from 100, dry and real, all four in turn (memoised:
 * the attack group shows the fresh rows, growth divides them by the 100-address ones).
 */
function bigAttackRows(ctx) {
  return ctx.once('attack-big', async () => {
    const many = attackScans(ctx, 'big');
    const few = attackScans(ctx, 'big', 100);
    const [manyDry, fewDry, manyReal, fewReal] = await scanRowsInTurn(ctx, [many.dry, few.dry, many.real, few.real]);
    ctx.add(manyDry, manyReal, fewDry, fewReal);
    return { many: { file: many.file, dry: manyDry, real: manyReal }, few: { file: few.file, dry: fewDry, real: fewReal } };
  });
}

export async function attackBench(ctx) {
  const small = ctx.sizes.small;
  const a = await smallAttackRows(ctx);
  await bigAttackRows(ctx);

  const sshdConf = '/etc/fail2ban/filter.d/sshd.conf';
  if (have('fail2ban-regex') && ctx.exists(sshdConf)) {
    ctx.say(`fail2ban-regex on the ${count(small)} attack log (slow)`);
    const m = await timeMedian(ctx.runs, 'fail2ban-regex', [a.file.file, sshdConf], { stdout: 'keep', longCpuMs: ctx.longCpuMs });
    const matched = /Lines: \d+ lines, \d+ ignored, (\d+) matched/.exec(m.stdout);
    const r = row('f2b-regex-attack', `fail2ban-regex, stock sshd.conf, attack ${count(small)}`, m, { lines: a.file.lines, bytes: a.file.bytes, failures: matched ? Number(matched[1]) : null });
    ctx.add(r);
    ctx.addRatio(ratio('attack-dry-vs-f2b-regex', `attack ${count(small)} --dry-run: fail2ban-regex CPU / f2b-scan CPU`, r, a.dry, 'b', 'fail2ban-regex costs'));
  } else ctx.note(`fail2ban-regex vs the attack: skipped (fail2ban-regex or ${sshdConf} missing: Debian package fail2ban)`);

  const missing = fail2banServerMissing();
  if (missing) ctx.note(`fail2ban-server vs the attack: skipped (${missing})`);
  else {
    ctx.say(`a real fail2ban-server over the ${count(small)} attack log (slow: until "Total failed" stops moving)`);
    try {
      const m = await measureFail2banServer(ctx.dir, { logFile: a.file.file, filter: 'sshd', jailOptions: ATTACK_JAIL });
      const r = row('f2b-server-attack', `fail2ban-server (polling, :memory:, dummy), attack ${count(small)}`, m, { lines: a.file.lines, bytes: a.file.bytes, failures: m.failed, bans: m.banned });
      ctx.add(r);
      ctx.addRatio(ratio('attack-real-vs-f2b-server', `attack ${count(small)} real run: fail2ban-server CPU / f2b-scan CPU`, r, a.real, 'b', 'fail2ban-server costs'));
    } catch (e) {
      ctx.note(`fail2ban-server vs the attack: failed: ${e.message}`);
    }
  }
}

export async function growthBench(ctx) {
  const { many, few } = await bigAttackRows(ctx);
  const what = (kind) => `attack ${count(ctx.sizes.big)} ${kind}: ${count(many.file.addresses)} addresses / 100 addresses`;
  ctx.addRatio(ratio('growth-dry', what('--dry-run'), many.dry, few.dry, 'a', 'the 100-address run'));
  ctx.addRatio(ratio('growth-real', what('real run'), many.real, few.real, 'a', 'the 100-address run'));
}

export async function fiveJailsBench(ctx) {
  const one = await ctx.mixedOneJail();
  const config = fiveJailsConfig(ctx.dir, one.file.file);
  const n = count(one.file.lines);
  const spec = (c) => ({ config: c, file: one.file, now: ctx.logEnd, dry: true });
  // The one-jail run again, in turn with the five (the scan group's row was measured minutes before).
  const [five, alone] = await scanRowsInTurn(ctx, [
    ['five-jails', `f2b-scan, ${FIVE_JAILS.length} jails over the mixed ${n} auth.log, --dry-run`, spec(config)],
    ['five-one-jail', `f2b-scan, sshd jail, mixed ${n} auth.log, --dry-run, in turn with the ${FIVE_JAILS.length} jails`, spec(one.config)],
  ]);
  ctx.add(five, alone);
  ctx.addRatio(ratio('five-vs-one', `${FIVE_JAILS.length} jails / 1 jail over the same file, in turn (CPU)`, five, alone, 'a', 'one jail'));
}
