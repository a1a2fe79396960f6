// The benchmark's one table (plain text, as printed) and the targets of issue 7 checked
// against the figures.

const f = (x, d = 0) => (x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
const k = (x) => (Number.isFinite(x) ? `${f(x / 1000, 0)}k` : '-');

function find(results, prefix) {
  return results.others.find((o) => o.name.startsWith(prefix)) ?? null;
}

/** Each target: what, the measured figure, the bound, met or not (null: not measured). */
export function targetsOf(results) {
  const out = [];
  const scan = results.scan;
  const add = (what, value, bound, ok, unit = '') => out.push({ what, value, bound, unit, met: value === null || !Number.isFinite(value) ? null : ok(value) });
  const ratio = (other, field) => (scan && other ? scan[field] / other[field] : null);
  const f2b = find(results, 'fail2ban-regex');
  const sshg = find(results, 'sshguard');
  const grep = find(results, 'grep');
  add('full scan vs fail2ban-regex (lines/s, wall)', ratio(f2b, 'linesPerSec'), '>= 40x', (v) => v >= 40, 'x');
  add('full scan vs fail2ban-regex (lines per CPU s)', ratio(f2b, 'linesPerCpuSec'), '>= 40x', (v) => v >= 40, 'x');
  add('1 GB scan vs fail2ban-regex (lines/s, wall)', results.big && f2b ? results.big.linesPerSec / f2b.linesPerSec : null, '>= 40x', (v) => v >= 40, 'x');
  add('full scan vs sshg-parser (lines/s, wall)', ratio(sshg, 'linesPerSec'), '>= 2.5x', (v) => v >= 2.5, 'x');
  add('full scan vs sshg-parser (lines per CPU s)', ratio(sshg, 'linesPerCpuSec'), '>= 2.5x', (v) => v >= 2.5, 'x');
  add('grep -cE vs full scan (lines/s, wall)', grep && scan ? grep.linesPerSec / scan.linesPerSec : null, '<= 10x', (v) => v <= 10, 'x');
  add('peak RSS, full scan', scan?.rssMB ?? null, '<= 120 MB', (v) => v <= 120, ' MB');
  const forced = (n) => results.scanThreads?.find((x) => x.threads === n) ?? null;
  add('full scan, 2 threads forced, vs fail2ban-regex (lines/s, wall)', forced(2) && f2b ? forced(2).linesPerSec / f2b.linesPerSec : null, '>= 40x', (v) => v >= 40, 'x');
  add('1 GB scan, 2 threads forced, vs fail2ban-regex (lines/s, wall)', results.bigThreads && f2b ? results.bigThreads.linesPerSec / f2b.linesPerSec : null, '>= 40x', (v) => v >= 40, 'x');
  add('peak RSS, full scan, 1 thread forced', forced(1)?.rssMB ?? null, '<= 120 MB', (v) => v <= 120, ' MB');
  add('peak RSS, full scan, 2 threads forced', forced(2)?.rssMB ?? null, '<= 120 MB', (v) => v <= 120, ' MB');
  add('peak RSS, 1 GB log', results.big?.rssMB ?? null, '<= 120 MB', (v) => v <= 120, ' MB');
  add('peak RSS, 1 GB log, 2 threads forced', results.bigThreads?.rssMB ?? null, '<= 120 MB', (v) => v <= 120, ' MB');
  add('peak RSS, ten jails', results.ten?.rssMB ?? null, '<= 120 MB', (v) => v <= 120, ' MB');
  add('idle run / node -e 0 (wall)', results.idle?.ratioWall ?? null, '<= 3x', (v) => v <= 3, 'x');
  add('idle run / node -e 0 (CPU)', results.idle?.ratioCpu ?? null, '<= 3x', (v) => v <= 3, 'x');
  add('state 100k: load + write (wall)', results.state?.loadWriteMs ?? null, '<= 300 ms', (v) => v <= 300, ' ms');
  add('state 100k: load + write (CPU)', results.state?.loadWriteCpuMs ?? null, '<= 300 ms', (v) => v <= 300, ' ms');
  return out;
}

function pad(rows) {
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join('  ')).join('\n') + '\n';
}

export function formatTable(report) {
  const r = report.results;
  const m = report.machine;
  let out = `f2b-scan benchmark, ${report.date}, ${m.cpus} x ${m.model}, Node ${m.node}, load average ${(m.loadavgAtStart ?? m.loadavg).join(' ')} at the start, ${m.loadavg.join(' ')} at the end; medians of ${report.runs} runs\n\n`;
  const rows = [['what', 'lines', 'MB', 'wall s', 'CPU s', 'lines/s', 'lines/CPU s', 'MB/s', 'peak RSS MB']];
  for (const x of [r.scan, ...(r.scanThreads ?? []), r.big, r.bigThreads, ...r.others, r.ten].filter(Boolean)) {
    rows.push([x.name, f(x.lines), f(x.bytes / 2 ** 20, 1), f(x.wallMs / 1000, 2), f(x.cpuMs / 1000, 2), k(x.linesPerSec), k(x.linesPerCpuSec), f(x.mbPerSec, 1), f(x.rssMB, 0)]);
  }
  out += pad(rows);
  if (r.idle) {
    const i = r.idle;
    out += `\nidle run (${i.files} files, ${i.jails} jails, nothing new): ${f(i.idle.wallMs)} ms wall, ${f(i.idle.cpuMs)} ms CPU, ${f(i.idle.rssMB)} MB; node -e 0: ${f(i.node.wallMs)} ms wall, ${f(i.node.cpuMs)} ms CPU; ratio ${f(i.ratioWall, 2)}x wall, ${f(i.ratioCpu, 2)}x CPU`;
    if (i.hyperfine) out += `; hyperfine: ${f(i.hyperfine.idleMs, 1)} ms vs ${f(i.hyperfine.nodeMs, 1)} ms = ${f(i.hyperfine.ratio, 2)}x`;
    out += '\n';
  }
  if (r.state) {
    const s = r.state;
    out += `state (${f(s.tracked)} addresses, ${f(s.banned)} bans, ${f(s.bytes / 2 ** 20, 1)} MB): load ${f(s.loadMs)} ms, one new ban ${f(s.banMs)} ms, write ${f(s.writeMs)} ms; load + write ${f(s.loadWriteMs)} ms wall, ${f(s.loadWriteCpuMs)} ms CPU\n`;
  }
  for (const b of r.bans) {
    out += `${f(b.bans)} new bans via ${b.backend} (${b.action}) in a network namespace: ${f(b.wallMs)} ms (${f(b.cpuMs)} ms CPU); the same run dry: ${f(b.dryRunWallMs)} ms; firewall part ${f(b.firewallMs)} ms\n`;
  }
  out += '\ntargets:\n';
  const t = [['target', 'measured', 'bound', 'met']];
  for (const x of report.targets) t.push([x.what, x.value === null ? 'not measured' : `${f(x.value, x.unit === 'x' ? 2 : 0)}${x.unit}`, x.bound, x.met === null ? '-' : x.met ? 'yes' : 'NO']);
  out += pad(t);
  for (const n of report.notes) out += `note: ${n}\n`;
  return out;
}
