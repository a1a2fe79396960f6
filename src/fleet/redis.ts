// The Redis connection for one exchange: ioredis set up to fail fast. A cron run must
// never hang on a dead Redis, so nothing is retried, queued offline or reconnected, and
// reaching Redis (TCP, TLS, AUTH, the ready check; through Sentinel when configured) has one
// deadline: [fleet] timeout.

import { Redis, type RedisOptions } from 'ioredis';
import type { FleetSettings } from './settings.ts';
import { redactUrl } from './settings.ts';

export type { Redis };

export class FleetUnreachable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FleetUnreachable';
  }
}

/** What ioredis needs for the url, TLS files and Sentinel of the settings. */
export function redisOptions(settings: FleetSettings): { url: string | null; options: RedisOptions } {
  const options: RedisOptions = {
    lazyConnect: true,
    connectTimeout: settings.timeoutMs,
    commandTimeout: settings.timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    reconnectOnError: () => false,
    // ioredis waits 2 s for a socket that never closes (one that failed to connect) on disconnect.
    disconnectTimeout: 100,
    // Cron output is mail: no stack traces from ioredis' own logging.
    showFriendlyErrorStack: false,
  };
  const tls = settings.tls;
  const rediss = settings.url.startsWith('rediss://');
  if (rediss) options.tls = { ...(tls?.ca ? { ca: tls.ca } : {}), ...(tls?.cert ? { cert: tls.cert, key: tls.key } : {}) };
  if (settings.sentinels.length === 0) return { url: settings.url, options };

  // Sentinel: the url gives the user, password, database and TLS of the primary; the sentinels
  // say where the primary is now.
  const u = new URL(settings.url);
  const db = u.pathname.replace(/^\//, '');
  return {
    url: null,
    options: {
      ...options,
      sentinels: settings.sentinels,
      name: settings.sentinelName,
      ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
      ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
      ...(db ? { db: Number(db) } : {}),
      sentinelRetryStrategy: () => null,
      enableTLSForSentinelMode: rediss,
      // The primary's replicas may be promoted: never write to one that became a replica.
      role: 'master',
    },
  };
}

/** Connected and ready, or a FleetUnreachable saying why, within the timeout. */
export async function connectRedis(settings: FleetSettings): Promise<Redis> {
  const { url, options } = redisOptions(settings);
  const redis = url === null ? new Redis(options) : new Redis(url, options);
  let lastError: Error | null = null;
  // Without a listener an 'error' event would crash the process; the failed call reports it.
  redis.on('error', (e: Error) => {
    lastError = e;
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${settings.timeoutMs} ms`)), settings.timeoutMs);
      }),
    ]);
    return redis;
  } catch (e) {
    redis.disconnect();
    let why = describe(lastError ?? (e as Error));
    // Redis with tls-auth-clients (its default) drops a client without a certificate at once.
    if (settings.url.startsWith('rediss://') && !settings.tls?.cert && /ECONNRESET|certificate required|alert/i.test(why)) {
      why += ' (does Redis want a client certificate? set tls_cert and tls_key)';
    }
    throw new FleetUnreachable(`cannot reach Redis at ${where(settings)}: ${why}`);
  } finally {
    clearTimeout(timer);
  }
}

/** The url without its password, and the sentinels when they say where Redis is. */
export function where(settings: FleetSettings): string {
  if (settings.sentinels.length === 0) return redactUrl(settings.url);
  return `${redactUrl(settings.url)} (primary "${settings.sentinelName}" of sentinels ${settings.sentinels.map((s) => `${s.host}:${s.port}`).join(' ')})`;
}

/** One line for an ioredis or socket error. */
export function describe(e: Error): string {
  const code = (e as NodeJS.ErrnoException).code;
  const msg = e.message.replace(/\s+/g, ' ').trim();
  return code && !msg.includes(code) ? `${code} ${msg}` : msg;
}
