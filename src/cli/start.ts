// `f2b-scan start [jail...]`: put every ban of the state back into the firewall (at boot), creating chains, sets and tables where missing.
// One line per address on stdout; errors name the command that failed (exit 4).
// `stop` (stop.ts) is the same command around stopBans: both are made by lifecycleCommand.

import type { CommandModule } from 'yargs';
import type { LifecycleOptions, LifecycleResult } from '../ops/lifecycle.ts';
import { failWith, parseNow, words } from './common.ts';

export interface LifecycleArgs {
  config: string;
  state: string;
  now?: string;
  'dry-run': boolean;
  jail?: string[];
}

export interface LifecycleCommandSpec {
  name: 'start' | 'stop';
  describe: string;
  example: [command: string, description: string];
}

/** `start` or `stop`: the same flags, output and exit code around startBans or stopBans. */
export function lifecycleCommand(spec: LifecycleCommandSpec): CommandModule<object, LifecycleArgs> {
  return {
    command: `${spec.name} [jail..]`,
    describe: spec.describe,
    builder: (y) =>
      y
        .positional('jail', { type: 'string', array: true, default: undefined, describe: 'only these jails (default: every jail with bans or started actions)' })
        .option('dry-run', { type: 'boolean', default: false, describe: 'change nothing; print the commands that would run' })
        .example(...spec.example) as never,
    handler: async (args) => {
      try {
        // Loaded only when the command runs: the firewall code stays out of other commands.
        const lifecycle = await import('../ops/lifecycle.ts');
        const apply: (opts: LifecycleOptions) => Promise<LifecycleResult> = spec.name === 'start' ? lifecycle.startBans : lifecycle.stopBans;
        const r = await apply({
          configDir: args.config,
          statePath: args.state,
          now: parseNow(args.now),
          dryRun: args['dry-run'],
          jailNames: words(args.jail).length ? words(args.jail) : undefined,
        });
        for (const w of r.warnings) process.stderr.write(`f2b-scan: warning: ${w}\n`);
        for (const e of r.errors) process.stderr.write(`f2b-scan: error: ${e}\n`);
        if (r.lines.length > 0) process.stdout.write(r.lines.join('\n') + '\n');
        process.exitCode = r.exitCode;
      } catch (e) {
        failWith(e);
      }
    },
  };
}

export const startCommand = lifecycleCommand({
  name: 'start',
  describe: 'put every ban of the state back into the firewall (at boot), creating chains, sets and tables where missing',
  example: ['$0 start', 'after a reboot: restore all bans'],
});
