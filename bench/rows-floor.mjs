// The floor (group `floor`): the least any run of the sshd rule costs over the mixed log and the
// 200k attack, measured with the project's own code in stages (floor-stages.mjs), and the most
// a run could then reach against each peer: the peer's CPU over (node's start + the floor). A
// target above that ceiling cannot be met by tuning what f2b-scan does beyond the floor: it asks
// for regexes and a runtime cheaper than these.

import { join } from 'node:path';
import { attackLog } from './fixtures.mjs';
import { have, median, ratio, row, timeOnce } from './measure.mjs';

// The floor's stages, then the matcher alone (not part of the floor: where a run's cost goes next).
const STAGES = ['read', 'prefilter', 'date', 'prefregex', 'matcher'];
const FLOOR = STAGES.indexOf('prefregex');
const count = (n) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1000 ? `${Math.round(n / 1000)}k` : String(n));
const SSHG_PARSER = '/usr/libexec/sshguard/sshg-parser';
const WHAT = {
  read: 'read and split into lines',
  prefilter: '+ the word test on every line',
  date: '+ the date cut out of the lines that passed',
  prefregex: '+ the prefregex on what is left',
  matcher: "the rule's matcher alone, as a scan runs it (failregexes, connections): not a floor",
};

/**
 * `runs` rounds of `node -e 0`, each stage over `file` and the `peers` ([id, cmd, args, opts]) in
 * turn; the medians. A stage's figure is its own CPU from its first read to its last line.
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
    for (const [k, [, cmd, args, opts]] of peers.entries()) peerRuns[k].push(await timeOnce(cmd, args, opts));
  }
  return { start: median(start), stages: stages.map(median), peers: peerRuns.map((runs) => ({ runs: runs.length, cpuMs: median(runs.map((r) => r.cpuMs)), wallMs: median(runs.map((r) => r.wallMs)), rssMB: Math.max(...runs.map((r) => r.rssMB)) })) };
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
  ctx.say(`the floor over the ${count(attack.lines)} attack log`);
  const a = floorRows(ctx, 'floor-attack', `attack ${count(attack.lines)}`, attack, await measureFloor(ctx, attack.file, []));
  // The peers' rows come from the attack group of the same run (it runs before this one).
  const regex = ctx.rowOf('f2b-regex-attack');
  const server = ctx.rowOf('f2b-server-attack');
  if (regex) ctx.addRatio(ratio('ceiling-vs-f2b-regex', 'attack: fail2ban-regex CPU / the floor (the most any run could reach)', regex, a, 'b', 'fail2ban-regex costs'));
  if (server) ctx.addRatio(ratio('ceiling-vs-f2b-server', 'attack: fail2ban-server CPU / the floor (the most any run could reach)', server, a, 'b', 'fail2ban-server costs'));
  if (!regex || !server) ctx.note('floor: the ceilings against fail2ban-regex and fail2ban-server need the attack group in the same run (and the fail2ban package)');
}
