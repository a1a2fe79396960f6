// `f2b-scan fleet status [--json]`: the shared ban stream as this host sees it.
// The Redis code is loaded only when the command runs.

import type { CommandModule } from 'yargs';
import { failWith } from './common.ts';

interface FleetStatusArgs {
  config: string;
  state: string;
  now?: string;
  json: boolean;
}

const statusCommand: CommandModule<object, FleetStatusArgs> = {
  command: 'status',
  describe: "every host's last run (exit code, published, imported, dropped, outbox, silent > 5 min), the stream's ends, this host's cursor",
  builder: (y) =>
    y
      .option('json', { type: 'boolean', default: false, describe: 'print the status as one JSON object' })
      .example('$0 fleet status --json', "this host's view of the shared ban stream") as never,
  handler: async (args) => {
    try {
      const { runFleetStatus } = await import('../fleet/status-command.ts');
      const r = await runFleetStatus({
        configDir: args.config,
        statePath: args.state,
        json: args.json,
      });
      for (const w of r.warnings) process.stderr.write(`f2b-scan: warning: ${w}\n`);
      process.stdout.write(r.output);
      process.exitCode = r.exitCode;
    } catch (e) {
      failWith(e);
    }
  },
};

interface KeygenArgs {
  host: string;
  out: string;
}

const keygenCommand: CommandModule<object, KeygenArgs> = {
  command: 'keygen',
  describe: "make this host's Ed25519 key ([fleet] key_file) and print its line for the others' trusted_keys",
  builder: (y) =>
    y
      .option('host', { type: 'string', demandOption: true, describe: 'the name this host publishes as ([fleet] host)' })
      .option('out', { type: 'string', demandOption: true, describe: 'where to write the private key (mode 0600; never overwritten)' })
      .example('$0 fleet keygen --host web1 --out /etc/f2b-scan/fleet.key', 'prints "web1 ed25519 ..." for every host\'s trusted_keys') as never,
  handler: async (args) => {
    try {
      const { writeHostKey } = await import('../fleet/keygen.ts');
      process.stdout.write(writeHostKey(args.host, args.out) + '\n');
    } catch (e) {
      failWith(e);
    }
  },
};

export const fleetCommand: CommandModule = {
  command: 'fleet <command>',
  describe: 'the fleet: hosts sharing their bans through Redis ([fleet] in f2b-scan.conf)',
  builder: (y) =>
    y
      .command(statusCommand as CommandModule)
      .command(keygenCommand as CommandModule)
      .demandCommand(1, 'name a fleet command: status, keygen')
      .example('$0 fleet status', 'how far behind the stream this host is, and what waits in its outbox'),
  handler: () => {},
};
