// Micro benchmark of date reading (issue "Timestamps"/"Speed"): read() throughput on 1,000,000
// generated lines of each common format, one reader per format as for one log file, best of 5
// rounds in CPU time. Run: TZ=Europe/Zurich node --import tsx bench/dates-micro.mjs [lines] [--engine]
import { createDateReader } from '../src/time/index.ts';

const N = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const now = Date.UTC(2005, 7, 14, 10) / 1000;
const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n) => String(n).padStart(2, '0');

function lines(kind) {
  const out = new Array(N);
  let t = Date.UTC(2005, 0, 1) / 1000;
  for (let i = 0; i < N; i++) {
    t += i % 3; // about 1.5 s between lines: hours change every ~2400 lines
    const d = new Date(t * 1000);
    const hms = `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
    const ip = `192.0.2.${i % 250}`;
    if (kind === 'syslog') {
      out[i] = `${MON[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${hms} host sshd[${1000 + (i % 9000)}]: Failed password for root from ${ip} port 22 ssh2`;
    } else if (kind === 'iso') {
      out[i] = `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}T${hms}.${String(i % 1000).padStart(3, '0')}+01:00 host app[1]: login failed from ${ip}`;
    } else if (kind === 'iso-local') {
      out[i] = `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())} ${hms} host proftpd[1]: no such user found from ${ip}`;
    } else if (kind === 'json') {
      out[i] = `{"level":"warn","ts":${t}.${String(i % 1000).padStart(3, '0')},"logger":"http.log.access","msg":"auth failed","remote_ip":"${ip}"}`;
    } else {
      out[i] = `${ip} - - [${p2(d.getUTCDate())}/${MON[d.getUTCMonth()]}/${d.getUTCFullYear()}:${hms} +0100] "GET /wp-login.php HTTP/1.1" 404 162`;
    }
  }
  // one text split into lines, as a log file is read: the lines are slices of one string
  return out.join('\n').split('\n');
}

for (const kind of ['syslog', 'iso', 'iso-local', 'apache', 'json']) {
  const ls = lines(kind);
  let best = Infinity;
  let sum = 0;
  for (let round = 0; round < 5; round++) {
    const reader = createDateReader({ now });
    const t0 = process.cpuUsage(); // CPU time, not wall time: other processes on the machine do not count
    for (let i = 0; i < N; i++) {
      const h = reader.read(ls[i]);
      if (h !== null) sum += h.end;
    }
    const t1 = process.cpuUsage(t0);
    const s = (t1.user + t1.system) / 1e6;
    best = Math.min(best, s);
  }
  console.log(`${kind.padEnd(10)} ${N} lines: ${(N / best / 1e6).toFixed(2)} M lines/s (${((best / N) * 1e9).toFixed(0)} ns/line) [check ${sum}]`);
}

// For scale: what one plain sshd failregex costs on the same syslog lines (a rule engine runs
// at least a prefregex and a failregex per line).
{
  const ls = lines('syslog');
  const re = /^(?:\S+ ){4}sshd\[\d+\]: Failed password for (?:invalid user )?\S+ from (\S+) port \d+ ssh2$/;
  let best = Infinity;
  let sum = 0;
  for (let round = 0; round < 5; round++) {
    const t0 = process.cpuUsage();
    for (let i = 0; i < N; i++) {
      const m = re.exec(ls[i]);
      if (m !== null) sum += m[1].length;
    }
    const t1 = process.cpuUsage(t0);
    best = Math.min(best, (t1.user + t1.system) / 1e6);
  }
  console.log(`(one sshd failregex on the syslog lines: ${((best / N) * 1e9).toFixed(0)} ns/line) [check ${sum}]`);
}

// --engine: the share of date reading in the rule engine's run over a generated 1,000,000-line
// auth.log (bench/generate.mjs), stock sshd filter: the engine with the real reader against the
// same engine with a reader that returns a fixed date (the issue "Speed" wants under 15%).
if (process.argv.includes('--engine')) {
  const { spawnSync } = await import('node:child_process');
  const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { createMatcherWith, loadFilter } = await import('../src/rules/index.ts');
  const dir = mkdtempSync(join(tmpdir(), 'f2b-dates-'));
  const log = join(dir, 'auth.log');
  spawnSync(process.execPath, [new URL('./generate.mjs', import.meta.url).pathname, 'auth', String(N), log]);
  const auth = readFileSync(log, 'utf8').split('\n');
  rmSync(dir, { recursive: true, force: true });
  if (auth[auth.length - 1] === '') auth.pop();
  const filter = loadFilter({ name: new URL('../../shared/conformance/fail2ban-1.0.2/filter.d/sshd.conf', import.meta.url).pathname, options: {} }, { searchDirs: [] });
  const cpu = (fn) => { const c0 = process.cpuUsage(); fn(); const c = process.cpuUsage(c0); return (c.user + c.system) / 1e6; };
  const stubHit = { time: now, start: 0, end: 15 };
  let real = Infinity;
  let stub = Infinity;
  for (let round = 0; round < 3; round++) {
    real = Math.min(real, cpu(() => { const m = createMatcherWith(filter, createDateReader({ now, timezone: 'UTC' })); for (const l of auth) m.push(l); }));
    stub = Math.min(stub, cpu(() => { const m = createMatcherWith(filter, { read: () => stubHit }); for (const l of auth) m.push(l); }));
  }
  console.log(`engine (stock sshd filter) on ${auth.length} auth.log lines: ${(auth.length / real / 1e6).toFixed(2)} M lines/CPU-s, ` +
    `with a fixed date instead of reading it ${(auth.length / stub / 1e6).toFixed(2)} M: date reading is ${(100 * (real - stub) / real).toFixed(1)}% of the run`);
}
