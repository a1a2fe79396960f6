// A real, private redis-server for the fleet tests: 127.0.0.1, a free port, a temporary
// directory, no persistence. Started and stopped by the test that needs it.

import { after, before } from 'node:test';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const REDIS_SERVER = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));
export const REDIS_CLI = ['/usr/bin/redis-cli', '/usr/local/bin/redis-cli'].find((p) => existsSync(p));
/** The reason to skip, or false when a real Redis can run here. */
export const noRedis: string | false =
  REDIS_SERVER && REDIS_CLI ? false : 'redis-server/redis-cli not installed (apt-get install redis-server)';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface RedisOptions {
  /** More redis-server arguments (TLS, replicaof ...). */
  args?: string[];
  /** TLS files for redis-cli (when the server listens with --tls-port only). */
  tls?: { ca: string; cert: string; key: string };
  /** Listen with TLS on the port (plain port off). */
  tlsPort?: boolean;
  /** Run inside this network namespace (`ip netns exec`): reachable only from there; cli() cannot reach it. */
  netns?: string;
}

/** Resolves once the child's output matches `ready`; rejects when it exits first or after 10 s. Its output is drained after. */
async function untilOutput(proc: ChildProcess, ready: RegExp, what: string): Promise<void> {
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${out}`)), 10_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      if (ready.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}):\n${out}`));
    });
  });
  proc.stdout!.resume();
  proc.stderr!.resume();
}

/** Signal the child (SIGKILL: as a crash) and wait until it is gone; nothing when it already is. */
async function stopChild(p: ChildProcess | null, signal: NodeJS.Signals): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    p.once('exit', () => resolve());
    p.kill(signal);
  });
}

export class RedisServer {
  private proc: ChildProcess | null = null;
  readonly dir = mkdtempSync(join(tmpdir(), 'f2b-redis-'));
  constructor(
    readonly port: number,
    readonly opts: RedisOptions = {},
  ) {}

  get url(): string {
    return `${this.opts.tlsPort ? 'rediss' : 'redis'}://127.0.0.1:${this.port}`;
  }

  static async start(opts: RedisOptions = {}): Promise<RedisServer> {
    const r = new RedisServer(await freePort(), opts);
    await r.start();
    return r;
  }

  /** Start (again, on the same port): resolves when it accepts connections. */
  async start(): Promise<void> {
    const ports = this.opts.tlsPort ? ['--port', '0', '--tls-port', String(this.port)] : ['--port', String(this.port)];
    const args = [...ports, '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', ...(this.opts.args ?? [])];
    const proc = this.opts.netns
      ? spawn('ip', ['netns', 'exec', this.opts.netns, REDIS_SERVER!, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(REDIS_SERVER!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    try {
      await untilOutput(proc, /Ready to accept connections/, 'redis-server');
    } catch (err) {
      await this.stop('SIGKILL');
      throw err;
    }
  }

  /** Stop (SIGTERM; SIGKILL: as a crash) and wait until the process is gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const p = this.proc;
    this.proc = null;
    await stopChild(p, signal);
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** redis-cli against this server; its output, trimmed. */
  async cli(...args: string[]): Promise<string> {
    const tls = this.opts.tls ? ['--tls', '--cacert', this.opts.tls.ca, '--cert', this.opts.tls.cert, '--key', this.opts.tls.key] : [];
    const { stdout } = await run(REDIS_CLI!, ['-h', '127.0.0.1', '-p', String(this.port), ...tls, ...args]);
    return stdout.trim();
  }
}

export const REDIS_SENTINEL = ['/usr/bin/redis-sentinel', '/usr/local/bin/redis-sentinel'].find((p) => existsSync(p));
/** The reason to skip a Sentinel test, or false. */
export const noSentinel: string | false = noRedis || (REDIS_SENTINEL ? false : 'redis-sentinel not installed (apt-get install redis-sentinel)');

/** A real redis-sentinel on 127.0.0.1 watching one primary, quick to declare it down. */
export class SentinelServer {
  private proc: ChildProcess | null = null;
  readonly dir = mkdtempSync(join(tmpdir(), 'f2b-sentinel-'));
  constructor(readonly port: number) {}

  static async start(name: string, primaryPort: number): Promise<SentinelServer> {
    const s = new SentinelServer(await freePort());
    const conf = join(s.dir, 'sentinel.conf');
    writeFileSync(
      conf,
      [
        `port ${s.port}`,
        'bind 127.0.0.1',
        `dir ${s.dir}`,
        `sentinel monitor ${name} 127.0.0.1 ${primaryPort} 1`,
        `sentinel down-after-milliseconds ${name} 1000`,
        `sentinel failover-timeout ${name} 5000`,
        '',
      ].join('\n'),
    );
    const proc = spawn(REDIS_SENTINEL!, [conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    s.proc = proc;
    await untilOutput(proc, /\+monitor master/, 'redis-sentinel');
    return s;
  }

  /** The primary's port as this sentinel knows it now. */
  async primaryPort(name: string): Promise<number> {
    const { stdout } = await run(REDIS_CLI!, ['-h', '127.0.0.1', '-p', String(this.port), 'SENTINEL', 'get-master-addr-by-name', name]);
    return Number(stdout.trim().split('\n')[1]);
  }

  async close(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    await stopChild(p, 'SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The redis-server a test file shares: started before its first test, stopped (its directory
 * removed, then `cleanup`, e.g. the file's scratch directory) after its last. Call the returned
 * function inside a test, after the noRedis check.
 */
export function redisForFile(cleanup?: () => void): () => RedisServer {
  let server: RedisServer | undefined;
  before(async () => {
    if (!noRedis) server = await RedisServer.start();
  });
  after(async () => {
    await server?.close();
    cleanup?.();
  });
  return () => {
    if (!server) throw new Error(noRedis || 'the redis-server of this file did not start');
    return server;
  };
}

