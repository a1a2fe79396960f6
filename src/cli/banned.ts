// `f2b-scan banned <ip>...`: which jails ban these addresses (fail2ban-client banned).

import type { CommandModule } from 'yargs';
import { failWith, parseNow, words } from './common.ts';

interface BannedArgs {
  config: string;
  state: string;
  now?: string;
  ip: string[];
  json: boolean;
}

export const bannedCommand: CommandModule<object, BannedArgs> = {
  command: 'banned <ip..>',
  describe: 'which jails ban these addresses: jail, until when, and why (log, manual, fleet, import)',
  builder: (y) =>
    y
      .positional('ip', { type: 'string', array: true, default: undefined, describe: 'IPv4 or IPv6 addresses' })
      .option('json', { type: 'boolean', default: false, describe: 'print [{ip, bans: [{jail, until, origin, from?, range?, pending}]}]' })
      .example('$0 banned 192.0.2.7 2001:db8::7', 'is either address banned, where, until when') as never,
  handler: async (args) => {
    try {
      const { runBanned } = await import('../ops/banned.ts');
      const r = await runBanned({ configDir: args.config, statePath: args.state, now: parseNow(args.now), ips: words(args.ip), json: args.json });
      for (const m of r.messages) process.stderr.write(`f2b-scan: ${m}\n`);
      process.stdout.write(r.output);
      process.exitCode = r.exitCode;
    } catch (e) {
      failWith(e);
    }
  },
};
