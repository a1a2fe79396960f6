// The [fleet] section of f2b-scan.conf / f2b-scan.local, read into typed settings.
// No url, no fleet: the caller then never loads the Redis code at all.

import { readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { MAX_BAN_SECONDS, tryParseDuration } from '../config/duration.ts';
import type { IniStore } from '../config/store.ts';
import { readBool, readInt } from '../config/values.ts';
import type { Place } from '../types.ts';
import { ConfigError } from '../util/errors.ts';
import type { KeyObject } from 'node:crypto';
import { HOST_NAME, parsePrivateKey, parseTrustedKeys, type TrustedKeys } from './keys.ts';

export const SECTION = 'fleet';

export interface FleetSettings {
  url: string;
  stream: string;
  host: string;
  /** This host's Ed25519 private key; null: the host only reads, never publishes. */
  signingKey: KeyObject | null;
  /** Host name -> the public keys an entry carrying that name must verify with. */
  trusted: TrustedKeys;
  timeoutMs: number;
  /** Approximate stream length kept by XADD MAXLEN ~ (0: never trim). */
  maxlen: number;
  /** Cap in seconds on the ban time an imported entry may ask for; null: no cap. */
  maxtime: number | null;
  /**
   * Seconds an entry's signed start may differ from Redis's clock when it was added: a host's
   * clock may be this far off, and a replayed copy of an entry is refused after this long.
   */
  skew: number;
  /** Jails whose bans are published. */
  publish: string[] | 'all';
  import: boolean;
  /** Distinct trusted hosts that must have published a ban (still running) before it is imported. */
  minHosts: number;
  /** rediss:// only: a private CA, and a client certificate (Redis's tls-auth-clients). */
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
  /** Sentinel: where to ask for the primary; empty: `url` names Redis itself. */
  sentinels: { host: string; port: number }[];
  /** The primary's name as the sentinels know it (sentinel_name). */
  sentinelName: string;
  /** Things worth saying that do not stop the run (a key file others can read). */
  warnings?: string[];
}

const DEFAULTS = {
  stream: 'f2b-scan:bans',
  timeout: 2,
  maxlen: 100000,
  /** One week, as the README promises: an entry asking for more (or for good) gets this. */
  maxtime: 7 * 24 * 60 * 60,
  /** A few minutes of clock difference (NTP keeps far less), wide enough for a host 10 minutes off. */
  clockSkew: 15 * 60,
};

// A stream name and a host name end up in Redis commands and in messages; whitespace
// and control characters there are a typo, not a name.
const NAME = HOST_NAME;

export function readFleetSettings(main: IniStore, file = 'f2b-scan.conf'): FleetSettings | null {
  const placeOf = (key: string): Place => {
    const e = main.entry(SECTION, key);
    return e ? { file: e.file, line: e.line || undefined, section: SECTION, key } : { file, section: SECTION, key };
  };
  const value = (key: string): string | undefined => {
    const v = main.get(SECTION, key)?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const fail = (key: string, message: string): never => {
    throw new ConfigError(placeOf(key), message);
  };

  const written = value('url');
  if (written === undefined) return null;
  checkUrl(written, (m) => fail('url', m));
  // ioredis turns TLS on only for a lower-case "rediss://": never fall back to plain text on REDISS://.
  const url = written.replace(/^[a-z]+:/i, (scheme) => scheme.toLowerCase());

  const stream = value('stream') ?? DEFAULTS.stream;
  if (!NAME.test(stream)) fail('stream', `${JSON.stringify(stream)} is not a stream name (no spaces)`);

  const host = value('host') ?? hostname();
  if (!HOST_NAME.test(host)) fail('host', `${JSON.stringify(host)} is not a host name (no spaces)`);

  const seconds = (key: string, text: string): number => {
    const v = tryParseDuration(text);
    if (typeof v === 'string') return fail(key, `${JSON.stringify(text)} is not a duration (${v}); write seconds or e.g. 10m, 1h, 1d`);
    return v;
  };

  const timeoutText = value('timeout');
  const timeout = timeoutText === undefined ? DEFAULTS.timeout : seconds('timeout', timeoutText);
  if (!(timeout > 0) || timeout > 300) fail('timeout', `${JSON.stringify(timeoutText)} must be more than 0 and at most 300 seconds`);

  let maxlen = DEFAULTS.maxlen;
  const maxlenText = value('maxlen');
  if (maxlenText !== undefined) {
    const r = readInt(maxlenText);
    if (!r.ok) fail('maxlen', r.why);
    else if (r.value < 0) fail('maxlen', `${JSON.stringify(maxlenText)} must be 0 (never trim) or more`);
    else maxlen = r.value;
  }

  let maxtime: number | null = DEFAULTS.maxtime;
  const maxtimeText = value('maxtime');
  if (maxtimeText !== undefined) {
    maxtime = seconds('maxtime', maxtimeText);
    if (maxtime < 0) maxtime = null; // fail2ban's negative time: no limit (entries still say at most 100 years)
    else if (maxtime === 0) fail('maxtime', `${JSON.stringify(maxtimeText)} would make every imported ban end at once`);
    else if (!Number.isFinite(maxtime) || maxtime > MAX_BAN_SECONDS) fail('maxtime', `${JSON.stringify(maxtimeText)} is beyond 100 years; write e.g. 1w, or -1 for no limit`);
  }

  const skewText = value('clock_skew');
  const skew = skewText === undefined ? DEFAULTS.clockSkew : seconds('clock_skew', skewText);
  if (!(skew >= 10) || skew > 24 * 60 * 60) fail('clock_skew', `${JSON.stringify(skewText)} must be between 10 seconds and 1 day`);

  const publishText = value('publish');
  let publish: string[] | 'all' = 'all';
  if (publishText !== undefined && publishText.toLowerCase() !== 'all') {
    publish = publishText.split(/[\s,]+/).filter(Boolean);
    if (publish.includes('all')) fail('publish', 'write either "all" or a list of jail names');
  }

  let doImport = true;
  const importText = value('import');
  if (importText !== undefined) {
    const r = readBool(importText);
    if (!r.ok) fail('import', r.why);
    else doImport = r.value;
  }

  const warnings: string[] = [];
  if (value('host') === undefined && /^localhost(\.|$)/i.test(host)) {
    // Hosts skip entries carrying their own name: two "localhost" would never hear each other.
    warnings.push(`${file} [fleet] host: the machine calls itself "${host}"; set host = <a name unique in the fleet>`);
  }
  let minHosts = 1;
  const minHostsText = value('min_hosts');
  if (minHostsText !== undefined) {
    const r = readInt(minHostsText);
    if (!r.ok) fail('min_hosts', r.why);
    else if (r.value < 1 || r.value > 1000) fail('min_hosts', `${JSON.stringify(minHostsText)} must be between 1 and 1000`);
    else minHosts = r.value;
  }

  const pathOf = (key: string, text: string) => (isAbsolute(text) ? text : resolve(dirname(placeOf(key).file), text));
  const keyFile = value('key_file');
  let signingKey: KeyObject | null = null;
  if (keyFile !== undefined) {
    const path = pathOf('key_file', keyFile);
    const text = readText(path, (m) => fail('key_file', m));
    const key = parsePrivateKey(text);
    if (typeof key === 'string') fail('key_file', `${path} ${key}`);
    else signingKey = key;
    if (otherUsersMayRead(path)) warnings.push(`${path}: this host's fleet private key is readable by every user, and whoever holds it can publish bans in its name (chmod 600)`);
  }

  const trustFile = value('trusted_keys');
  let trusted: TrustedKeys = new Map();
  if (trustFile !== undefined) {
    const path = pathOf('trusted_keys', trustFile);
    const parsed = parseTrustedKeys(readText(path, (m) => fail('trusted_keys', m)));
    const p = parsed.problems[0];
    if (p) fail('trusted_keys', `${path}:${p.line}: ${p.why}`);
    trusted = parsed.keys;
  } else if (doImport) {
    fail('trusted_keys', 'missing: a host that imports acts only on entries signed by the hosts this file lists (lines "NAME ed25519 KEY" that `f2b-scan fleet keygen` prints); set import = no for a host that only publishes');
  }
  if (signingKey === null && !doImport) fail('key_file', 'missing, and import = no: this host would neither publish nor read (give it key_file, or import = yes)');

  // TLS files: a private CA (tls_ca), and the client certificate and key Redis's default
  // `tls-auth-clients yes` asks for (tls_cert, tls_key). Read now, so a missing file is a
  // configuration error naming the key, not a handshake failure later.
  const tls: NonNullable<FleetSettings['tls']> = {};
  for (const [key, field] of [['tls_ca', 'ca'], ['tls_cert', 'cert'], ['tls_key', 'key']] as const) {
    const path = value(key);
    if (path === undefined) continue;
    if (!url.startsWith('rediss://')) fail(key, `set, but url is not rediss:// (TLS): write url = rediss://host:port`);
    tls[field] = Buffer.from(readText(pathOf(key, path), (m) => fail(key, m)));
  }
  if (tls.cert && !tls.key) fail('tls_key', 'missing: tls_cert needs the key of that certificate');
  if (tls.key && !tls.cert) fail('tls_cert', 'missing: tls_key needs its certificate');
  if (tls.key && otherUsersMayRead(pathOf('tls_key', value('tls_key')!))) warnings.push(`${pathOf('tls_key', value('tls_key')!)}: the TLS client key is readable by every user (chmod 600)`);

  const sentinels: FleetSettings['sentinels'] = [];
  const sentinelsText = value('sentinels');
  if (sentinelsText !== undefined) {
    for (const word of sentinelsText.split(/[\s,]+/).filter(Boolean)) {
      const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/.exec(word);
      const port = m ? Number(m[3]) : 0;
      if (!m || port < 1 || port > 65535) fail('sentinels', `${JSON.stringify(word)} is not host:port (an IPv6 address as [::1]:26379)`);
      sentinels.push({ host: m![1] ?? m![2]!, port });
    }
  }
  const sentinelName = value('sentinel_name') ?? '';
  if (sentinels.length > 0 && !sentinelName) fail('sentinel_name', 'missing: the sentinels need the name of the primary they watch (sentinel monitor NAME ...)');
  if (sentinelName && sentinels.length === 0) fail('sentinels', 'missing: sentinel_name is set, but no sentinels to ask (sentinels = host:port ...)');
  if (sentinelName && !NAME.test(sentinelName)) fail('sentinel_name', `${JSON.stringify(sentinelName)} is not a name (no spaces)`);

  return {
    url,
    ...(Object.keys(tls).length ? { tls } : {}),
    sentinels,
    sentinelName,
    stream,
    host,
    signingKey,
    trusted,
    timeoutMs: Math.round(timeout * 1000),
    maxlen,
    maxtime,
    skew,
    publish,
    import: doImport,
    minHosts,
    ...(warnings.length ? { warnings } : {}),
  };
}

function checkUrl(url: string, fail: (m: string) => never): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    fail(`${JSON.stringify(redactUrl(url))} is not a URL; write redis://[user:password@]host:port[/db] or rediss:// for TLS`);
  }
  if (u!.protocol !== 'redis:' && u!.protocol !== 'rediss:') {
    fail(`${JSON.stringify(u!.protocol)} is not supported; write redis://host:port[/db] or rediss:// for TLS`);
  }
  if (!u!.hostname) fail('has no host; write redis://host:port[/db]');
  const db = u!.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) fail(`database ${JSON.stringify(db)} is not a number`);
}

function readText(path: string, fail: (m: string) => never): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    return fail(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function otherUsersMayRead(path: string): boolean {
  try {
    return (statSync(path).mode & 0o004) !== 0;
  } catch {
    return false; // readable a moment ago; the mode check is advice only
  }
}

/** The url without its password, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/^(\w+:\/\/[^:@/]*:)[^@/]*@/, '$1***@');
}
