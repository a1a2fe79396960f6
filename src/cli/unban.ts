// `f2b-scan unban <ip>... | --all [--jail j] [--fleet]`: lift bans by hand.

import type { CommandModule } from 'yargs';
import { failWith, parseNow, words } from './common.ts';

interface UnbanArgs {
  config: string;
  state: string;
  now?: string;
  ip?: string[];
  all: boolean;
  jail?: string;
  fleet: boolean;
  'dry-run': boolean;
}

export const unbanCommand: CommandModule<object, UnbanArgs> = {
  command: 'unban [ip..]',
  describe: 'lift bans by hand (every jail, or --jail), in the state and the firewall',
  builder: (y) =>
    y
      .positional('ip', { type: 'string', array: true, default: undefined, describe: 'IPv4 or IPv6 addresses' }) // no "[default: []]" in --help
      .option('all', { type: 'boolean', default: false, describe: 'every ban (of --jail, else of all jails)' })
      .option('jail', { type: 'string', describe: 'only in this jail' })
      .option('fleet', { type: 'boolean', default: false, describe: 'also publish the unban to the fleet ([fleet] url)' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'change nothing; print what would be unbanned' })
      .example('$0 unban 192.0.2.7', 'lift every ban of one address')
      .example('$0 unban --all --jail sshd', 'empty the sshd jail') as never,
  handler: async (args) => {
    try {
      const { runUnban } = await import('../ops/unban.ts');
      const r = await runUnban({
        configDir: args.config,
        statePath: args.state,
        now: parseNow(args.now),
        dryRun: args['dry-run'],
        ips: words(args.ip),
        all: args.all,
        jail: args.jail,
        fleet: args.fleet,
      });
      for (const m of r.messages) process.stderr.write(`f2b-scan: ${m}\n`);
      process.stdout.write(r.output);
      process.exitCode = r.exitCode;
    } catch (e) {
      failWith(e);
    }
  },
};
