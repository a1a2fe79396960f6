// `f2b-scan ban <jail> <ip|range>... [--fleet]`: ban addresses (or CIDR ranges) by hand for the jail's bantime.

import type { CommandModule } from 'yargs';
import { failWith, parseNow, words } from './common.ts';

interface BanArgs {
  config: string;
  state: string;
  now?: string;
  jail: string;
  ip: string[];
  fleet: boolean;
  'dry-run': boolean;
}

export const banCommand: CommandModule<object, BanArgs> = {
  command: 'ban <jail> <ip..>',
  describe: "ban addresses by hand in a jail, for its bantime, through the jail's actions",
  builder: (y) =>
    y
      .positional('jail', { type: 'string', describe: 'the jail whose actions and bantime apply' })
      .positional('ip', { type: 'string', array: true, default: undefined, describe: 'IPv4 or IPv6 addresses, or CIDR ranges (a.b.c.d/n) where the jail\'s firewall holds them' }) // no "[default: []]" in --help
      .option('fleet', { type: 'boolean', default: false, describe: 'also publish the bans to the fleet ([fleet] url and key_file)' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'change nothing; print what would be banned' })
      .example('$0 ban sshd 192.0.2.7', 'ban one address in the sshd jail')
      .example('$0 ban sshd 192.0.2.7 --fleet', 'ban it here and on every host of the fleet') as never,
  handler: async (args) => {
    try {
      const { runBan } = await import('../ops/ban.ts');
      const r = await runBan({ configDir: args.config, statePath: args.state, now: parseNow(args.now), dryRun: args['dry-run'], jail: args.jail, ips: words(args.ip), fleet: args.fleet });
      for (const m of r.messages) process.stderr.write(`f2b-scan: ${m}\n`);
      process.stdout.write(r.output);
      process.exitCode = r.exitCode;
    } catch (e) {
      failWith(e);
    }
  },
};
