// Hosts of a fleet for the CLI tests: each a config dir, a state file, an sshd log and a
// dummy "firewall" file, driven through the real CLI against a real Redis. Times are the
// real clock plus an offset: readers check an entry's signed start against its stream id,
// which is Redis's clock.

import { appendFileSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createPrivateKey } from 'node:crypto';
import { join } from 'node:path';
import { encodeRaw } from '../../src/fleet/entry.ts';
import { generateHostKey } from '../../src/fleet/keys.ts';
import { f2b, type CliResult } from '../run/cli.ts';
import { readStateView } from '../helpers/state-view.ts';

/** The real clock when the test file was loaded, whole seconds. */
export const T0 = Math.floor(Date.now() / 1000);
/** ISO time `seconds` after T0 (for --now and log lines). */
export const at = (seconds: number) => new Date((T0 + seconds) * 1000).toISOString();

export interface FleetHost {
  name: string;
  conf: string;
  state: string;
  log: string;
  banned: string;
}

export interface HostOptions {
  /** More lines for [fleet] in f2b-scan.conf. */
  fleet?: string;
  /** More lines for [sshd] in jail.local. */
  jail?: string;
  /** No key_file: the host only reads. */
  readOnly?: boolean;
  /** The trust file (default: `trusted_keys` in root, shared by every host made there). */
  trust?: string;
}

/**
 * A host with its own Ed25519 key; its public key is added to the trust file every host of
 * `root` reads, so the hosts made in one root trust each other.
 */
export function makeHost(root: string, name: string, redisUrl: string, opts: HostOptions = {}): FleetHost {
  const dir = join(root, name);
  const conf = join(dir, 'conf');
  mkdirSync(conf, { recursive: true });
  const h = { name, conf, state: join(dir, 'state.json'), log: join(dir, 'auth.log'), banned: join(dir, 'banned.txt') };
  writeFileSync(h.log, '');
  const trust = opts.trust ?? join(root, 'trusted_keys');
  const key = generateHostKey(name);
  writeFileSync(join(conf, 'fleet.key'), key.privatePem, { mode: 0o600 });
  appendFileSync(trust, opts.readOnly ? '' : key.trustLine + '\n');
  const keyLine = opts.readOnly ? '' : 'key_file = fleet.key\n';
  writeFileSync(
    join(conf, 'f2b-scan.conf'),
    `[Definition]\nlogtarget = ${join(dir, 'own.log')}\n\n[fleet]\nurl = ${redisUrl}\nhost = ${name}\n${keyLine}trusted_keys = ${trust}\ntimeout = 1\n${opts.fleet ?? ''}\n`,
  );
  writeFileSync(
    join(conf, 'jail.local'),
    `[DEFAULT]\nbanaction = dummy[target="${h.banned}"]\nbanaction_allports = dummy[target="${h.banned}"]\n\n` +
      `[sshd]\nenabled = true\nlogpath = ${h.log}\nbantime = 1h\naction = dummy[target="${h.banned}"]\n${opts.jail ?? ''}\n`,
  );
  return h;
}

/** One command of host h at --now `now` (a run when args is empty), JSON parsed when there is some. */
export function cli(h: FleetHost, now: string, args: string[] = []): CliResult & { json: any } {
  const r = f2b([...args, '--config', h.conf, '--state', h.state, '--now', now]);
  let json: any = null;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    // not JSON: the caller looks at stdout
  }
  return { ...r, json };
}

/** One run of host h with --json. */
export const run = (h: FleetHost, now: string, extra: string[] = []) => cli(h, now, ['--json', ...extra]);

/** What the host's dummy firewall holds: "+ip" per ban, "-ip" per unban, in order. */
export const held = (h: FleetHost) => (existsSync(h.banned) ? readFileSync(h.banned, 'utf8') : '');

/** The host's state file, read through the state's own loader (any version, any layout). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const stateOf = (h: FleetHost): any => readStateView(h.state);

/**
 * The field list of an entry signed with host h's key, fields as given (text): what a key
 * holder, a bug or another publisher could write.
 */
export function signedBy(h: FleetHost, start: string, items: string, host = h.name): string[] {
  return encodeRaw(host, start, items, createPrivateKey(readFileSync(join(h.conf, 'fleet.key'), 'utf8')));
}
