// The floor (group `floor`): the least any run of the sshd rule costs over the mixed log and the
// 200k attack, measured with the project's own code in stages (floor-stages.mjs), and the most
// a run could then reach against each peer: the peer's CPU over (node's start + the floor). A
// target above that ceiling cannot be met by tuning what f2b-scan does beyond the floor: it asks
// for regexes and a runtime cheaper than these.

import { join } from 'node:path';
import { attackLog } from './fixtures.mjs';
import { count, have, median, medians, ratio, row, timeOnce } from './measure.mjs';

// The floor's stages, then the matcher alone (not part of the floor: where a run's cost goes next).
const STAGES = ['read', 'prefilter', 'date', 'prefregex', 'matcher'];
const FLOOR = STAGES.indexOf('prefregex');
const SSHG_PARSER = '/usr/libexec/sshguard/sshg-parser';
const SSHD_CONF = '/etc/fail2ban/filter.d/sshd.conf';
const WHAT = {
  read: 'read and split into lines',
  prefilter: '+ the word test on every line',
  date: '+ the date cut out of the lines that passed',
  prefregex: '+ the prefregex on what is left',
  matcher: "the rule's matcher alone, as a scan runs it (failregexes, connections): not a floor",
};

/**
 * `runs` rounds of `node -e 0`, each stage over `file` and the `peers` ([id, cmd, args, opts]) in
 * turn; the medians. A stage's figure is its own CPU from its first read to its last line. A peer
 * with `once` (a slow one) runs in the first round only.
 */
async function measureFloor(ctx, file, peers) {
  const script = join(ctx.root, 'bench', 'floor-stages.mjs');
  const start = [];
  const stages = STAGES.map(() => []);
  const peerRuns = peers.map(() => []);
  for (let i = 0; i < ctx.runs; i++) {
    start.push((await timeOnce(process.execPath, ['-e', '0'])).cpuMs);
    for (const [k, s] of STAGES.entries()) {
      const r = await timeOnce(process.execPath, ['--import', 'tsx', script, file, s], { stdout: 'keep', cwd: ctx.root });
      if (r.code !== 0) throw new Error(`floor-stages.mjs ${s} exited ${r.code}: ${r.stderr.trim().split('\n').at(-1)}`);
      stages[k].push(JSON.parse(r.stdout).cpuMs);
    }
    for (const [k, [, cmd, args, opts]] of peers.entries()) if (i === 0 || !opts.once) peerRuns[k].push(await timeOnce(cmd, args, opts));
  }
  return { start: median(start), stages: stages.map(median), peers: peerRuns.map(medians) };
}

/** The stage rows and the floor's own row (node's start + every stage) for `label`'s log. */
function floorRows(ctx, id, label, file, m) {
  const rows = STAGES.map((s, k) => row(`${id}-${s}`, k > FLOOR ? `${label}: ${WHAT[s]}` : `floor, ${label}: ${WHAT[s]}`, { runs: ctx.runs, cpuMs: m.stages[k], wallMs: null, rssMB: null }, { lines: file.lines, bytes: file.bytes }));
  const floor = row(id, `floor, ${label}: node -e 0 (${(m.start / 1000).toFixed(2)} s) + read, word test, date, prefregex`, { runs: ctx.runs, cpuMs: m.start + m.stages[FLOOR], wallMs: null, rssMB: null }, { lines: file.lines, bytes: file.bytes });
  ctx.add(...rows.slice(0, FLOOR + 1), floor, ...rows.slice(FLOOR + 1));
  return floor;
}

export async function floorBench(ctx) {
  if (!ctx.exists(join(ctx.root, 'node_modules', 'tsx'))) {
    ctx.note('floor: skipped (it runs the sources with tsx: npm ci installs it)');
    return;
  }
  const mixed = (await ctx.mixedOneJail()).file;
  const sshg = have(SSHG_PARSER);
  ctx.say(`the floor over the mixed ${count(mixed.lines)} auth.log${sshg ? ', sshg-parser in turn' : ''}`);
  const m = await measureFloor(ctx, mixed.file, sshg ? [['sshg-parser', SSHG_PARSER, [], { stdin: mixed.file }]] : []);
  const floor = floorRows(ctx, 'floor-mixed', `mixed ${count(mixed.lines)} auth.log`, mixed, m);
  if (sshg) {
    const peer = row('floor-sshg-parser', 'sshguard sshg-parser (stdin), mixed log, in turn with the floor', m.peers[0], { lines: mixed.lines, bytes: mixed.bytes });
    ctx.add(peer);
    ctx.addRatio(ratio('ceiling-vs-sshg', 'mixed log: sshg-parser CPU / the floor (the most any run could reach)', peer, floor, 'b', 'sshg-parser costs'));
  } else ctx.note(`floor: ${SSHG_PARSER} not found, no ceiling against it (apt-get install sshguard)`);

  const attack = attackLog(ctx.dir, ctx.sizes.small);
  // fail2ban-regex runs once, in turn with the stages: its ceiling sees the same machine.
  const f2bRegex = have('fail2ban-regex') && ctx.exists(SSHD_CONF);
  ctx.say(`the floor over the ${count(attack.lines)} attack log${f2bRegex ? ', fail2ban-regex once in turn (slow)' : ''}`);
  const am = await measureFloor(ctx, attack.file, f2bRegex ? [['f2b-regex', 'fail2ban-regex', [attack.file, SSHD_CONF], { once: true }]] : []);
  const a = floorRows(ctx, 'floor-attack', `attack ${count(attack.lines)}`, attack, am);
  if (f2bRegex) {
    const peer = row('floor-f2b-regex', 'fail2ban-regex, stock sshd.conf, attack log, once in turn with the floor', am.peers[0], { lines: attack.lines, bytes: attack.bytes });
    ctx.add(peer);
    ctx.addRatio(ratio('ceiling-vs-f2b-regex', 'attack: fail2ban-regex CPU / the floor (the most any run could reach)', peer, a, 'b', 'fail2ban-regex costs'));
  } else ctx.note(`floor: fail2ban-regex or ${SSHD_CONF} not found, no ceiling against it (apt-get install fail2ban)`);
  // fail2ban-server takes half a minute and a configuration of its own: its row is the attack group's.
  const server = ctx.rowOf('f2b-server-attack');
  if (server) ctx.addRatio(ratio('ceiling-vs-f2b-server', 'attack: fail2ban-server CPU (the attack group) / the floor (the most any run could reach)', server, a, 'b', 'fail2ban-server costs'));
  else ctx.note('floor: the ceiling against fail2ban-server needs the attack group in the same run (and the fail2ban package)');
}
