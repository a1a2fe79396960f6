// The fleet inside a lab network namespace, for the tests whose hosts ban through a real
// firewall there: a redis-server in the lab and the hosts' configuration directories.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateHostKey } from '../../src/fleet/keys.ts';
import { REDIS_SERVER } from './redis-server.ts';

/** A redis-server in `ns` on 127.0.0.1:`port` (nothing saved), once it accepts connections. */
export async function startRedisIn(ns: string, port: number, dir: string): Promise<ChildProcess> {
  const redis = spawn('ip', ['netns', 'exec', ns, REDIS_SERVER!, '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis did not start: ${out}`)), 10_000);
      redis.stderr!.on('data', (d) => (out += d));
      redis.stdout!.on('data', (d) => {
        out += d;
        if (/Ready to accept/.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
      redis.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis exited (${code}): ${out}`));
      });
    });
  } catch (err) {
    redis.kill('SIGKILL');
    throw err;
  }
  return redis;
}

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
