// State benchmark (run through tsx: it times the library, not the CLI's start-up):
// a state of 100,000 tracked addresses and 20,000 active bans is loaded, one address
// reaches maxretry and is banned (the policy step), and the state is written back.
//   node --import tsx bench/state.mjs DIR [runs]   -> one JSON line on stdout

import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../src/config/index.ts';
import { decide } from '../src/policy/index.ts';
import { emptyState } from '../src/state/schema.ts';
import { loadState, saveState } from '../src/state/store.ts';
import { builtinRulesDir } from '../src/util/paths.ts';

const [dir, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 5);
const TRACKED = 100_000;
const BANNED = 20_000;
const now = Date.parse('2026-11-24T12:00:00Z') / 1000;

const cfgDir = join(dir, 'cfg-state');
mkdirSync(cfgDir, { recursive: true });
writeFileSync(join(cfgDir, 'jail.local'), '[sshd]\nenabled = true\nlogpath = /dev/null\nmaxretry = 5\nfindtime = 10m\nbantime = 1h\n');
const jails = loadConfig({ configDir: cfgDir, builtinDir: builtinRulesDir() }).jails.filter((j) => j.enabled);

// Distinct documentation addresses: 2001:db8::/32 has room for all of them.
const addr = (i) => `2001:db8:${((i >> 16) + 1).toString(16)}:${((i & 0xffff) + 1).toString(16)}::7`;

function bigState() {
  const s = emptyState();
  const failures = (s.failures.sshd = {});
  for (let i = 0; i < TRACKED; i++) {
    const t = now - 500 + (i % 400);
    failures[addr(i)] = { times: [t, t + 30], lines: [`Nov 24 11:52:00 srv1 sshd[${i}]: Failed password for root from ${addr(i)} port 22 ssh2`] };
  }
  const bans = (s.bans.sshd = {});
  for (let i = TRACKED; i < TRACKED + BANNED; i++) {
    bans[addr(i)] = { start: now - 600, until: now + 3000, failures: 5, count: 1, origin: 'local' };
    s.banHistory[addr(i)] = { count: 1, last: now - 600, jails: { sshd: 1 }, bantime: 3600 };
  }
  return s;
}

const path = join(dir, 'state-100k.json');
await saveState(path, bigState());
const bytes = statSync(path).size;

const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
// CPU time too: on a loaded machine it says what the work costs, wall time what it waited.
const cpu = (c0) => {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};
const samples = [];
for (let r = 0; r < runs; r++) {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const { state } = await loadState(path);
  const load = ms(t0);
  const loadCpu = cpu(c0);
  // The address that tips over: its fifth failure arrives in this run.
  const ip = addr(0);
  const t1 = process.hrtime.bigint();
  const failures = [0, 1, 2].map((k) => ({ jail: 'sshd', ip, time: now - 10 + k, line: 'x', source: 'bench' }));
  const policy = decide({ state, failures, jails, now });
  Object.assign(state, policy.state);
  const banned = policy.decisions.filter((d) => d.kind === 'ban').length;
  const ban = ms(t1);
  const t2 = process.hrtime.bigint();
  const c2 = process.cpuUsage();
  await saveState(path, state);
  const write = ms(t2);
  const writeCpu = cpu(c2);
  samples.push({ load, ban, write, banned, loadCpu, writeCpu, total: load + write, totalCpu: loadCpu + writeCpu });
  // Put the file back as it was, so every round starts from the same state.
  await saveState(path, bigState());
}
const med = (k) => {
  const s = samples.map((x) => x[k]).sort((a, b) => a - b);
  return s[s.length >> 1];
};
process.stdout.write(JSON.stringify({ tracked: TRACKED, banned: BANNED, bytes, runs, loadMs: med('load'), banMs: med('ban'), writeMs: med('write'), loadWriteMs: med('total'), loadWriteCpuMs: med('totalCpu'), newBans: samples[0].banned }) + '\n');
