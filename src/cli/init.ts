// `f2b-scan init`: look at this machine's logs and propose a jail.local.

import type { CommandModule } from 'yargs';
import { failWith, parseNow } from './common.ts';

interface InitArgs {
  config: string;
  now?: string;
  root: string;
  write: boolean;
  force: boolean;
}

export const initCommand: CommandModule<object, InitArgs> = {
  command: 'init',
  describe: "propose a jail.local enabling the jails whose logs are here and whose rules find failures in them",
  builder: (y) =>
    y
      .option('root', { type: 'string', default: '/', describe: 'look for the logs under this directory (a mounted image, a test tree)' })
      .option('write', { type: 'boolean', default: false, describe: 'write it to <config>/jail.local instead of printing it' })
      .option('force', { type: 'boolean', default: false, describe: 'with --write: replace an existing jail.local' })
      .example('$0 init', 'print the proposed jail.local')
      .example('$0 init --write && $0 --dry-run', 'write /etc/f2b-scan/jail.local, then see what a run would ban') as never,
  handler: async (args) => {
    try {
      const { runInit } = await import('../install/init.ts');
      const r = await runInit({ root: args.root, configDir: args.config, write: args.write, force: args.force, now: parseNow(args.now) });
      for (const w of r.warnings) process.stderr.write(`f2b-scan: ${r.exitCode === 2 ? '' : 'warning: '}${w}\n`);
      process.stdout.write(r.output);
      process.exitCode = r.exitCode;
    } catch (e) {
      failWith(e);
    }
  },
};
