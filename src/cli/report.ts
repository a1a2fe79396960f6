// `f2b-scan report`: who attacked what, as text, JSON, markdown, JUnit or HTML.

import { writeFileSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { failWith, parseNow } from './common.ts';
import { UsageError } from '../util/errors.ts';
import { MAX_BAN_SECONDS } from '../config/duration.ts';

interface ReportArgs {
  config: string;
  now?: string;
  jail?: string[];
  rule?: string;
  log?: string[];
  'filter-option'?: string[];
  since?: string;
  until?: string;
  format: string;
  output?: string;
  top: number;
  'fail-on': string;
  maxretry?: number;
  findtime?: number;
}

function parseTime(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw new UsageError(`${flag}: not an ISO 8601 time: ${v}`);
  return ms / 1000;
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report',
  describe: 'analyse logs and report who failed and who would be banned (no firewall, no state)',
  builder: (y) =>
    y
      .option('jail', { type: 'string', array: true, describe: 'only these jails' })
      .option('rule', { type: 'string', describe: 'a rule name or filter file, with --log, instead of the configured jails' })
      .option('log', { type: 'string', array: true, describe: 'log files for --rule' })
      .option('filter-option', { type: 'string', array: true, describe: 'key=value for --rule (what sshd[mode=aggressive] passes)' })
      .option('since', { type: 'string', describe: 'only failures at or after this ISO 8601 time' })
      .option('until', { type: 'string', describe: 'only failures at or before this ISO 8601 time' })
      .option('format', { choices: ['text', 'json', 'markdown', 'junit', 'html'], default: 'text' })
      .option('output', { type: 'string', alias: 'o', describe: 'write the report to this file instead of stdout' })
      .option('top', { type: 'number', default: 10, describe: 'addresses listed per jail' })
      .option('fail-on', { choices: ['ban', 'match', 'never'], default: 'never', describe: 'exit 1 when something would be banned / matched, or a jail could not be analysed' })
      .option('maxretry', { type: 'number', describe: 'with --rule: failures that make a ban' })
      .option('findtime', { type: 'number', describe: 'with --rule: window in seconds' })
      .check((a) => {
        // A string is yargs' usage error: one line and exit 2, not an internal error.
        if (a.rule && (!a.log || a.log.length === 0)) return '--rule needs --log FILE...';
        if (a.log && !a.rule) return '--log goes with --rule';
        // Numbers from the command line are bounded like the configuration's (yargs gives NaN for "abc").
        if (a.findtime !== undefined && !(a.findtime >= 0 && a.findtime <= MAX_BAN_SECONDS)) return `--findtime: ${a.findtime} is not seconds from 0 to 100 years`;
        if (a.maxretry !== undefined && !(Number.isInteger(a.maxretry) && a.maxretry >= 1)) return `--maxretry: ${a.maxretry} is not a whole number of 1 or more`;
        if (!(Number.isInteger(a.top) && a.top >= 0)) return `--top: ${a.top} is not a whole number of 0 or more`;
        return true;
      })
      .example('$0 report --format markdown >> "$GITHUB_STEP_SUMMARY"', 'a CI job summary of the configured jails')
      .example('$0 report --rule sshd --log auth.log --format junit -o report.xml --fail-on ban', 'fail a pipeline when an address would be banned') as never,
  handler: async (args) => {
    try {
      const { buildReport } = await import('../report/run-report.ts');
      const { formatReport } = await import('../report/formats.ts');
      const ruleOptions: Record<string, string> = {};
      for (const kv of args['filter-option'] ?? []) {
        const i = kv.indexOf('=');
        if (i <= 0) throw new UsageError(`--filter-option: expected key=value, got ${kv}`);
        ruleOptions[kv.slice(0, i)] = kv.slice(i + 1);
      }
      const { analysis, warnings } = await buildReport({
        configDir: args.config,
        now: parseNow(args.now),
        jailNames: args.jail,
        rule: args.rule,
        ruleOptions,
        logs: args.log,
        since: parseTime('--since', args.since),
        until: parseTime('--until', args.until),
        top: args.top,
        maxretry: args.maxretry,
        findtime: args.findtime,
        progress: process.stderr.isTTY ? async (bytes) => (await import('../report/progress.ts')).terminalProgress(bytes) : undefined,
      });
      for (const w of warnings) process.stderr.write(`f2b-scan: warning: ${w}\n`);
      const colour = !args.output && args.format === 'text' && process.stdout.isTTY === true;
      const text = formatReport(analysis, args.format as never, { colour });
      if (args.output) writeFileSync(args.output, text);
      else process.stdout.write(text);
      // A jail that could not be analysed is said on stderr too, and fails a CI check.
      for (const e of analysis.errors) process.stderr.write(`f2b-scan: error: [${e.jail}] not analysed: ${e.message}\n`);
      const failOn = args['fail-on'];
      if (
        (failOn !== 'never' && analysis.errors.length > 0) ||
        (failOn === 'ban' && analysis.totals.wouldBan > 0) ||
        (failOn === 'match' && analysis.totals.matches > 0)
      ) {
        process.exitCode = 1;
      }
    } catch (e) {
      failWith(e);
    }
  },
};
