// Properties of decide() over random runs: the state it leaves stays well-formed, and within one
// run a ban happens exactly when maxretry failures sit inside findtime.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Jail } from '../../src/types.ts';
import { decide } from '../../src/policy/decide.ts';
import type { State } from '../../src/state/schema.ts';
import { migrate } from '../../src/state/migrate.ts';
import { viewOf } from '../helpers/state-view.ts';
import { T0, jail, emptyPolicyState } from './helpers.ts';

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

function wellFormed(state: State, jails: Jail[], now: number): string | null {
  const s = viewOf(state);
  for (const [jn, byIp] of Object.entries(s.failures)) {
    const j = jails.find((x) => x.name === jn);
    if (!j) return `failures kept for a jail that is not enabled: ${jn}`;
    for (const [ip, e] of Object.entries(byIp)) {
      if (e.attempts < 1 || e.retry < 1) return `empty entry ${jn} ${ip}`;
      if (e.first > e.last) return `first after last ${jn} ${ip}`;
      if (e.last <= now - j.findtime) return `failure older than findtime kept ${jn} ${ip}`;
      if ((e.lines?.length ?? 0) > Math.min(e.attempts, j.maxretry)) return `too many lines ${jn} ${ip}`;
      if (s.bans[jn]?.[ip]) return `${ip} both failing and banned in ${jn}`;
    }
  }
  for (const [jn, byIp] of Object.entries(s.bans)) {
    for (const [ip, b] of Object.entries(byIp)) if (b.until !== null && b.until <= now) return `expired ban kept ${jn} ${ip}`;
  }
  return null;
}

test('property: decide() leaves a well-formed state that survives a save and a load', () => {
  fc.assert(
    fc.property(jailsArb, runsArb, (jails, runs) => {
      let state = emptyPolicyState();
      let now = T0;
      for (const run of runs) {
        now += run.advance;
        const fs = run.failures.map((f) => ({ jail: f.jail, ip: f.ip, time: now + f.dt, line: `line ${f.dt}`, source: 'log' }));
        const r = decide({ state, failures: fs, jails, now, random: () => 0.5 });
        const bad = wellFormed(r.state, jails, now);
        assert.equal(bad, null, bad ?? '');
        // What the next run reads is what this one wrote.
        state = migrate(JSON.parse(JSON.stringify(r.state)), { now });
        assert.deepEqual(viewOf(state), viewOf(r.state));
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
