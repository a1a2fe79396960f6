// Whether a program is installed: found, executable, in PATH or the sbin directories cron's
// short PATH leaves out (ipset and nft live in /usr/sbin).

import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

export function programInstalled(name: string): boolean {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin', '/usr/local/sbin'].filter(Boolean);
  return dirs.some((d) => {
    try {
      accessSync(join(d, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
