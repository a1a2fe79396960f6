// Micro benchmark of decide(): `node --import tsx test/policy/bench-decide.ts [addresses]`.
// Half the addresses reach maxretry (ban), half stay pending; then an idle run and an expiry run.

import { decide } from '../../src/policy/decide.ts';
import type { Failure } from '../../src/types.ts';
import { jail, emptyPolicyState, T0 } from './helpers.ts';

const n = Number(process.argv[2] ?? 20000);
const j = jail('sshd', { maxretry: 5, increment: { enabled: true, factor: 1, overalljails: false } });
const fs: Failure[] = [];
for (let i = 0; i < n; i++) {
  const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  for (let k = 0; k < (i % 2 === 0 ? 5 : 3); k++) fs.push({ jail: 'sshd', ip, time: T0 - k, line: `Failed password for root from ${ip} port 22 ssh2`, source: 'auth.log' });
}
const time = <T>(label: string, f: () => T): T => {
  const best: number[] = [];
  let out!: T;
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    out = f();
    best.push(performance.now() - t);
  }
  console.log(`${label}: best ${Math.min(...best).toFixed(0)} ms of 5`);
  return out;
};
const r1 = time(`${fs.length} failures from ${n} addresses`, () => decide({ state: emptyPolicyState(), failures: fs, jails: [j], now: T0 }));
const r2 = time(`idle run over ${n / 2} bans + ${n / 2} pending`, () => decide({ state: r1.state, failures: [], jails: [j], now: T0 + 30 }));
time(`expiry run (${n / 2} unbans)`, () => decide({ state: r2.state, failures: [], jails: [j], now: T0 + 700 }));
