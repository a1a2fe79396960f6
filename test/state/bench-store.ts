// Load + save time of a state with many addresses (not part of the suite: run by hand).
//   node --import tsx test/state/bench-store.ts [addresses=100000] [--no-lines]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadState, saveState } from '../../src/state/store.ts';
import { bigState } from './helpers.ts';

const n = Number(process.argv[2] ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), 'f2b-bench-state-'));
const path = join(dir, 'state.json');
const start = bigState(n, 0, !process.argv.includes('--no-lines'));
await saveState(path, start);
for (let i = 0; i < 7; i++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const { state } = await loadState(path);
  const t1 = performance.now();
  await saveState(path, state);
  const t2 = performance.now();
  const c = process.cpuUsage(c0);
  console.log(`${n} addresses, ${(statSync(path).size / 1e6).toFixed(1)} MB: load ${(t1 - t0).toFixed(0)} ms + save ${(t2 - t1).toFixed(0)} ms = ${(t2 - t0).toFixed(0)} ms wall, ${((c.user + c.system) / 1000).toFixed(0)} ms CPU`);
}
rmSync(dir, { recursive: true, force: true });
