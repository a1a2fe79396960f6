// `f2b-scan start [jail...]`: put every ban of the state back into the firewall (at boot), creating chains, sets and tables where missing.
// One line per address on stdout; errors name the command that failed (exit 4).

import type { CommandModule } from 'yargs';
import { failWith, parseNow } from './common.ts';

interface StartArgs {
  config: string;
  state: string;
  now?: string;
  'dry-run': boolean;
  jail?: string[];
}

export const startCommand: CommandModule<object, StartArgs> = {
  command: 'start [jail..]',
  describe: 'put every ban of the state back into the firewall (at boot), creating chains, sets and tables where missing',
  builder: (y) =>
    y
      .positional('jail', { type: 'string', array: true, describe: 'only these jails (default: every jail with bans or started actions)' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'change nothing; print the commands that would run' })
      .example('$0 start', 'after a reboot: restore all bans') as never,
  handler: async (args) => {
    try {
      const { startBans } = await import('../lifecycle.ts');
      const r = await startBans({
        configDir: args.config,
        statePath: args.state,
        now: parseNow(args.now),
        dryRun: args['dry-run'],
        jailNames: args.jail,
      });
      for (const w of r.warnings) process.stderr.write(`f2b-scan: warning: ${w}\n`);
      for (const e of r.errors) process.stderr.write(`f2b-scan: error: ${e}\n`);
      if (r.lines.length > 0) process.stdout.write(r.lines.join('\n') + '\n');
      process.exitCode = r.exitCode;
    } catch (e) {
      failWith(e);
    }
  },
};
