// `f2b-scan check-config`: is the configuration (and every rule an enabled jail uses) sound?

import type { CommandModule } from 'yargs';
import { EXIT } from '../util/errors.ts';
import { failWith, parseNow } from './common.ts';

interface CheckConfigArgs {
  config: string;
  now?: string;
}

export const checkConfigCommand: CommandModule<object, CheckConfigArgs> = {
  command: 'check-config',
  describe: 'load the configuration and every rule an enabled jail uses; print each problem as file:line: message',
  builder: (y) => y.example('$0 check-config --config /etc/fail2ban', 'check an existing fail2ban setup') as never,
  handler: async (args) => {
    try {
      const { runCheckConfig } = await import('../ops/check-config-run.ts');
      const { builtinRulesDir } = await import('../util/paths.ts');
      const r = await runCheckConfig({ configDir: args.config, builtinDir: builtinRulesDir(), now: parseNow(args.now) });
      for (const n of r.notes) process.stderr.write(`f2b-scan: note: ${n}\n`);
      for (const w of r.warnings) process.stderr.write(`f2b-scan: warning: ${w}\n`);
      if (r.problems.length) {
        for (const p of r.problems) process.stdout.write(`${p}\n`);
        process.stdout.write(`${r.problems.length} problem${r.problems.length === 1 ? '' : 's'} found\n`);
        process.exitCode = EXIT.config;
        return;
      }
      process.stdout.write(`${r.summary}\n`);
    } catch (e) {
      failWith(e);
    }
  },
};
