// `f2b-scan import <file> --jail j [--bantime s] [--fleet]`: a ban list (an export, DROP, CrowdSec...) into a jail.

import type { CommandModule } from 'yargs';
import { failWith, parseNow } from './common.ts';

interface ImportArgs {
  config: string;
  state: string;
  now?: string;
  file: string;
  jail: string;
  bantime?: string;
  fleet: boolean;
  'dry-run': boolean;
}

export const importCommand: CommandModule<object, ImportArgs> = {
  command: 'import <file>',
  describe: 'ban the addresses and ranges of a ban list in a jail, with expiry: a plain list, Spamhaus DROP/EDROP, CrowdSec decisions (JSON), an ipset restore file or an export ("-": stdin)',
  builder: (y) =>
    y
      .positional('file', { type: 'string', describe: 'a file of bans: one address or range a line (# or ; comments; Spamhaus DROP/EDROP), cscli decisions list -o json, an ipset restore file, or export --format json; "-" reads stdin' })
      .option('jail', { type: 'string', demandOption: true, describe: "the jail whose actions apply" })
      .option('bantime', { type: 'string', describe: 'ban for this long (fail2ban duration: 3600, 1h, 1w; negative: for good) instead of the time the file gives or the jail\'s bantime' })
      .option('fleet', { type: 'boolean', default: false, describe: 'also publish the bans to the fleet ([fleet] url and key_file)' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'change nothing; print what would be banned' })
      .example('$0 import bans.json --jail sshd', 'bans exported by another host, until the times it gave')
      .example('$0 import drop.txt --jail drop', "Spamhaus DROP's ranges, until its Expires: header") as never,
  handler: async (args) => {
    try {
      const { runImport } = await import('../ops/import.ts');
      const r = await runImport({ configDir: args.config, statePath: args.state, now: parseNow(args.now), dryRun: args['dry-run'], file: args.file, jail: args.jail, bantime: args.bantime, fleet: args.fleet });
      for (const m of r.messages) process.stderr.write(`f2b-scan: ${m}\n`);
      process.stdout.write(r.output);
      process.exitCode = r.exitCode;
    } catch (e) {
      failWith(e);
    }
  },
};
