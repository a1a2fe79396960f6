// `f2b-scan status [jail] [--json]`: what fail2ban-client status shows, from the state file.

import type { CommandModule } from 'yargs';
import { failWith, parseNow } from './common.ts';

interface StatusArgs {
  config: string;
  state: string;
  now?: string;
  jail?: string;
  json: boolean;
}

export const statusCommand: CommandModule<object, StatusArgs> = {
  command: 'status [jail]',
  describe: 'the jails; for one jail: files and offsets, failures now and in total, bans with expiry and in total',
  builder: (y) =>
    y
      .positional('jail', { type: 'string', describe: 'one jail in detail' })
      .option('json', { type: 'boolean', default: false, describe: 'every shown jail in detail, as one JSON object' })
      .example('$0 status sshd', 'failures and bans of the sshd jail') as never,
  handler: async (args) => {
    try {
      const { runStatus } = await import('../ops/status.ts');
      const r = await runStatus({ configDir: args.config, statePath: args.state, now: parseNow(args.now), jail: args.jail, json: args.json });
      for (const m of r.messages) process.stderr.write(`f2b-scan: ${m}\n`);
      process.stdout.write(r.output);
      process.exitCode = r.exitCode;
    } catch (e) {
      failWith(e);
    }
  },
};
