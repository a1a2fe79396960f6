// The own log's local times: the minute cache gives what the clock gives, in any zone.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { localTime } from '../../src/log/format.ts';

const p2 = (n: number) => String(n).padStart(2, '0');
function clock(t: number): string {
  const d = new Date(t * 1000);
  return `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
}

test('local times of a run\'s failures read as the clock reads them, across DST changes and zones with odd offsets', () => {
  const before = process.env.TZ;
  try {
    // Kathmandu: +05:45; Monrovia: -00:44:30 until 1972 (an offset with seconds); Amsterdam/New York: DST.
    for (const tz of ['UTC', 'Asia/Kathmandu', 'Africa/Monrovia', 'Europe/Amsterdam', 'America/New_York']) {
      process.env.TZ = tz;
      fc.assert(
        fc.property(fc.integer({ min: -2e9, max: 4e9 }), fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 30 }), (start, steps) => {
          // Times in order, as failures come: many in the same minute.
          let t = start + 0.25;
          assert.equal(localTime(t), clock(t), `${tz} ${t}`);
          for (const s of steps) {
            t += s;
            assert.equal(localTime(t), clock(t), `${tz} ${t}`);
          }
        }),
        { numRuns: 2000 },
      );
      // Around the 2026 spring-forward night in Amsterdam / New York, second by second.
      for (let t = 1774746000 - 7200; t < 1774746000 + 7200; t += 1) assert.equal(localTime(t), clock(t), `${tz} ${t}`);
    }
  } finally {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  }
});
