// `f2b-scan install --systemd | --cron`: schedule f2b-scan on this machine (or under --prefix).

import type { CommandModule } from 'yargs';
import { failWith } from './common.ts';
import { UsageError } from '../util/errors.ts';

interface InstallArgs {
  config: string;
  state: string;
  systemd?: boolean;
  cron?: boolean;
  prefix?: string;
  command?: string;
  'dry-run': boolean;
  uninstall: boolean;
}

export const installCommand: CommandModule<object, InstallArgs> = {
  command: 'install',
  describe: 'schedule f2b-scan: systemd timer and boot units, or an /etc/cron.d line; config and state directories',
  builder: (y) =>
    y
      .option('systemd', { type: 'boolean', describe: 'write f2b-scan.service, f2b-scan.timer (every minute) and f2b-scan-restore.service (bans back at boot)' })
      .option('cron', { type: 'boolean', describe: 'write /etc/cron.d/f2b-scan (every minute, and `start` at boot)' })
      .option('prefix', { type: 'string', describe: 'write under this directory instead of / (packaging, images); systemctl is not run' })
      .option('command', { type: 'string', describe: 'the f2b-scan command the schedule starts (default: this one; with --prefix: the f2b-scan installed in the image, /usr/local/bin or /usr/bin)' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'change nothing; print each file that would be written, with its content' })
      .option('uninstall', { type: 'boolean', default: false, describe: 'remove what install wrote (jail.local only if unedited, directories only if empty)' })
      .conflicts('systemd', 'cron')
      .check((a) => {
        if (!a.systemd && !a.cron) throw new UsageError('install: choose --systemd or --cron');
        if (a.command !== undefined && !a.command.startsWith('/')) throw new UsageError(`install: --command must be an absolute path: ${a.command}`);
        return true;
      })
      .example('$0 install --systemd', 'write the units, then systemctl enable --now f2b-scan.timer f2b-scan-restore.service')
      .example('$0 install --cron --dry-run', 'show the cron.d line and the files it would write')
      .example('$0 install --systemd --prefix ./image', 'stage the files into an image tree') as never,
  handler: async (args) => {
    try {
      const { runInstall } = await import('../install/index.ts');
      const r = await runInstall({
        scheduler: args.systemd ? 'systemd' : 'cron',
        prefix: args.prefix,
        command: args.command,
        dryRun: args['dry-run'],
        uninstall: args.uninstall,
        configDir: args.config,
        statePath: args.state,
      });
      (r.exitCode === 2 ? process.stderr : process.stdout).write(r.output);
      process.exitCode = r.exitCode;
    } catch (e) {
      failWith(e);
    }
  },
};
