import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadState, saveState } from '../../src/state/store.ts';
import { ticketCount } from '../../src/state/tickets.ts';
import { tempDir } from './helpers.ts';

const fixture = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/save-loop.ts');

test('a run killed with SIGKILL while saving always leaves a state file that loads', { timeout: 120_000 }, async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'state.json');
  const kills = 25;
  const seen = new Set<number | null>();
  for (let i = 0; i < kills; i++) {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => { if (d.toString().includes('ready')) resolve(); });
      child.on('exit', (code) => reject(new Error(`saver exited early (${code})`)));
    });
    await sleep(Math.random() * 80);
    child.kill('SIGKILL');
    await once(child, 'exit');
    const r = await loadState(path);
    assert.equal(r.recovered, false, `after kill ${i + 1}: ${r.warnings.join('; ')}`);
    assert.deepEqual(r.warnings, []);
    assert.equal(ticketCount(r.state, 'sshd'), 20_000);
    seen.add(r.state.lastRun);
  }
  t.diagnostic(`${kills} kills, ${seen.size} different states found on disk`);
  // Temp files of killed writers are cleared by the next save.
  const r = await loadState(path);
  await saveState(path, r.state);
  assert.deepEqual(readdirSync(dir), ['state.json']);
});
