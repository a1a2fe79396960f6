// The f2b-scan command line through yargs (every command, help, completion, usage errors).
// Each command lives in its own file and loads its implementation only when it runs. The
// plain cron scan does not come here at all (see main.ts).

import yargs, { type CommandModule } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { configDirOf, globalOptions, failWith } from './common.ts';
import { suggestCommand } from './suggest.ts';
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
import { bannedCommand } from './banned.ts';
import { dumpCommand } from './dump.ts';
import { listFiltersCommand } from './list-filters.ts';

const commands = [
  scanCommand,
  reportCommand,
  testRuleCommand,
  checkConfigCommand,
  fleetCommand,
  installCommand,
  initCommand,
  statusCommand,
  banCommand,
  unbanCommand,
  bannedCommand,
  getCommand,
  dumpCommand,
  listFiltersCommand,
  exportCommand,
  importCommand,
  startCommand,
  stopCommand,
];
const commandNames = commands.map((c) => String([c.command].flat()[0]).split(' ')[0]!).concat('completion');

/**
 * `completion` as a command of our own: yargs' built-in one prints its script even for
 * `completion --help`. yargs still answers the script's --get-yargs-completions calls
 * (.completion() below, under a hidden name).
 */
const completionCommand: CommandModule = {
  command: 'completion',
  describe: 'print the bash/zsh completion script (source it from ~/.bashrc or ~/.zshrc)',
  builder: (y) =>
    y
      .example('$0 completion >> ~/.bashrc', 'tab completion in bash (zsh: >> ~/.zshrc)'),
  handler: () => {
    // yargs 18 takes ($0, cmd); @types/yargs (17) knows no arguments.
    (cli.showCompletionScript as unknown as ($0: string, cmd: string) => void)('f2b-scan', 'completion');
  },
};

let configResolved = false;
const cli = yargs(hideBin(process.argv))
  .scriptName('f2b-scan')
  .usage('$0 [command] [options]\n\nA fail2ban for cron: scan logs, ban attackers, exit.')
  .options(globalOptions)
  // Commands that create the configuration directory may be given one that does not exist yet.
  .middleware((argv) => {
    // yargs runs a global middleware again for a nested command (`fleet keygen`): resolve once,
    // or the default directory would be checked the second time as if given with --config.
    if (configResolved) return;
    configResolved = true;
    try {
      (argv as { config?: string }).config = configDirOf(argv.config, ['install', 'init'].includes(String(argv._[0])));
    } catch (e) {
      failWith(e); // yargs does not hand a middleware's error to .fail()
    }
  }, true);
for (const c of commands) cli.command(c as never);
cli
  .command(completionCommand)
  .completion('__completion', false)
  .recommendCommands()
  .strict()
  .help()
  .alias('h', 'help')
  .version()
  .wrap(Math.min(100, process.stdout.columns || 100))
  .fail((msg, err) => {
    // yargs' own validation errors (YError, from .check() and the like) are usage errors.
    // A .check() that returns a message hands it over as `err`, a plain string.
    if (err instanceof Error && err.name !== 'YError') failWith(err);
    msg = msg || (err ? String((err as Error).message ?? err) : '');
    const s = suggestCommand(msg, commandNames, hideBin(process.argv));
    process.stderr.write(s ? `f2b-scan: unknown command '${s.word}'. Did you mean ${s.near}?\n` : `f2b-scan: ${msg}\n`);
    process.stderr.write(`Run 'f2b-scan --help' for usage.\n`);
    process.exit(2);
  });

await cli.parseAsync();
