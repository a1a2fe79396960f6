// Measures the ReDoS guard on every shipped rule: how many loops the screen sends to
// recheck, and how long the verdicts take. `node --import tsx test/hardening/measure-redos.mts [--full]`
// (--full also times recheck on each whole regex: minutes).
import { readdirSync, readFileSync } from 'node:fs';
import { loadFilter } from '../../src/rules/index.ts';
import { judge, provablyUnambiguous, suspectLoops } from '../../src/rules/redos.ts';

const dir = new URL('../../rules/filter.d', import.meta.url).pathname;
// What a run pays for one rule, cold (first filter loaded in this process): sshd.
const c0 = performance.now();
loadFilter({ name: 'sshd', options: {} }, { searchDirs: [dir] });
console.log(`sshd loaded cold in ${(performance.now() - c0).toFixed(0)} ms (guard included)`);
const regs: { name: string; re: RegExp }[] = [];
const t0 = performance.now();
for (const f of readdirSync(dir).filter((f) => f.endsWith('.conf') && !f.startsWith('common'))) {
  const name = f.slice(0, -5);
  const options: Record<string, string> = /^mode\s*=/m.test(readFileSync(`${dir}/${f}`, 'utf8')) ? { mode: 'aggressive' } : {};
  let fl;
  try { fl = loadFilter({ name, options }, { searchDirs: [dir] }); } catch { fl = loadFilter({ name, options: {} }, { searchDirs: [dir] }); }
  for (const r of [fl.prefregex, ...fl.failregex, ...fl.ignoreregex]) if (r) regs.push({ name, re: r.re });
}
console.log(`loaded ${regs.length} regexes in ${(performance.now() - t0).toFixed(0)} ms (guard included)`);
const t1 = performance.now();
let loops = 0;
for (const r of regs) loops += suspectLoops(r.re.source).length;
console.log(`screen: ${loops} suspect loops in ${(performance.now() - t1).toFixed(1)} ms`);
const times: number[] = [];
const seen = new Map<string, string>();
for (const r of regs) {
  for (const l of suspectLoops(r.re.source)) {
    if (seen.has(l.source)) continue;
    if (provablyUnambiguous(l.body, r.re.flags)) {
      seen.set(l.source, 'proven');
      console.log(`${r.name}: unambiguous (separator), no recheck: ${l.source.slice(0, 90)}`);
      continue;
    }
    const a = performance.now();
    const v = judge(l.source, r.re.flags.replace(/[dgy]/g, ''));
    times.push(performance.now() - a);
    seen.set(l.source, v);
    console.log(`${r.name}: ${v} ${(performance.now() - a).toFixed(0)} ms ${l.source.slice(0, 90)}`);
  }
}
times.sort((a, b) => a - b);
console.log(`recheck (memoized after loading) on ${times.length} distinct loops: total ${times.reduce((a, b) => a + b, 0).toFixed(0)} ms, median ${times[times.length >> 1]?.toFixed(0)} ms, max ${times.at(-1)?.toFixed(0)} ms`);
if (process.argv.includes('--full')) {
  const { check } = await import('recheck');
  const all: number[] = [];
  for (const r of regs) {
    const a = performance.now();
    await check(r.re.source, r.re.flags.replace(/[dgy]/g, ''));
    all.push(performance.now() - a);
  }
  all.sort((a, b) => a - b);
  console.log(`recheck on each whole regex: total ${(all.reduce((a, b) => a + b, 0) / 1000).toFixed(0)} s, median ${all[all.length >> 1]!.toFixed(0)} ms, max ${all.at(-1)!.toFixed(0)} ms`);
}
process.exit(0);
