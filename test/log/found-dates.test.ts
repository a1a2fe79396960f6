// The dates of the own log's Found lines (found-log.ts patches a minute's seconds into the last
// date written): each line's date reads as the clock reads it, in any zone.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { FoundLog } from '../../src/log/found-log.ts';

const p2 = (n: number) => String(n).padStart(2, '0');
function clock(t: number): string {
  const d = new Date(t * 1000);
  return `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
}

test('Found lines in time order carry the clock\'s date, across minutes, DST changes and zones with odd offsets', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'f2b-found-dates-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const before = process.env.TZ;
  try {
    // Kathmandu: +05:45; Monrovia: -00:44:30 until 1972 (an offset with seconds); Amsterdam/New York: DST.
    for (const tz of ['UTC', 'Asia/Kathmandu', 'Africa/Monrovia', 'Europe/Amsterdam', 'America/New_York']) {
      process.env.TZ = tz;
      let run = 0;
      fc.assert(
        fc.property(fc.integer({ min: -2e9, max: 4e9 }), fc.array(fc.integer({ min: 0, max: 100 }), { maxLength: 40 }), (start, steps) => {
          const path = join(dir, `own-${tz.replace('/', '-')}-${run++}.log`);
          const log = new FoundLog({ kind: 'file', path }, 1764000000, 42);
          const times: number[] = [];
          let at = start + 0.25;
          for (const s of [0, ...steps]) {
            at += s;
            times.push(at);
            log.add('sshd', 3221225985, at);
          }
          log.flush();
          const dates = readFileSync(path, 'utf8').trimEnd().split('\n').map((l) => l.slice(l.indexOf(' - ') + 3));
          assert.deepEqual(dates, times.map(clock), tz);
        }),
        { numRuns: 300 },
      );
      // Around the 2026 spring-forward night in Amsterdam / New York, second by second.
      const path = join(dir, `own-${tz.replace('/', '-')}-dst.log`);
      const log = new FoundLog({ kind: 'file', path }, 1764000000, 42);
      const times: number[] = [];
      for (let s = 1774746000 - 7200; s < 1774746000 + 7200; s += 7) {
        times.push(s);
        log.add('sshd', 3221225985, s);
      }
      log.flush();
      const dates = readFileSync(path, 'utf8').trimEnd().split('\n').map((l) => l.slice(l.indexOf(' - ') + 3));
      assert.deepEqual(dates, times.map(clock), tz);
    }
  } finally {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  }
});
