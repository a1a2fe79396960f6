// `f2b-scan test-rule <rule> <log>`: what a rule matches in a log (fail2ban-regex's job).

import type { CommandModule } from 'yargs';
import { failWith, parseNow } from './common.ts';

interface TestRuleCliArgs {
  rule: string;
  log?: string;
  line?: string[];
  config: string;
  now?: string;
  'filter-option'?: string[];
  'print-missed': boolean;
  'print-matched': boolean;
  json: boolean;
}

export const testRuleCommand: CommandModule<object, TestRuleCliArgs> = {
  command: 'test-rule <rule> [log]',
  describe: 'run one rule (a fail2ban filter) over a log and show what it matches',
  builder: (y) =>
    y
      .positional('rule', { type: 'string', describe: 'rule name (looked up in --config/filter.d, then the shipped rules) or a filter file path' })
      .positional('log', { type: 'string', describe: "log file, or '-' for standard input (or give --line)" })
      .option('line', { type: 'string', array: true, describe: 'a log line to test instead of a file (repeatable: lines in order, for multi-line rules)' })
      .option('filter-option', { type: 'string', array: true, describe: 'key=value passed to the rule, as filter = name[key=value] does (repeatable)' })
      .option('print-missed', { type: 'boolean', default: false, describe: 'print the lines no failregex matched' })
      .option('print-matched', { type: 'boolean', default: false, describe: 'print the lines that were reported' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON object: {filter, lines, matched, ignored, missed}' })
      .check((a) => {
        // A string is yargs' usage error: one line and exit 2.
        if (a.log === undefined && !a.line?.length) return 'test-rule: give a log file (or -) or --line "TEXT"';
        if (a.log !== undefined && a.line?.length) return 'test-rule: a log file or --line, not both';
        return true;
      })
      .example('$0 test-rule sshd /var/log/auth.log', 'what the sshd rule finds in auth.log')
      .example(`$0 test-rule sshd --line 'Nov 24 10:00:01 web1 sshd[4242]: Invalid user admin from 192.0.2.7 port 40100'`, 'does the rule catch this one line')
      .example('$0 test-rule sshd - --filter-option mode=aggressive < auth.log', 'the aggressive mode, reading stdin') as never,
  handler: async (args) => {
    try {
      const { runTestRule } = await import('../ops/test-rule-run.ts');
      process.exitCode = await runTestRule({
        rule: args.rule,
        log: args.log ?? '',
        lines: args.line?.map(String),
        configDir: args.config,
        filterOptions: args['filter-option'] ?? [],
        now: parseNow(args.now),
        json: args.json,
        printMatched: args['print-matched'],
        printMissed: args['print-missed'],
      });
    } catch (e) {
      failWith(e);
    }
  },
};
