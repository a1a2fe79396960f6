// `f2b-scan stop [jail...]`: lift every ban from the firewall and remove what start created; the state keeps the bans (start or the next run puts them back).
// One line per address on stdout; errors name the command that failed (exit 4).

import type { CommandModule } from 'yargs';
import { failWith, parseNow } from './common.ts';

interface StopArgs {
  config: string;
  state: string;
  now?: string;
  'dry-run': boolean;
  jail?: string[];
}

export const stopCommand: CommandModule<object, StopArgs> = {
  command: 'stop [jail..]',
  describe: 'lift every ban from the firewall and remove what start created; the state keeps the bans (start or the next run puts them back)',
  builder: (y) =>
    y
      .positional('jail', { type: 'string', array: true, describe: 'only these jails (default: every jail with bans or started actions)' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'change nothing; print the commands that would run' })
      .example('$0 stop sshd', 'take the sshd jail out of the firewall') as never,
  handler: async (args) => {
    try {
      const { stopBans } = await import('../lifecycle.ts');
      const r = await stopBans({
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
