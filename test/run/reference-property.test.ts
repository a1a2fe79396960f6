// Same bans as a small, obviously correct reference (issue 15.4): random logs for three jails
// (two share one file), addresses written in several spellings, rotation between runs,
// bantime.increment, ignoreip, both counting modes, fed to real runs one after another (the
// scan, the fold, the policy, the state file, a dummy firewall) and to the reference below,
// which keeps every failure in plain lists and replays them. Ban and unban decisions, failure
// counts and ban ends must be identical, run by run.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { runScan } from '../../src/run/run.ts';

const T0 = Date.UTC(2026, 10, 24, 10, 0, 0) / 1000;
const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Each attacker and the ways a log may write it. */
const ATTACKERS: { ip: string; spellings: string[] }[] = [
  { ip: '192.0.2.1', spellings: ['192.0.2.1', '::ffff:192.0.2.1'] },
  { ip: '198.51.100.3', spellings: ['198.51.100.3'] },
  { ip: '203.0.113.7', spellings: ['203.0.113.7'] },
  { ip: '2001:db8::5', spellings: ['2001:db8::5', '2001:DB8:0:0:0:0:0:5', '2001:db8:0::5'] },
  { ip: '2001:db8:1::9', spellings: ['2001:db8:1::9'] },
];

interface JailSpec {
  name: string;
  file: 'one' | 'two';
  maxretry: number;
  findtime: number;
  bantime: number;
  increment: boolean;
  /** A range this jail never bans. */
  ignoreip?: string;
}

interface Scenario {
  counting: 'fail2ban' | 'strict';
  jails: JailSpec[];
  /** The run from which the jail `beta` is enabled: it then reads its file from the start, beside `alpha`. */
  betaFrom: number;
  runs: { advance: number; rotate: boolean; lines: { file: 'one' | 'two'; who: number; spelling: number }[] }[];
}

let pid = 3000;
function line(t: number, spelled: string): string {
  const d = new Date(t * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${MON[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} host sshd[${pid++}]: Failed password for root from ${spelled} port 22 ssh2`;
}

// ---------------------------------------------------------------------------------------------
// The reference: every failure kept in a list per (jail, address); each run replays the rules.

interface RefTicket {
  times: number[];
  first: number;
  last: number;
  retry: number;
  attempts: number;
}

function inRange(ip: string, range: string | undefined): boolean {
  // The test's ignoreip ranges are /24s of IPv4.
  if (!range) return false;
  const net = range.split('/')[0]!.split('.').slice(0, 3).join('.');
  return ip.split('.').slice(0, 3).join('.') === net;
}

class Reference {
  private readonly tickets = new Map<string, RefTicket>();
  private readonly bans = new Map<string, number>();
  private readonly history = new Map<string, number>();

  constructor(private readonly jails: JailSpec[], private readonly counting: 'fail2ban' | 'strict') {}

  run(now: number, failures: Map<string, { ip: string; t: number }[]>): { bans: string[]; unbans: string[] } {
    const bans: string[] = [];
    const unbans: string[] = [];
    for (const [k, until] of this.bans) {
      if (until <= now) {
        this.bans.delete(k);
        unbans.push(k);
      }
    }
    for (const j of this.jails) {
      const ripe: string[] = [];
      for (const { ip, t } of failures.get(j.name) ?? []) {
        const k = `${j.name} ${ip}`;
        if (inRange(ip, j.ignoreip) || t <= now - j.findtime || this.bans.has(k)) continue;
        const n = this.history.get(k) ?? 0;
        const weight = j.increment && n > 0 ? Math.min(2 ** n / 2 + 1, j.maxretry) : 1;
        let tk = this.tickets.get(k);
        if (this.counting === 'strict') {
          const times = [...(tk?.times ?? []), t].filter((x) => x > now - j.findtime).sort((a, b) => a - b);
          tk = { times, first: times[0]!, last: times.at(-1)!, retry: times.length * weight, attempts: times.length };
        } else if (!tk || tk.last < t - j.findtime) {
          tk = { times: [], first: t, last: t, retry: weight, attempts: 1 };
        } else {
          // fail2ban's FailTicket: past findtime, retries are rated to the span (Python round()).
          if (t > tk.last) {
            if (tk.first < t - j.findtime) {
              const x = (tk.retry / (t - tk.first)) * j.findtime;
              const r = Math.round(x);
              tk.retry = r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
              tk.first = t - j.findtime;
            }
            tk.last = t;
          }
          tk.retry += ripe.includes(k) ? 1 : weight;
          tk.attempts++;
        }
        this.tickets.set(k, tk);
        if (tk.retry >= j.maxretry && !ripe.includes(k)) ripe.push(k);
      }
      for (const k of ripe) {
        const tk = this.tickets.get(k)!;
        this.tickets.delete(k);
        const n = this.history.get(k) ?? 0;
        const length = j.increment && n > 0 ? j.bantime * 2 ** Math.min(n, 20) : j.bantime;
        this.bans.set(k, now + length);
        this.history.set(k, n + 1);
        bans.push(`${k} ${tk.attempts} ${now + length}`);
      }
      for (const [k, tk] of this.tickets) if (k.startsWith(`${j.name} `) && tk.last <= now - j.findtime) this.tickets.delete(k);
    }
    return { bans: bans.sort(), unbans: unbans.sort() };
  }
}

// ---------------------------------------------------------------------------------------------

const jailArb = (name: string, file: 'one' | 'two', ignoreip?: string) =>
  fc.record({
    maxretry: fc.integer({ min: 1, max: 5 }),
    findtime: fc.constantFrom(120, 600, 3600),
    bantime: fc.constantFrom(300, 1800),
    increment: fc.boolean(),
  }).map((r): JailSpec => ({ name, file, ...r, ...(ignoreip ? { ignoreip } : {}) }));

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  counting: fc.constantFrom('fail2ban' as const, 'strict' as const),
  betaFrom: fc.integer({ min: 0, max: 4 }),
  jails: fc.tuple(jailArb('alpha', 'one'), jailArb('beta', 'one', '203.0.113.0/24'), jailArb('gamma', 'two')).map((t) => [...t]),
  runs: fc.array(
    fc.record({
      advance: fc.constantFrom(30, 60, 60, 120, 600, 2000),
      rotate: fc.integer({ min: 0, max: 3 }).map((x) => x === 0),
      lines: fc.array(
        fc.record({ file: fc.constantFrom('one' as const, 'one' as const, 'two' as const), who: fc.integer({ min: 0, max: ATTACKERS.length - 1 }), spelling: fc.nat() }),
        { maxLength: 14 },
      ),
    }),
    { minLength: 1, maxLength: 7 },
  ),
});

async function check(sc: Scenario): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'f2b-ref-'));
  try {
    const files = { one: join(dir, 'one.log'), two: join(dir, 'two.log') };
    writeFileSync(files.one, '');
    writeFileSync(files.two, '');
    const configure = (jails: JailSpec[]) => {
      const jailText = jails
        .map((j) =>
          [
            `[${j.name}]`,
            'enabled = true',
            'filter = sshd',
            `logpath = ${files[j.file]}`,
            `maxretry = ${j.maxretry}`,
            `findtime = ${j.findtime}`,
            `bantime = ${j.bantime}`,
            `bantime.increment = ${j.increment}`,
            j.ignoreip ? `ignoreip = ${j.ignoreip}` : '',
            `action = dummy[target=${join(dir, `${j.name}.dummy`)}]`,
          ].join('\n'),
        )
        .join('\n\n');
      writeFileSync(join(dir, 'jail.local'), `[DEFAULT]\ncounting = ${sc.counting}\nignoreself = false\nlogtimezone = UTC\nbackend = polling\n\n${jailText}\n`);
    };
    writeFileSync(join(dir, 'f2b-scan.local'), `[Definition]\nlogtarget = ${join(dir, 'own.log')}\n`);
    const enabledAt = (i: number) => sc.jails.filter((j) => j.name !== 'beta' || i >= sc.betaFrom);
    const ref = new Reference(sc.jails, sc.counting);
    let now = T0;
    // A first run over the empty logs: from here on, the state follows the files (and their rotation).
    configure(enabledAt(-1));
    await runScan({ configDir: dir, statePath: join(dir, 'state.json'), now, dryRun: false, silent: true });
    /** What file one holds since its last rotation (a jail enabled late reads it from the start). */
    let inOne: { ip: string; t: number }[] = [];
    for (const [i, run] of sc.runs.entries()) {
      const jails = enabledAt(i);
      configure(jails);
      const betaStarts = i === sc.betaFrom;
      const prev = now;
      now += run.advance;
      // Lines in time order, spread over (prev, now]; a rotation moves the file before some of them.
      const written = run.lines.map((l, k) => ({ ...l, t: prev + Math.max(1, Math.round(((k + 1) * run.advance) / (run.lines.length + 1))) }));
      const rotateAt = run.rotate ? Math.floor(written.length / 2) : -1;
      const failures = new Map<string, { ip: string; t: number }[]>();
      if (betaStarts) failures.set('beta', [...inOne]);
      for (const [k, l] of written.entries()) {
        if (k === rotateAt) {
          rmSync(`${files.one}.1`, { force: true });
          renameSync(files.one, `${files.one}.1`);
          writeFileSync(files.one, '');
          inOne = [];
          // A jail without a cursor knows nothing of the old file: it starts in the new one.
          if (betaStarts) failures.set('beta', []);
        }
        const a = ATTACKERS[l.who]!;
        appendFileSync(files[l.file], line(l.t, a.spellings[l.spelling % a.spellings.length]!) + '\n');
        if (l.file === 'one') inOne.push({ ip: a.ip, t: l.t });
        for (const j of jails) if (j.file === l.file) failures.set(j.name, [...(failures.get(j.name) ?? []), { ip: a.ip, t: l.t }]);
      }
      const want = ref.run(now, failures);
      const r = await runScan({ configDir: dir, statePath: join(dir, 'state.json'), now, dryRun: false, silent: true, lockWaitMs: 10_000 });
      const got = {
        bans: r.summary.bans.map((b) => `${b.jail} ${b.ip} ${b.failures} ${Date.parse(b.until!) / 1000}`).sort(),
        unbans: r.summary.unbans.map((u) => `${u.jail} ${u.ip}`).sort(),
      };
      assert.deepEqual(got, want, `run ${i + 1} of ${JSON.stringify(sc)}`);
      assert.deepEqual(r.summary.errors, []);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('property: runs over random logs ban and unban exactly as the reference does (both counting modes)', { timeout: 600_000 }, async (t) => {
  const scenarios = fc.sample(scenarioArb, { numRuns: 60, seed: 4242 });
  let bans = 0;
  for (const sc of scenarios) await check(sc);
  for (const sc of scenarios) bans += sc.runs.length;
  t.diagnostic(`${scenarios.length} scenarios, ${bans} runs`);
});
