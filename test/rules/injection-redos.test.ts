// Log lines are written by attackers too: a long hostile line must not make a shipped rule
// backtrack for seconds (a cron run reads thousands of lines). Each rule gets its own sample
// lines blown up to 4 KiB with the pieces its regexes look for, inserted at word boundaries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadFilter, createMatcher } from '../../src/rules/index.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const filterDir = join(root, 'rules', 'filter.d');
const NOW = Date.parse('2005-08-14T10:00:00Z') / 1000;
const LINE_BYTES = 4096;
// The shipped rules need well under 100 ms for the worst of these lines; one that backtracks
// badly (cubic in the line length) needs seconds of CPU. Generous for a slow CI machine.
const BUDGET_MS = 500;
const LINES_PER_RULE = 3;
const CUTS_PER_LINE = 10;

const pieces = [
  ' ', '\t ', ' from 198.51.100.7 port 22', '[client 198.51.100.7] ', ', client: 198.51.100.7,', 'a="b" ', "'x'@'", '0:',
];

/**
 * The sample line with `piece` repeated at `cut` until the line is about 4 KiB long; with
 * `breaker`, a character no rule expects follows the filler, so a regex that got that far
 * has to give up (and backtrack through every way it could have read the filler).
 */
function hostile(line: string, cut: number, piece: string, breaker: boolean): string {
  const room = Math.max(0, LINE_BYTES - line.length - 1);
  return line.slice(0, cut) + piece.repeat(Math.ceil(room / piece.length)).slice(0, room) + (breaker ? '\u0001' : '') + line.slice(cut);
}

const rules = readdirSync(filterDir)
  .filter((f) => f.endsWith('.conf') && !f.startsWith('common-'))
  .map((f) => f.slice(0, -5))
  .sort();

for (const name of rules) {
  test(`rule ${name} reads 4 KiB hostile lines without runaway backtracking`, () => {
    // The first lines of the sample that the rule reports (they carry every word it needs).
    const text = readFileSync(join(root, 'test', 'samples', name), 'utf8').split('\n');
    const sample = [...new Set(text.filter((l, i) => l.trim() !== '' && !l.startsWith('#') && /"match": true/.test(text[i - 1] ?? '')))].slice(0, LINES_PER_RULE);
    // Rules with modes: aggressive uses every regex they have.
    const options: Record<string, string> = /^mode\s*=/m.test(readFileSync(join(filterDir, `${name}.conf`), 'utf8')) ? { mode: 'aggressive' } : {};
    const filter = loadFilter({ name, options }, { searchDirs: [filterDir] });
    // Hostile text at the start, the end and at word boundaries of each line; the rest of the
    // line stays, so the words a rule looks for are all there.
    let worst = 0;
    let worstLine = '';
    assert.ok(sample.length > 0, 'the sample has reported lines');
    for (const line of sample) {
      const spaces: number[] = [];
      for (let i = line.indexOf(' '); i >= 0; i = line.indexOf(' ', i + 1)) spaces.push(i);
      const step = Math.max(1, Math.ceil(spaces.length / CUTS_PER_LINE));
      const cuts = new Set([0, line.length, ...spaces.filter((_, k) => k % step === 0)]);
      for (const cut of cuts) {
        for (const [piece, breaker] of pieces.flatMap((p) => [[p, false], [p, true]] as const)) {
          const matcher = createMatcher(filter, { now: NOW, timezone: 'Europe/Zurich' });
          const text = hostile(line, cut, piece, breaker);
          // CPU time, not wall time: on a loaded machine (CI, six test runs on two cores) a
          // process can wait longer than the budget between two instructions; the regex's
          // own work is what the budget is about.
          const c0 = process.cpuUsage();
          matcher.push(text);
          const c = process.cpuUsage(c0);
          const ms = (c.user + c.system) / 1000;
          if (ms > worst) [worst, worstLine] = [ms, `${line.slice(0, 60)}... at ${cut}: ${JSON.stringify(piece)}${breaker ? ' + breaker' : ''}`];
        }
      }
    }
    assert.ok(worst < BUDGET_MS, `${worst.toFixed(0)} ms for one line: ${worstLine}`);
  });
}
