// `f2b-scan report`: analyse logs from scratch with the configured jails (or one rule over
// given files), never touching the firewall or the state file.

import { basename } from 'node:path';
import { loadConfig } from '../config/index.ts';
import { scanLogs, type ScanInput } from '../scan/scan.ts';
import type { FailureSink } from '../scan/sink.ts';
import { keyText, type AddrKey } from '../net/key.ts';
import { emptyState } from '../state/schema.ts';
import { selectJails } from '../run/select-jails.ts';
import type { Jail, RuleMatch } from '../types.ts';
import { ConfigError } from '../util/errors.ts';
import { builtinRulesDir } from '../util/paths.ts';
import { JailAggregate } from './aggregate.ts';
import { analyze, type Analysis, type ReportJailInput } from './analysis.ts';

export interface ReportOptions {
  configDir: string;
  now: number;
  jailNames?: string[];
  /** With logs: one rule over these files, without a jail from the config. */
  rule?: string;
  ruleOptions?: Record<string, string>;
  logs?: string[];
  since?: number;
  until?: number;
  top?: number;
  maxretry?: number;
  findtime?: number;
  progress?: ScanInput['progress'];
}

export async function buildReport(opts: ReportOptions): Promise<{ analysis: Analysis; warnings: string[] }> {
  const config = loadConfig({ configDir: opts.configDir, builtinDir: builtinRulesDir() });
  const jails = opts.rule ? [ruleJail(config.jails, opts)] : selectJails(config.jails, opts.jailNames, opts.configDir, { skipped: config.skipped, leaveOutSkipped: true });
  // Each failure is folded into its jail's aggregate as the scan finds it: the report holds
  // counters per address and time bucket, never the log's failures.
  const aggregates = new Map(jails.map((j) => [j.name, new JailAggregate(j.maxretry, j.findtime, { since: opts.since, until: opts.until })]));
  const collected = await scanLogs(
    { jails, state: emptyState(), now: opts.now, filterDirs: config.filterDirs, startAtEnd: false, progress: opts.progress },
    new ReportSink(aggregates),
  );
  const inputs: ReportJailInput[] = jails.map((j) => ({
    name: j.name,
    filter: j.filter.name,
    maxretry: j.maxretry,
    findtime: j.findtime,
    files: collected.files.filter((f) => f.jail === j.name).map((f) => ({ path: f.path, lines: f.linesRead })),
    aggregate: aggregates.get(j.name)!,
    errors: collected.jailErrors[j.name] ?? [],
  }));
  const analysis = analyze(inputs, { now: opts.now, since: opts.since, until: opts.until, top: opts.top });
  // A jail the configuration could not resolve was not analysed either: the report says so.
  for (const message of opts.rule ? [] : config.jailErrors) {
    const jail = /\(jail \[(.*)\] skipped\)$/.exec(message)?.[1] ?? '?';
    if (!opts.jailNames || opts.jailNames.includes(jail)) analysis.errors.push({ jail, message });
  }
  return { analysis, warnings: [...config.warnings, ...collected.warnings] };
}

/** The scan's sink for a report: each failure folded into its jail's aggregate as it is read. */
class ReportSink implements FailureSink {
  constructor(private readonly aggregates: Map<string, JailAggregate>) {}

  wantsText(): boolean {
    return true; // the first lines of the addresses it lists
  }

  failure(jail: string, key: AddrKey, time: number, m: RuleMatch): void {
    // The aggregate copies the line only when it keeps it (own()).
    this.aggregates.get(jail)?.add(keyText(key), time, m.lines.join('\n'), m.repeat ?? 1);
  }
}

/** A jail for `--rule R --log FILE...`: the rule's own jail settings when one exists, else the defaults. */
function ruleJail(all: Jail[], opts: ReportOptions): Jail {
  const rule = opts.rule!;
  const name = basename(rule).replace(/\.conf$/, '');
  const base = all.find((j) => j.name === name) ?? all[0];
  if (!base) throw new ConfigError({ file: opts.configDir }, 'no jail to take default settings from');
  return {
    ...base,
    name,
    enabled: true,
    filter: { name: rule, options: { ...(opts.ruleOptions ?? {}) } },
    logpath: opts.logs ?? [],
    backend: 'auto',
    maxretry: opts.maxretry ?? base.maxretry,
    findtime: opts.findtime ?? base.findtime,
  };
}
