// `f2b-scan [scan]`: one cron run. Prints nothing when nothing happened (cron mails output).

import type { CommandModule } from 'yargs';
import { configDirOf, exitCodeOfError, failWith, parseNow } from './common.ts';

export interface ScanArgs {
  config: string;
  state: string;
  now?: string;
  'dry-run': boolean;
  json: boolean;
  jail?: string[];
  quiet?: boolean;
  verbose?: boolean;
  'lock-wait'?: number;
  'metrics-file'?: string;
}

export const scanCommand: CommandModule<object, ScanArgs> = {
  command: ['scan', '$0'],
  describe: 'scan the logs once: count failures, ban and unban, then exit (the cron job)',
  builder: (y) =>
    y
      .option('dry-run', { type: 'boolean', default: false, describe: 'change nothing: no firewall, no mail, no state write; print what would happen' })
      .option('json', { type: 'boolean', default: false, describe: 'print the run summary as one JSON object' })
      .option('jail', { type: 'string', array: true, describe: 'only these jails' })
      // No defaults: yargs counts a defaulted flag as given, which would trip the conflict.
      .option('quiet', { alias: 'q', type: 'boolean', describe: 'print only errors' })
      .option('verbose', { alias: 'v', type: 'boolean', describe: 'print every warning, each file read and a summary' })
      .option('lock-wait', { type: 'number', describe: 'seconds to wait for a run that holds the lock before exiting with code 3 (default 5)' })
      .option('metrics-file', { type: 'string', describe: 'write Prometheus metrics of the run to this file, atomically, for node_exporter\'s textfile collector (default: metrics_file in [Definition] of f2b-scan.local; none in a dry run)' })
      .check((a) => (a['lock-wait'] === undefined || (Number.isFinite(a['lock-wait']) && a['lock-wait'] >= 0) ? true : '--lock-wait: a number of seconds >= 0'))
      .conflicts('quiet', 'verbose')
      .example('$0 --dry-run --config /etc/fail2ban', 'what would be banned with an existing fail2ban setup')
      .example('* * * * * root f2b-scan', 'the crontab line')
      .example('$0 --metrics-file /var/lib/prometheus/node-exporter/f2b-scan.prom', 'a run that leaves its metrics for node_exporter') as never,
  handler: (args) => runScanCommand(args),
};

/** The scan itself, from parsed arguments (yargs' or main.ts's fast path). */
export async function runScanCommand(args: ScanArgs, opts: { checkConfig?: boolean } = {}): Promise<void> {
  const started = process.hrtime.bigint();
  let now = Date.now() / 1000;
  let result: Awaited<ReturnType<typeof import('../run/run.ts').runScan>> | undefined;
  let failure: unknown;
  try {
    if (opts.checkConfig) configDirOf(args.config);
    now = parseNow(args.now);
    const { runScan } = await import('../run/run.ts');
    result = await runScan({
      configDir: args.config,
      statePath: args.state,
      now,
      dryRun: args['dry-run'],
      jailNames: args.jail,
      silent: args.quiet === true,
      ...(args['lock-wait'] !== undefined ? { lockWaitMs: args['lock-wait'] * 1000 } : {}),
      // A bar for a large backlog, on a terminal only (never in cron or CI output).
      progress: args.quiet || !process.stderr.isTTY ? undefined : async (bytes) => (await import('../report/progress.ts')).terminalProgress(bytes),
    });
  } catch (e) {
    failure = e;
  }
  // The metrics say how every run ended, a failed one too (not a dry run: it changes nothing).
  if (!args['dry-run']) {
    const warning = await writeRunMetrics(args, {
      summary: result?.summary,
      exitCode: result ? result.exitCode : exitCodeOfError(failure),
      runSeconds: Number(process.hrtime.bigint() - started) / 1e9,
      finishedAt: now + Number(process.hrtime.bigint() - started) / 1e9,
    });
    if (warning) process.stderr.write(`f2b-scan: warning: ${warning}\n`);
  }
  if (!result) failWith(failure);
  try {
    const { formatRunText } = await import('../report/run-text.ts');
    // Cron mails whatever a job prints: without a terminal, a repeated warning is
    // printed once a day (all of them with --verbose or on a terminal).
    const tty = process.stdout.isTTY === true;
    const warnings = args.verbose === true || tty ? result.summary.warnings : result.freshWarnings;
    if (!args.quiet) for (const w of warnings) process.stderr.write(`f2b-scan: warning: ${w}\n`);
    for (const e of result.summary.errors) process.stderr.write(`f2b-scan: error: ${e}\n`);
    if (args.json) process.stdout.write(JSON.stringify(result.summary) + '\n');
    else if (!args.quiet) process.stdout.write(formatRunText(result.summary, { summary: tty || args.verbose === true, verbose: args.verbose === true }));
    process.exitCode = result.exitCode;
  } catch (e) {
    failWith(e);
  }
}

/** The metrics file of this run, when one is asked for (flag or [Definition] metrics_file). */
async function writeRunMetrics(args: ScanArgs, m: import('../report/metrics.ts').MetricsInput): Promise<string | null> {
  try {
    const flag = args['metrics-file'];
    let main = null;
    if (!flag) {
      const { loadMainFile } = await import('../config/index.ts');
      const { builtinRulesDir } = await import('../util/paths.ts');
      main = loadMainFile({ configDir: args.config, builtinDir: builtinRulesDir() });
    }
    const { metricsPath, writeMetricsFile } = await import('../report/metrics-file.ts');
    const path = metricsPath(flag, main, args.config);
    return path ? writeMetricsFile(path, m) : null;
  } catch (e) {
    return `metrics file: not written (${(e as Error).message})`;
  }
}
