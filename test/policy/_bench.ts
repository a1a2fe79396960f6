import { decide } from '../../src/policy/decide.ts';
import { jail, emptyPolicyState, T0 } from './helpers.ts';
const j = jail('sshd', { maxretry: 5, increment: { enabled: true, factor: 1, overalljails: false } });
const fs = [];
for (let i = 0; i < 20000; i++) {
  const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const n = i % 2 === 0 ? 5 : 3;
  for (let k = 0; k < n; k++) fs.push({ jail: 'sshd', ip, time: T0 - k, line: `Failed password for root from ${ip} port 22 ssh2`, source: 'auth.log' });
}
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  decide({ state: emptyPolicyState(), failures: fs, jails: [j], now: T0 });
  console.log(`run 1 (80k failures): ${(performance.now() - t).toFixed(0)} ms`);
}
