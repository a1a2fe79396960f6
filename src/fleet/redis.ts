// The Redis connection for one exchange: ioredis set up to fail fast. A cron run must
// never hang on a dead Redis, so nothing is retried, queued offline or reconnected.

import { Redis } from 'ioredis';
import type { FleetSettings } from './settings.ts';
import { redactUrl } from './settings.ts';

export type { Redis };

export class FleetUnreachable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FleetUnreachable';
  }
}

/**
 * Connected and ready, or a FleetUnreachable saying why, within about twice the timeout
 * (TCP connect, then the ready check's INFO).
 */
export async function connectRedis(settings: FleetSettings): Promise<Redis> {
  const redis = new Redis(settings.url, {
    lazyConnect: true,
    connectTimeout: settings.timeoutMs,
    commandTimeout: settings.timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    reconnectOnError: () => false,
    // Cron output is mail: no stack traces from ioredis' own logging.
    showFriendlyErrorStack: false,
  });
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
        timer = setTimeout(() => reject(new Error(`no answer within ${settings.timeoutMs * 2} ms`)), settings.timeoutMs * 2);
      }),
    ]);
    return redis;
  } catch (e) {
    redis.disconnect();
    const why = describe(lastError ?? (e as Error));
    throw new FleetUnreachable(`cannot reach Redis at ${redactUrl(settings.url)}: ${why}`);
  } finally {
    clearTimeout(timer);
  }
}

/** One line for an ioredis or socket error. */
export function describe(e: Error): string {
  const code = (e as NodeJS.ErrnoException).code;
  const msg = e.message.replace(/\s+/g, ' ').trim();
  return code && !msg.includes(code) ? `${code} ${msg}` : msg;
}
