// A run as Prometheus text (exposition format 0.0.4), for node_exporter's textfile collector:
// per jail the bans in force and the all-time counters the state keeps, the run's own
// duration, time and exit code, and with a fleet its exchange. Pure: values in, text out.
//
// Written by hand rather than with prom-client: that library keeps a registry for a long-
// running process (its counters only go up from zero inside that process), while these
// counters live in the state file between runs; the format itself is a few plain rules.

import type { RunSummary } from '../types.ts';

/** The metrics of the run as a whole: replaced by every run, whatever happened. */
export const RUN_METRICS = ['f2b_scan_run_seconds', 'f2b_scan_last_run_timestamp_seconds', 'f2b_scan_last_exit_code'] as const;

export interface MetricsInput {
  /** The run's summary; absent when the run stopped before it had one (a config error, a lock). */
  summary?: RunSummary;
  exitCode: number;
  /** Wall time of the run. */
  runSeconds: number;
  /** When the run ended (epoch seconds). */
  finishedAt: number;
}

interface Family {
  name: string;
  type: 'gauge' | 'counter';
  help: string;
  samples: { labels?: Record<string, string>; value: number }[];
}

/** A label value: backslash, double quote and newline escaped, as the format wants. */
function labelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function num(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

export function renderFamilies(families: Family[]): string {
  const out: string[] = [];
  for (const f of families) {
    if (f.samples.length === 0) continue;
    out.push(`# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const labels = s.labels ? Object.entries(s.labels).map(([k, v]) => `${k}="${labelValue(v)}"`).join(',') : '';
      out.push(`${f.name}${labels ? `{${labels}}` : ''} ${num(s.value)}`);
    }
  }
  return out.length ? out.join('\n') + '\n' : '';
}

/** The families a run with a summary gives: per jail, then the fleet's. */
export function summaryFamilies(s: RunSummary): Family[] {
  const jails = Object.entries(s.totals ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const perJail = (name: string, type: Family['type'], help: string, pick: (c: NonNullable<RunSummary['totals']>[string]) => number): Family => ({
    name,
    type,
    help,
    samples: jails.map(([jail, c]) => ({ labels: { jail }, value: pick(c) })),
  });
  const families: Family[] = [
    perJail('f2b_scan_bans_active', 'gauge', 'Addresses (and ranges) banned in the jail now.', (c) => c.bansActive),
    perJail('f2b_scan_bans_total', 'counter', 'Bans the jail made, all time (the state file keeps the count).', (c) => c.bans),
    perJail('f2b_scan_unbans_total', 'counter', 'Bans the jail lifted (expired or by hand), all time.', (c) => c.unbans),
    perJail('f2b_scan_failures_total', 'counter', "Failures the jail's rule found, all time.", (c) => c.failures),
    perJail('f2b_scan_lines_read_total', 'counter', 'Log lines (or journal entries) the jail read, all time.', (c) => c.lines),
  ];
  const fleet = s.fleet;
  if (fleet) {
    const one = (name: string, type: Family['type'], help: string, value: number | null | undefined): Family => ({
      name,
      type,
      help,
      samples: value === undefined || value === null ? [] : [{ value }],
    });
    families.push(
      one('f2b_scan_fleet_published_total', 'counter', 'Bans and unbans this host published to the fleet stream, all time.', fleet.totals?.published),
      one('f2b_scan_fleet_imported_total', 'counter', "Bans this host took from other hosts' entries, all time.", fleet.totals?.imported),
      one('f2b_scan_fleet_dropped_total', 'counter', 'Fleet entries not acted on (bad signature, values or times, replays), all time.', fleet.totals?.dropped),
      one('f2b_scan_fleet_lag_entries', 'gauge', "Stream entries after this host's cursor when the run ended.", fleet.lag),
      one('f2b_scan_fleet_outbox', 'gauge', 'Bans and unbans waiting in the state to be published.', fleet.outbox),
      one('f2b_scan_fleet_up', 'gauge', 'Whether the last run reached the fleet (1) or not (0).', fleet.error === null ? 1 : 0),
    );
  }
  return families;
}

export function runFamilies(m: MetricsInput): Family[] {
  return [
    { name: 'f2b_scan_run_seconds', type: 'gauge', help: 'Wall time of the last run.', samples: [{ value: Math.round(m.runSeconds * 1000) / 1000 }] },
    { name: 'f2b_scan_last_run_timestamp_seconds', type: 'gauge', help: 'When the last run ended (Unix time).', samples: [{ value: Math.round(m.finishedAt) }] },
    { name: 'f2b_scan_last_exit_code', type: 'gauge', help: 'Exit code of the last run (0 ok, 2 configuration, 3 locked, 4 action failed, 5 input warnings, 6 fleet unreachable, 7 refused by the machine: permission, read-only, disk full).', samples: [{ value: m.exitCode }] },
  ];
}

/**
 * The file's text. Without a summary the per-jail and fleet lines of the previous file are
 * kept (a run that could not read its configuration changed no counter), so the series do
 * not vanish from the monitoring while the run-level lines say what went wrong.
 */
export function formatMetrics(m: MetricsInput, previous = ''): string {
  const body = m.summary ? renderFamilies(summaryFamilies(m.summary)) : keptFromPrevious(previous);
  return body + renderFamilies(runFamilies(m));
}

/** The previous file without the run-level families. */
function keptFromPrevious(previous: string): string {
  const runLevel = new Set<string>(RUN_METRICS);
  const kept = previous.split('\n').filter((line) => {
    if (!line.trim()) return false;
    const name = line.startsWith('#') ? line.split(/\s+/)[2] : /^[A-Za-z_:][\w:]*/.exec(line)?.[0];
    return name !== undefined && name.startsWith('f2b_scan_') && !runLevel.has(name);
  });
  return kept.length ? kept.join('\n') + '\n' : '';
}
