// How a rejected batch is split (src/actions/batch.ts): the cost in tool runs, and the failures
// that are not about an entry and so are not retried. The real tools: batch-isolation.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CommandResult } from '../../src/exec/run.ts';
import { runBatchIsolating } from '../../src/actions/batch.ts';

/** A tool that refuses a batch holding any of `bad` (as ipset restore refuses 0.0.0.0). */
function tool(bad: Set<string>, how: Partial<CommandResult> = {}) {
  let runs = 0;
  const run = async (part: readonly string[]): Promise<CommandResult> => {
    runs++;
    const hit = part.find((ip) => bad.has(ip));
    if (hit === undefined) return { ok: true, code: 0, stdout: '', stderr: '', command: 'tool' };
    return { ok: false, code: 1, stdout: '', stderr: '', command: 'tool', error: `tool: exit code 1: bad element ${hit}`, ...how };
  };
  return { run, runs: () => runs };
}

const ips = Array.from({ length: 10_000 }, (_, i) => `198.18.${i >> 8}.${i & 255}`);
const describe = (ip: string) => `tool add ${ip}`;

test('one bad entry among 10,000 costs under 30 tool runs, and only it fails, with its own message', async () => {
  const t = tool(new Set([ips[6789]!]));
  const out = await runBatchIsolating(ips, t.run, describe);
  assert.ok(t.runs() <= 30, `${t.runs()} runs`);
  const failed = [...out].filter(([, r]) => !r.ok);
  assert.deepEqual(failed.map(([ip]) => ip), [ips[6789]]);
  assert.equal(failed[0]![1].error, `tool: exit code 1: bad element ${ips[6789]}`);
  assert.equal(out.size, ips.length);
});

test('a tool that did not run (missing, killed, timed out) is not retried: every address gets its error', async () => {
  const t = tool(new Set(ips), { code: null, error: 'tool: command not found' });
  const out = await runBatchIsolating(ips, t.run, describe);
  assert.equal(t.runs(), 1);
  assert.ok([...out.values()].every((r) => !r.ok && r.error!.startsWith('tool: command not found (batch: tool')));
});

test('when the set or chain is gone (the backend\'s check fails), the batch is not split', async () => {
  const t = tool(new Set([ips[0]!]));
  const out = await runBatchIsolating(ips, t.run, describe, { stillUsable: async () => false });
  assert.equal(t.runs(), 1);
  assert.ok([...out.values()].every((r) => !r.ok));
});

test('many bad entries: the runs stop at the cap, what was isolated stays applied, the rest waits for the next run', async () => {
  const bad = new Set(ips.filter((_, i) => i % 100 === 0));
  const t = tool(bad);
  const out = await runBatchIsolating(ips, t.run, describe, { maxRuns: 40 });
  assert.equal(t.runs(), 40);
  for (const [ip, r] of out) if (bad.has(ip)) assert.equal(r.ok, false, ip);
  const applied = [...out.values()].filter((r) => r.ok).length;
  assert.ok(applied > 0, 'some good addresses went in');
  assert.match([...out.values()].find((r) => !r.ok && r.error!.includes('retried next run'))!.error!, /more entries were rejected than one run isolates \(40 runs\)/);
});
