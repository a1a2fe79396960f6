// The benchmark's one table (plain text, as printed): the rows, the ratios measured in the same
// run, and issue 15's targets checked against them.

const f = (x, d = 0) => (x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
const k = (x) => (Number.isFinite(x) ? `${f(x / 1000, 0)}k` : '-');
const MB = 2 ** 20;
/** Seconds from ms; a row without wall time (the floor's stages) shows '-'. */
const sec = (ms) => (ms === null || ms === undefined ? null : ms / 1000);
const times = (x) => (Number.isFinite(x) ? `${f(x, 2)}x` : '-');

/**
 * Each target of issue 15: what, the measured figure, the bound, met or not (null: not
 * measured). Ratios are CPU seconds (the issue's unit); absolutes CPU seconds or MB.
 */
export function targetsOf(report) {
  const out = [];
  const rowOf = (id) => report.rows.find((r) => r.id === id) ?? null;
  const ratioOf = (id) => report.ratios.find((r) => r.id === id)?.cpu ?? null;
  const add = (what, value, bound, ok, unit) => out.push({ what, value, bound, unit, met: value === null || !Number.isFinite(value) ? null : ok(value) });
  // `ceiling`: the ratio the floor of the same run allows at most (rows-floor.mjs), when measured.
  const atLeast = (what, id, n, ceiling) => {
    add(what, ratioOf(id), `>= ${n}x`, (v) => v >= n, 'x');
    const c = ceiling ? ratioOf(ceiling) : null;
    if (c !== null) out.at(-1).ceiling = c;
  };
  const atMost = (what, id, n) => add(what, ratioOf(id), `<= ${n}x`, (v) => v <= n, 'x');
  const field = (what, id, get, n, unit) => {
    const r = rowOf(id);
    add(what, r ? get(r) : null, `<= ${n}${unit}`, (v) => v <= n, unit);
  };
  atLeast('attack 200k --dry-run vs fail2ban-regex (CPU)', 'attack-dry-vs-f2b-regex', 40, 'ceiling-vs-f2b-regex');
  atLeast('attack 200k real run vs fail2ban-server (CPU)', 'attack-real-vs-f2b-server', 30, 'ceiling-vs-f2b-server');
  atMost('attack 1M: fresh addresses / 100 addresses, --dry-run (CPU)', 'growth-dry', 1.5);
  atMost('attack 1M: fresh addresses / 100 addresses, real run (CPU)', 'growth-real', 1.5);
  field('attack 1M --dry-run: peak RSS', 'attack-big-dry', (r) => r.rssMB, 250, ' MB');
  field('attack 1M real run: peak RSS', 'attack-big-real', (r) => r.rssMB, 250, ' MB');
  atLeast('mixed log vs sshg-parser (CPU)', 'mixed-vs-sshg', 2.5, 'ceiling-vs-sshg');
  atMost('mixed log: f2b-scan / grep -cE (CPU)', 'mixed-vs-grep', 3);
  atMost('five jails / one jail, same file (CPU)', 'five-vs-one', 1.3);
  atMost('idle run, 100k tracked + 20k bans / empty state (CPU)', 'tracked-vs-empty', 1.5);
  field('1M bans: state file', 'million-import', (r) => r.stateBytes / MB, 60, ' MB');
  field('1M bans: idle run (CPU)', 'million-idle', (r) => r.cpuMs / 1000, 5, ' s');
  field('1M bans: idle run peak RSS', 'million-idle', (r) => r.rssMB, 400, ' MB');
  field('1M bans: status (CPU)', 'million-status', (r) => r.cpuMs / 1000, 2, ' s');
  field('100k bans imported and applied, dummy (CPU)', 'import-dummy', (r) => r.cpuMs / 1000, 10, ' s');
  field('100k bans imported and applied, ipset (CPU)', 'import-ipset', (r) => r.cpuMs / 1000, 10, ' s');
  // Issue 7's promises that still stand, checked on the same run.
  const since = out.length;
  atLeast('mixed log vs fail2ban-regex, per line (CPU)', 'mixed-vs-f2b-regex', 40);
  field('mixed log: peak RSS', 'mixed-dry', (r) => r.rssMB, 120, ' MB');
  field('ten jails: peak RSS', 'ten', (r) => r.rssMB, 120, ' MB');
  atMost('idle cron run / node -e 0 (CPU)', 'idle-vs-node', 3);
  for (const t of out.slice(since)) t.issue = 7;
  return out;
}

/**
 * By how much a target is missed, in the words of its bound: "6.1x short", "2.7x over"; and the
 * most the floor allows, when it was measured: "2.8x short; the floor allows 1.62x".
 */
function miss(t) {
  const n = Number(/[\d.]+/.exec(t.bound)[0]);
  const by = t.bound.startsWith('>=') ? `${f(n / t.value, 1)}x short` : `${f(t.value / n, 1)}x over`;
  return t.ceiling === undefined ? by : `${by}; the floor allows ${f(t.ceiling, 2)}x`;
}

function pad(rows) {
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join('  ')).join('\n') + '\n';
}

/** Counts a row carries besides its timings: failures, bans, the state file's size. */
function counts(r) {
  const out = [];
  if (r.failures != null) out.push(`${f(r.failures)} failures`);
  if (r.bans != null) out.push(`${f(r.bans)} bans`);
  if (r.addresses != null) out.push(`${f(r.addresses)} addresses`);
  if (r.stateBytes != null) out.push(`state ${f(r.stateBytes / MB, 1)} MB`);
  return out.join(', ');
}

/** The ratios shown on a row's line: "fail2ban-server costs 3.96x", "one jail 3.14x". */
function beside(report, r) {
  return report.ratios.filter((q) => q.on === r.id && q.short).map((q) => `${q.short} ${f(q.cpu, 2)}x`).join('; ');
}

export function formatTable(report) {
  const m = report.machine;
  let out = `f2b-scan benchmark of ${report.measured}, ${report.date}, ${m.cpus} x ${m.model}, Node ${m.node}, load average ${m.loadavgAtStart.join(' ')} at the start, ${m.loadavg.join(' ')} at the end; medians of up to ${report.runs} runs; ${report.minutes} minutes (${Object.entries(report.minutesPerGroup ?? {}).map(([g, min]) => `${g} ${min}`).join(', ')})\n\n`;
  const t = [['what', 'runs', 'lines', 'wall s', 'CPU s', 'lines/s', 'lines/CPU s', 'peak RSS MB', 'CPU vs same run', '']];
  for (const r of report.rows) t.push([r.name, r.runs ?? '-', f(r.lines), f(sec(r.wallMs), 2), f(sec(r.cpuMs), 2), k(r.linesPerSec), k(r.linesPerCpuSec), f(r.rssMB, 0), beside(report, r), counts(r)]);
  out += pad(t);
  if (report.ratios.length) {
    out += '\nratios, same run:\n';
    const q = [['what', 'CPU', 'wall']];
    for (const r of report.ratios) q.push([r.what, times(r.cpu), times(r.wall)]);
    out += pad(q);
  }
  out += '\ntargets:\n';
  const g = [['target', 'issue', 'measured', 'bound', 'met']];
  for (const x of report.targets) g.push([x.what, x.issue ?? 15, x.value === null ? 'not measured' : `${f(x.value, x.unit === 'x' ? 2 : 1)}${x.unit}`, x.bound, x.met === null ? '-' : x.met ? 'yes' : `NO (${miss(x)})`]);
  out += pad(g);
  for (const n of report.notes) out += `note: ${n}\n`;
  return out;
}

/**
 * The same figures as markdown, for the README's Performance section (`--markdown FILE`, or
 * `node bench/table.mjs results.json` for a saved report): the rows, then the targets.
 */
export function formatMarkdown(report) {
  const m = report.machine;
  const cell = (x) => String(x).replace(/\|/g, '\\|');
  let out = `Measured ${report.date.slice(0, 16).replace('T', ' ')} UTC (${report.measured}) with \`${report.command}\` on ${m.cpus} × ${m.model} (${m.memGB} GB, Node ${m.node}); load average ${m.loadavgAtStart.join(' ')} at the start, ${m.loadavg.join(' ')} at the end; medians of up to ${report.runs} runs.\n\n`;
  out += '| what | runs | lines | wall s | CPU s | lines per CPU s | peak RSS | CPU against the same run | |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |\n';
  for (const r of report.rows) out += `| ${cell(r.name)} | ${r.runs ?? '-'} | ${f(r.lines)} | ${f(sec(r.wallMs), 2)} | ${f(sec(r.cpuMs), 2)} | ${k(r.linesPerCpuSec)} | ${f(r.rssMB, 0)} MB | ${cell(beside(report, r))} | ${cell(counts(r))} |\n`;
  out += '\n| target | issue | measured | bound | met |\n| --- | ---: | ---: | --- | --- |\n';
  for (const x of report.targets) out += `| ${cell(x.what)} | ${x.issue ?? 15} | ${x.value === null ? 'not measured' : `${f(x.value, x.unit === 'x' ? 2 : 1)}${x.unit}`} | ${x.bound} | ${x.met === null ? '-' : x.met ? 'yes' : `**no**: ${miss(x)}`} |\n`;
  for (const n of report.notes) out += `\n- ${n}`;
  return out + '\n';
}

// `node bench/table.mjs results.json [--markdown]`: print a saved report again.
if (import.meta.url === `file://${process.argv[1]}`) {
  const { readFileSync } = await import('node:fs');
  const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  report.targets = targetsOf(report); // today's targets over the saved figures
  process.stdout.write(process.argv.includes('--markdown') ? formatMarkdown(report) : formatTable(report));
}
