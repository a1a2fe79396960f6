// A scratch config with one sshd jail on a dummy action, and the CLI aimed at it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { f2b, scratch, type CliResult } from '../run/cli.ts';

export interface OpsScratch {
  dir: string;
  conf: string;
  state: string;
  auth: string;
  dummy: string;
  own: string;
  cli(args: string[], now?: string, env?: Record<string, string>): CliResult;
}

export function opsScratch(jailLines = '', prefix = 'f2b-ops-'): OpsScratch {
  const dir = scratch(prefix);
  const conf = join(dir, 'conf');
  mkdirSync(conf);
  const auth = join(dir, 'auth.log');
  const dummy = join(dir, 'sshd.dummy');
  const own = join(dir, 'f2b-scan.log');
  writeFileSync(auth, '');
  writeFileSync(join(conf, 'f2b-scan.local'), `[Definition]\nlogtarget = ${own}\n`);
  writeFileSync(join(conf, 'jail.local'), `[sshd]\nenabled = true\nlogpath = ${auth}\nbantime = 1h\naction = dummy[target="${dummy}"]\n${jailLines}\n`);
  const state = join(dir, 'state.json');
  return {
    dir,
    conf,
    state,
    auth,
    dummy,
    own,
    cli: (args, now = '2026-11-24T10:00:00Z', env) => f2b([...args, '--config', conf, '--state', state, '--now', now], { env }),
  };
}
