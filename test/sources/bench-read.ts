// Throughput of readNewLines on a generated auth.log (not part of the suite: run by hand).
//   node --import tsx test/sources/bench-read.ts [lines=1000000]
// The log is generated in a child process so the reader's memory figure is its own.
import { mkdtempSync, createWriteStream, statSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readNewLines } from '../../src/sources/files.ts';

const n = Number(process.argv[2] ?? 1_000_000);
if (process.argv[3]) {
  await generate(process.argv[3], n);
  process.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), 'f2b-bench-'));
const log = join(dir, 'auth.log');
execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), String(n), log], { stdio: 'inherit' });
const size = statSync(log).size;

for (let round = 0; round < 3; round++) {
  let chars = 0;
  const t0 = process.hrtime.bigint();
  const r = await readNewLines(log, undefined, (l) => { chars += l.length; });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`round ${round}: ${r.linesRead} lines, ${(size / 1e6).toFixed(1)} MB in ${s.toFixed(3)} s: ` +
    `${Math.round(r.linesRead / s).toLocaleString('en')} lines/s, ${(size / 1e6 / s).toFixed(0)} MB/s; rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
}
rmSync(dir, { recursive: true, force: true });

async function generate(log: string, n: number): Promise<void> {
  const out = createWriteStream(log);
  for (let i = 0; i < n; i++) {
    const s = String(i % 60).padStart(2, '0');
    const line = i % 3 === 0
      ? `Nov 24 23:${s}:${s} host sshd[${10000 + (i % 5000)}]: Failed password for invalid user admin${i % 97} from 198.51.100.${i % 250} port ${40000 + (i % 20000)} ssh2\n`
      : `Nov 24 23:${s}:${s} host sshd[${10000 + (i % 5000)}]: Connection closed by authenticating user root 203.0.113.${i % 250} port ${40000 + (i % 20000)} [preauth]\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
