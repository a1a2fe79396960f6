// `f2b-scan get <jail> <key>`: a jail option's effective value and the file:line it came from.

import type { CommandModule } from 'yargs';
import { failWith, parseNow } from './common.ts';

interface GetArgs {
  config: string;
  state: string;
  now?: string;
  jail: string;
  key: string;
  json: boolean;
}

export const getCommand: CommandModule<object, GetArgs> = {
  command: 'get <jail> <key>',
  describe: 'the effective value of a jail option and where it was set (file:line), with the layers it overrides',
  builder: (y) =>
    y
      .positional('jail', { type: 'string', describe: 'a jail name (its section in jail.conf/jail.local)' })
      .positional('key', { type: 'string', describe: 'bantime, maxretry, logpath, action, ...' })
      .option('json', { type: 'boolean', default: false, describe: 'print it as one JSON object' })
      .example('$0 get sshd bantime', 'which file sets the sshd ban time') as never,
  handler: async (args) => {
    try {
      const { runGet } = await import('../ops/get.ts');
      const r = await runGet({ configDir: args.config, statePath: args.state, now: parseNow(args.now), jail: args.jail, key: args.key, json: args.json });
      for (const m of r.messages) process.stderr.write(`f2b-scan: ${m}\n`);
      process.stdout.write(r.output);
      process.exitCode = r.exitCode;
    } catch (e) {
      failWith(e);
    }
  },
};
