// Properties of decide() over random runs: the input state is never changed, the state it returns
// stays well-formed, and a ban happens exactly when maxretry failures sit inside findtime.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Jail } from '../../src/types.ts';
import { decide, MAX_LINES, type PolicyState } from '../../src/policy/decide.ts';
import { T0, jail, emptyPolicyState } from './helpers.ts';

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

const jailsArb = fc
  .tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 30, max: 900 }), fc.constantFrom(-1, 60, 600), fc.boolean())
  .map(([maxretry, findtime, bantime, inc]): Jail[] => [
    jail('sshd', { maxretry, findtime, bantime, increment: { enabled: inc, factor: 1, overalljails: false, maxtime: 3600 } }),
    jail('web', { maxretry: 6 - maxretry, findtime: 1000 - findtime, bantime: 120, increment: { enabled: !inc, factor: 2, overalljails: true } }),
  ]);
const runsArb = fc.array(
  fc.record({
    advance: fc.integer({ min: 0, max: 900 }),
    failures: fc.array(
      fc.record({ jail: fc.constantFrom('sshd', 'web', 'gone'), ip: fc.constantFrom('203.0.113.1', '203.0.113.2', '2001:db8::1', '::ffff:203.0.113.1'), dt: fc.integer({ min: -1200, max: 100 }) }),
      { maxLength: 15 },
    ),
  }),
  { minLength: 1, maxLength: 6 },
);

function wellFormed(s: PolicyState, jails: Jail[], now: number): string | null {
  for (const [jn, byIp] of Object.entries(s.failures)) {
    const j = jails.find((x) => x.name === jn);
    if (!j) return `failures kept for a jail that is not enabled: ${jn}`;
    for (const [ip, e] of Object.entries(byIp)) {
      if (e.times.length === 0) return `empty entry ${jn} ${ip}`;
      if (e.times.some((t, i) => i > 0 && t < e.times[i - 1]!)) return `unsorted times ${jn} ${ip}`;
      if (e.times[0]! <= now - j.findtime) return `failure older than findtime kept ${jn} ${ip}`;
      if (e.lines.length > Math.min(e.times.length, MAX_LINES)) return `too many lines ${jn} ${ip}`;
      if (s.bans[jn]?.[ip]) return `${ip} both failing and banned in ${jn}`;
    }
  }
  for (const [jn, byIp] of Object.entries(s.bans)) {
    if (Object.keys(byIp).length === 0) return `empty ban map ${jn}`;
    for (const [ip, b] of Object.entries(byIp)) if (b.until !== null && b.until <= now) return `expired ban kept ${jn} ${ip}`;
  }
  return null;
}

test('property: decide() never changes the state it is given and returns a well-formed one', () => {
  fc.assert(
    fc.property(jailsArb, runsArb, (jails, runs) => {
      let state: PolicyState = deepFreeze(emptyPolicyState());
      let now = T0;
      for (const run of runs) {
        now += run.advance;
        const before = JSON.stringify(state);
        const fs = run.failures.map((f) => ({ jail: f.jail, ip: f.ip, time: now + f.dt, line: `line ${f.dt}`, source: 'log' }));
        // A frozen input makes any write throw (modules are strict).
        const r = decide({ state, failures: fs, jails, now, random: () => 0.5 });
        assert.equal(JSON.stringify(state), before);
        const bad = wellFormed(r.state, jails, now);
        assert.equal(bad, null, bad ?? '');
        state = deepFreeze(r.state);
      }
    }),
    { numRuns: 400 },
  );
});

test('property: with one run, an address is banned exactly when maxretry of its failures are inside findtime', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 10, max: 600 }),
      fc.array(fc.integer({ min: -1000, max: 0 }), { maxLength: 12 }),
      (maxretry, findtime, dts) => {
        const j = jail('sshd', { maxretry, findtime });
        const fs = dts.map((dt) => ({ jail: 'sshd', ip: '203.0.113.1', time: T0 + dt, line: 'x', source: 'log' }));
        const r = decide({ state: emptyPolicyState(), failures: fs, jails: [j], now: T0 });
        const inside = dts.filter((dt) => dt > -findtime).length;
        assert.equal(r.decisions.length, inside >= maxretry ? 1 : 0);
      },
    ),
    { numRuns: 1000 },
  );
});
