// The f2b-scan command line. Each command lives in its own file and loads its
// implementation only when it runs, so an idle cron run parses little code.

import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { globalOptions, failWith } from './common.ts';
import { scanCommand } from './scan.ts';
import { reportCommand } from './report.ts';
import { testRuleCommand } from './test-rule.ts';
import { checkConfigCommand } from './check-config.ts';
import { fleetCommand } from './fleet.ts';
import { installCommand } from './install.ts';
import { initCommand } from './init.ts';
import { statusCommand } from './status.ts';
import { banCommand } from './ban.ts';
import { unbanCommand } from './unban.ts';
import { getCommand } from './get.ts';
import { exportCommand } from './export.ts';
import { importCommand } from './import.ts';
import { startCommand } from './start.ts';
import { stopCommand } from './stop.ts';

const cli = yargs(hideBin(process.argv))
  .scriptName('f2b-scan')
  .usage('$0 [command] [options]\n\nA fail2ban for cron: scan logs, ban attackers, exit.')
  .options(globalOptions)
  .command(scanCommand)
  .command(reportCommand)
  .command(testRuleCommand)
  .command(checkConfigCommand)
  .command(fleetCommand)
  .command(installCommand)
  .command(initCommand)
  .command(statusCommand)
  .command(banCommand)
  .command(unbanCommand)
  .command(getCommand)
  .command(exportCommand)
  .command(importCommand)
  .command(startCommand)
  .command(stopCommand)
  .completion('completion', 'print the bash/zsh completion script (source it from ~/.bashrc or ~/.zshrc)')
  .recommendCommands()
  .strict()
  .help()
  .alias('h', 'help')
  .version()
  .wrap(Math.min(100, process.stdout.columns || 100))
  .fail((msg, err, y) => {
    if (err) failWith(err);
    process.stderr.write(`f2b-scan: ${msg}\n`);
    process.stderr.write(`Run 'f2b-scan --help' for usage.\n`);
    process.exit(2);
  });

await cli.parseAsync();
