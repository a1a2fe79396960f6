// Micro benchmark of date reading (issue "Timestamps"/"Speed"): read() throughput on 1,000,000
// generated lines of each common format. Run: node --import tsx bench/dates-micro.mjs [lines]
import { createDateReader } from '../src/time/index.ts';

const N = Number(process.argv[2] ?? 1_000_000);
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
    } else {
      out[i] = `${ip} - - [${p2(d.getUTCDate())}/${MON[d.getUTCMonth()]}/${d.getUTCFullYear()}:${hms} +0100] "GET /wp-login.php HTTP/1.1" 404 162`;
    }
  }
  return out;
}

for (const kind of ['syslog', 'iso', 'iso-local', 'apache']) {
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
