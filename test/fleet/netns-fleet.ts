// The fleet hosts of the tests whose hosts ban through a real firewall in a lab network
// namespace (their redis-server runs there too: RedisServer with `netns`).
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateHostKey } from '../../src/fleet/keys.ts';

export interface FleetHost {
  conf: string;
  state: string;
}

/** Host `name`'s configuration under `dir`: its own key, trusted by every host of `dir` (dir/trusted_keys), quiet on stderr. */
export function fleetHostIn(dir: string, port: number, name: string, jails: string): FleetHost {
  const conf = join(dir, name);
  mkdirSync(conf);
  const key = generateHostKey(name);
  writeFileSync(join(conf, 'fleet.key'), key.privatePem, { mode: 0o600 });
  appendFileSync(join(dir, 'trusted_keys'), key.trustLine + '\n');
  writeFileSync(join(conf, 'f2b-scan.conf'), `[Definition]\nlogtarget = STDERR\nloglevel = ERROR\n\n[fleet]\nurl = redis://127.0.0.1:${port}\nhost = ${name}\nkey_file = fleet.key\ntrusted_keys = ../trusted_keys\n`);
  writeFileSync(join(conf, 'jail.local'), jails);
  return { conf, state: join(dir, `${name}.json`) };
}
