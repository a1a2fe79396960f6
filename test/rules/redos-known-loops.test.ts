// The loops whose verdict a run does not compute (redos.ts KNOWN_SAFE_LOOPS) must be the loops of
// the shipped syslog header, and the automaton must still find each safe: a wrong entry would let
// a rule whose loop can stall a run on hostile text run on the backtracking engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loopIsExponential } from '../../src/rules/ambiguity.ts';
import { KNOWN_SAFE_LOOPS, suspectLoops } from '../../src/rules/redos.ts';
import { loadFilter } from '../../src/rules/index.ts';
import { chooseEngine } from '../../src/rules/engine-choice.ts';

test('each loop decided ahead is one the automaton finds safe', () => {
  for (const body of KNOWN_SAFE_LOOPS) assert.equal(loopIsExponential(body, ''), false, body);
});

test("they are the loops of sshd's syslog header, which runs on the backtracking engine", () => {
  const sshd = loadFilter({ name: 'sshd', options: {} }, { searchDirs: ['rules/filter.d'] });
  const bodies = suspectLoops(sshd.prefregex!.re.source).map((l) => l.body);
  for (const body of KNOWN_SAFE_LOOPS) assert.ok(bodies.includes(body), `not in the header: ${body}`);
  assert.equal(chooseEngine(sshd.prefregex!.re).kind, 'backtracking');
});

test('a loop that can backtrack exponentially is still refused or moved to a linear engine', () => {
  assert.notEqual(chooseEngine(/^(?:a|a)+$/).kind, 'backtracking');
  assert.notEqual(chooseEngine(/^(?:\s+[^=\s\]]+="(?:[^"\\]|\\[^\n]|")*")*$/).kind, 'backtracking');
});
