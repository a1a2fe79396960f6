// `f2b-scan dump [jail] [--json]`: the resolved configuration (fail2ban-client -d).

import type { CommandModule } from 'yargs';
import { failWith } from './common.ts';

interface DumpArgs {
  config: string;
  jail?: string;
  json: boolean;
}

export const dumpCommand: CommandModule<object, DumpArgs> = {
  command: 'dump [jail]',
  describe: "the whole configuration as a run resolves it (fail2ban-client -d): main settings, and per enabled jail every value, the rule's regexes and each action with what runs it",
  builder: (y) =>
    y
      .positional('jail', { type: 'string', describe: 'only this jail (enabled or not)' })
      .option('json', { type: 'boolean', default: false, describe: 'print it as one JSON object' })
      .example('$0 dump sshd', 'what the sshd jail really uses: rule file, regexes, actions, times')
      .example('$0 dump --json --config /etc/fail2ban', 'an existing fail2ban setup as f2b-scan reads it') as never,
  handler: async (args) => {
    try {
      const { runDump } = await import('../ops/dump.ts');
      const r = runDump({ configDir: args.config, jail: args.jail, json: args.json });
      for (const w of r.warnings) process.stderr.write(`f2b-scan: warning: ${w}\n`);
      process.stdout.write(r.output);
    } catch (e) {
      failWith(e);
    }
  },
};
