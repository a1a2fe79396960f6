// The attack rows (issue 15): a distributed brute force of 200,000 and 1,000,000 auth.log
// lines with a fresh address on most failures, dry and real; its peers fail2ban-regex and a
// real fail2ban-server on the same file; the same 1M lines from 100 addresses (the growth
// ratio); five jails over one file against one jail.

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { measureFail2banServer, fail2banServerMissing } from './fail2ban-server.mjs';
import { ATTACK_END, ATTACK_JAIL, attackConfig, attackLog, fiveJailsConfig, FIVE_JAILS } from './fixtures.mjs';
import { have, ratio, row, timeMedian } from './measure.mjs';

const count = (n) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1000 ? `${Math.round(n / 1000)}k` : String(n));

/**
 * One f2b-scan run from an empty state (every timed run), `--json` for the counts. `dry`:
 * `--dry-run`; else a real run whose bans go to the scenario's dummy file.
 */
export async function scanRow(ctx, id, name, { config, file, now, dry, env }) {
  const state = join(ctx.dir, `${id}.state.json`);
  ctx.warmVerdicts(state);
  const before = () => {
    rmSync(state, { force: true });
    rmSync(join(config, 'bans.dummy'), { force: true });
  };
  const args = ['--config', config, '--state', state, '--now', now, '--json', ...(dry ? ['--dry-run'] : [])];
  ctx.say(`${name}: up to ${ctx.runs} runs`);
  const m = await timeMedian(ctx.runs, ctx.cli, args, { stdout: 'keep', before, env, longCpuMs: ctx.longCpuMs });
  if (m.code !== 0 && m.code !== 5) throw new Error(`${id}: f2b-scan exited ${m.code}: ${m.stderr.trim().split('\n').slice(0, 3).join(' / ')}`);
  const summary = JSON.parse(m.stdout);
  const failures = Object.values(summary.failures ?? {}).reduce((a, n) => a + n, 0);
  return row(id, name, m, { lines: file.lines, bytes: file.bytes, addresses: file.addresses, failures, bans: summary.bans?.length ?? null });
}

/** The distributed attack of `lines` lines, dry and real (memoised: growth reuses the 1M rows). */
function attackRows(ctx, size, pool = 0) {
  const lines = ctx.sizes[size];
  return ctx.once(`attack-${size}-${pool}`, async () => {
    ctx.say(`generating the attack log, ${lines} lines${pool ? `, ${pool} addresses` : ''}`);
    const file = attackLog(ctx.dir, lines, pool);
    // Ids name the role (small/big), names the size: the targets find rows by id at any --scale.
    const id = `attack-${size}${pool ? `-pool${pool}` : ''}`;
    const config = attackConfig(ctx.dir, id, file.file);
    const who = pool ? `${pool} addresses` : 'fresh addresses';
    const base = { config, file, now: ATTACK_END };
    const dry = await scanRow(ctx, `${id}-dry`, `f2b-scan, attack ${count(lines)} (${who}), --dry-run`, { ...base, dry: true });
    const real = await scanRow(ctx, `${id}-real`, `f2b-scan, attack ${count(lines)} (${who}), real run`, { ...base, dry: false });
    ctx.add(dry, real);
    return { file, dry, real };
  });
}


export async function attackBench(ctx) {
  const small = ctx.sizes.small;
  const a = await attackRows(ctx, 'small');
  await attackRows(ctx, 'big');

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
  const many = await attackRows(ctx, 'big');
  const few = await attackRows(ctx, 'big', 100);
  const what = (kind) => `attack ${count(ctx.sizes.big)} ${kind}: ${count(many.file.addresses)} addresses / 100 addresses`;
  ctx.addRatio(ratio('growth-dry', what('--dry-run'), many.dry, few.dry, 'a', 'the 100-address run'));
  ctx.addRatio(ratio('growth-real', what('real run'), many.real, few.real, 'a', 'the 100-address run'));
}

export async function fiveJailsBench(ctx) {
  const one = await ctx.mixedOneJail();
  const config = fiveJailsConfig(ctx.dir, one.file.file);
  const five = await scanRow(ctx, 'five-jails', `f2b-scan, ${FIVE_JAILS.length} jails over the mixed ${count(one.file.lines)} auth.log, --dry-run`, { config, file: one.file, now: ctx.logEnd, dry: true });
  ctx.add(five);
  ctx.addRatio(ratio('five-vs-one', `${FIVE_JAILS.length} jails / 1 jail over the same file (CPU)`, five, one.row, 'a', 'one jail'));
}
