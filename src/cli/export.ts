// `f2b-scan export [--format list|ipset|json] [--jail j]`: the bans in force, for other hosts.

import type { CommandModule } from 'yargs';
import { failWith, parseNow } from './common.ts';

interface ExportArgs {
  config: string;
  state: string;
  now?: string;
  format: string;
  jail?: string;
  set?: string;
}

export const exportCommand: CommandModule<object, ExportArgs> = {
  command: 'export',
  describe: 'print the bans in force: a plain list, an ipset restore file, or JSON for f2b-scan import',
  builder: (y) =>
    y
      .option('format', { choices: ['list', 'ipset', 'json'], default: 'list' })
      .option('jail', { type: 'string', describe: 'only this jail' })
      .option('set', { type: 'string', describe: 'with --format ipset: the set name (IPv6: name + "6"); default f2b-scan' })
      .example('$0 export --format ipset | ipset restore', 'load the bans into an ipset on another host') as never,
  handler: async (args) => {
    try {
      const { runExport } = await import('../ops/export.ts');
      const r = await runExport({ configDir: args.config, statePath: args.state, now: parseNow(args.now), format: args.format, jail: args.jail, set: args.set });
      for (const m of r.messages) process.stderr.write(`f2b-scan: ${m}\n`);
      process.stdout.write(r.output);
      process.exitCode = r.exitCode;
    } catch (e) {
      failWith(e);
    }
  },
};
