// The ban times we compute against the ones fail2ban 1.0 itself computes (Debian's fail2ban
// package, run as a reference, not copied): same settings, same earlier-ban counts, same numbers.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Jail } from '../../src/types.ts';
import { banDuration } from '../../src/policy/bantime.ts';
import { jail } from './helpers.ts';

const F2B = '/usr/lib/python3/dist-packages/fail2ban/server/jail.py';

interface Case {
  bantime: number;
  factor?: string;
  formula?: string;
  multipliers?: string;
  maxtime?: number;
  rndtime?: number;
}

const CASES: Case[] = [];
for (const bantime of [60, 600, 3600]) {
  for (const factor of [undefined, '2', '0.5', '2.0 / 2.885385']) {
    for (const maxtime of [undefined, 7200]) {
      CASES.push({ bantime, factor, maxtime });
      CASES.push({ bantime, factor, maxtime, formula: 'ban.Time * math.exp(float(ban.Count+1)*banFactor)/math.exp(1*banFactor)' });
      CASES.push({ bantime, factor, maxtime, formula: 'ban.Time + ban.Count * 60 * banFactor' });
      CASES.push({ bantime, factor, maxtime, formula: 'min(ban.Time * 2 ** ban.Count, 86400) // 7 * 3 % 100000' });
      CASES.push({ bantime, factor, maxtime, multipliers: '1 2 4 8 16 32 64' });
      CASES.push({ bantime, factor, maxtime, multipliers: '1 5 30 60 300 720 1440 2880', rndtime: 100 });
    }
  }
}
const COUNTS = [1, 2, 3, 5, 8, 19, 20, 21, 40];
const RANDOM = 0.25;

function toJail(c: Case): Jail {
  const factor = c.factor === undefined ? 1 : c.factor.includes('/') ? 2.0 / 2.885385 : Number(c.factor);
  return jail('sshd', {
    bantime: c.bantime,
    increment: {
      enabled: true,
      factor,
      overalljails: false,
      ...(c.formula ? { formula: c.formula } : {}),
      ...(c.multipliers ? { multipliers: c.multipliers.split(' ').map(Number) } : {}),
      ...(c.maxtime ? { maxtime: c.maxtime } : {}),
      ...(c.rndtime ? { rndtime: c.rndtime } : {}),
    },
  });
}

test("ban times match fail2ban 1.0's own computation", (t) => {
  if (!existsSync(F2B)) return t.skip("Debian's fail2ban package is not installed");
  const script = `
import sys, json, logging
sys.path.insert(0, '/usr/lib/python3/dist-packages')
logging.disable(logging.CRITICAL)
import fail2ban.server.jail as fj
from fail2ban.server.observer import ObserverThread
fj.random.random = lambda: ${RANDOM}
out = []
for c in json.load(sys.stdin):
    j = fj.Jail.__new__(fj.Jail)
    j._banExtra = {}
    j.database = None
    j.setBanTimeExtra('increment', 'true')
    for k in ('factor', 'formula', 'multipliers', 'maxtime', 'rndtime'):
        if c.get(k) is not None:
            j.setBanTimeExtra(k, str(c[k]))
    ev = j.getBanTimeExtra()['evformula']
    out.append([float(ev(ObserverThread.BanTimeIncr(c['bantime'], n))) for n in ${JSON.stringify(COUNTS)}])
print(json.dumps(out))
`;
  const r = spawnSync('python3', ['-c', script], { input: JSON.stringify(CASES), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const want: number[][] = JSON.parse(r.stdout);
  for (const [i, c] of CASES.entries()) {
    const j = toJail(c);
    for (const [k, n] of COUNTS.entries()) {
      const ours = banDuration(j, n, () => RANDOM);
      assert.equal(ours.warning, undefined);
      const w = want[i]![k]!;
      assert.ok(Math.abs(ours.seconds! - w) <= 1e-6 * Math.max(1, w), `${JSON.stringify(c)} count ${n}: fail2ban ${w}, ours ${ours.seconds}`);
    }
  }
});
