// Measures the engine choice on every rule of a filter.d (default: the shipped rules): which
// regexes have a dangerous loop, which engine runs them, and what loading every rule costs.
// `node --import tsx test/hardening/measure-redos.mts [/etc/fail2ban/filter.d]`
import { readdirSync, readFileSync } from 'node:fs';
import { loadFilter } from '../../src/rules/index.ts';

const dir = process.argv[2] ?? new URL('../../rules/filter.d', import.meta.url).pathname;
const c0 = process.cpuUsage();
const t0 = performance.now();
let regexes = 0;
const kinds = new Map<string, number>();
for (const f of readdirSync(dir).filter((f) => f.endsWith('.conf') && !f.startsWith('common'))) {
  const name = f.slice(0, -5);
  const options: Record<string, string> = /^mode\s*=/m.test(readFileSync(`${dir}/${f}`, 'utf8')) ? { mode: 'aggressive' } : {};
  let fl;
  try {
    fl = loadFilter({ name, options }, { searchDirs: [dir], onRiskyRegex: (m) => console.log(`${name}: REFUSED ${m}`) });
  } catch (e) {
    console.log(`${name}: not loaded: ${(e as Error).message}`);
    continue;
  }
  for (const r of [fl.prefregex, ...fl.failregex, ...fl.ignoreregex]) {
    if (!r) continue;
    regexes++;
    kinds.set(r.engine, (kinds.get(r.engine) ?? 0) + 1);
    if (r.engineNote) console.log(`${name} ${r.place.file.split('/').pop()}:${r.place.line}: ${r.engine}: ${r.engineNote}`);
  }
}
const c = process.cpuUsage(c0);
console.log(`${regexes} regexes loaded in ${(performance.now() - t0).toFixed(0)} ms wall, ${((c.user + c.system) / 1000).toFixed(0)} ms CPU; engines: ${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}`);
