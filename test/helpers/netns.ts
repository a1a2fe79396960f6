// Private network labs for tests that need a real firewall and real connections: a server
// namespace with a bridge, and client namespaces (attacker, another host) each linked to it
// by a veth pair, with TEST-NET addresses only (192.0.2.0/24, 2001:db8::/32). Nothing here
// can reach outside the namespaces. Every namespace is deleted by lab.cleanup(), and as a
// last resort when the test process exits.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { execa } from 'execa';

export interface Host {
  ns: string;
  v4: string;
  v6: string;
}

export interface Lab {
  server: Host;
  attacker: Host;
  other: Host;
  /** Runs a command inside a namespace; throws with its stderr when it fails. */
  exec(ns: string, cmd: string, args: string[], input?: string): Promise<string>;
  /** Removes every rule and user chain of the server (what a reboot leaves). */
  flushFirewall(): Promise<void>;
  /**
   * What a reboot leaves of every firewall in the server: no iptables rules or chains, no
   * nftables tables, no ipsets, no blackhole/unreachable/prohibit routes.
   */
  reboot(): Promise<void>;
  cleanup(): Promise<void>;
}

const live = new Set<string>();
let exitHookInstalled = false;

function deleteNamespaceSync(ns: string): void {
  // Processes started inside the namespace (servers, sshd children) would keep it alive
  // after `ip netns del`: end them, by pid, first. Only our namespaces are ever listed.
  try {
    const pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    for (const pid of pids.split(/\s+/).filter((p) => /^\d+$/.test(p))) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  } catch {
    /* no such namespace */
  }
  try {
    execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  } catch {
    /* already gone */
  }
  live.delete(ns);
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const ns of [...live]) deleteNamespaceSync(ns);
  });
}

/** Why this machine cannot run namespace tests, or null when it can. */
export function netnsUnavailable(): string | null {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  const probe = `f2b-probe-${process.pid}`;
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: 'pipe' });
  } catch (e) {
    return `cannot create a network namespace (ip netns add): ${String((e as { stderr?: Buffer }).stderr ?? e).trim()}`;
  }
  deleteNamespaceSync(probe);
  return null;
}

/** Why iptables cannot be used inside a namespace here, or null. */
export function iptablesUnavailable(): string | null {
  return toolsUnavailable('iptables', ['iptables', 'ip6tables', 'iptables-restore', 'ip6tables-restore']);
}

/** Whether a program is on the PATH. */
export function commandExists(bin: string): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v "$1"', 'sh', bin], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/** Why one of these programs cannot be used here (naming its Debian package), or null. */
export function toolsUnavailable(pkg: string, bins: string[]): string | null {
  for (const bin of bins) if (!commandExists(bin)) return `${bin} is not installed (Debian package ${pkg})`;
  return null;
}

/** What a client in `ns` receives from host:port before the server closes (null: no connection). */
export async function tcpGreeting(ns: string, host: string, port: number, timeoutMs = 1500): Promise<string | null> {
  const script = `
    let got = '';
    const s = require('net').connect({ host: process.argv[1], port: Number(process.argv[2]) });
    const t = setTimeout(() => { s.destroy(); process.stdout.write(got); process.exit(got ? 0 : 3); }, Number(process.argv[3]));
    s.on('data', (d) => (got += d));
    s.on('close', () => { clearTimeout(t); process.stdout.write(got); process.exit(0); });
    s.on('error', () => process.exit(2));`;
  const r = await execa('ip', ['netns', 'exec', ns, process.execPath, '-e', script, host, String(port), String(timeoutMs)], {
    reject: false,
    timeout: timeoutMs + 5000,
  });
  return r.exitCode === 0 ? String(r.stdout) : null;
}

async function ipExec(args: string[]): Promise<void> {
  const r = await execa('ip', args, { reject: false });
  if (r.failed) throw new Error(`ip ${args.join(' ')}: ${r.stderr || r.shortMessage}`);
}

/**
 * Builds server + attacker + other. The server is 192.0.2.1 / 2001:db8::1 on a bridge;
 * the attacker 192.0.2.2 / 2001:db8::2, the other host 192.0.2.3 / 2001:db8::3.
 * `tag` keeps names apart between tests; the pid keeps them apart between runs.
 */
export async function createLab(tag: string): Promise<Lab> {
  installExitHook();
  const base = `f2b-${tag}-${process.pid}`;
  const server: Host = { ns: `${base}-srv`, v4: '192.0.2.1', v6: '2001:db8::1' };
  const attacker: Host = { ns: `${base}-att`, v4: '192.0.2.2', v6: '2001:db8::2' };
  const other: Host = { ns: `${base}-oth`, v4: '192.0.2.3', v6: '2001:db8::3' };
  const hosts = [server, attacker, other];

  const lab: Lab = {
    server,
    attacker,
    other,
    async exec(ns, cmd, args, input) {
      const r = await execa('ip', ['netns', 'exec', ns, cmd, ...args], { reject: false, input, timeout: 20_000 });
      if (r.failed) throw new Error(`${cmd} ${args.join(' ')} in ${ns}: ${r.stderr || r.shortMessage}`);
      return r.stdout;
    },
    async flushFirewall() {
      for (const bin of ['iptables', 'ip6tables']) {
        await lab.exec(server.ns, bin, ['-w', '-F']);
        await lab.exec(server.ns, bin, ['-w', '-X']);
      }
    },
    async reboot() {
      await lab.flushFirewall();
      if (commandExists('nft')) await lab.exec(server.ns, 'nft', ['flush', 'ruleset']);
      // Sets can be destroyed only once no rule refers to them: after the flushes above.
      if (commandExists('ipset')) await lab.exec(server.ns, 'ipset', ['destroy']);
      for (const fam of ['-4', '-6']) {
        for (const type of ['blackhole', 'unreachable', 'prohibit']) {
          await execa('ip', ['-n', server.ns, fam, 'route', 'flush', 'type', type], { reject: false });
        }
      }
    },
    async cleanup() {
      for (const h of hosts) deleteNamespaceSync(h.ns);
    },
  };

  try {
    for (const h of hosts) {
      await ipExec(['netns', 'add', h.ns]);
      live.add(h.ns);
      await ipExec(['-n', h.ns, 'link', 'set', 'lo', 'up']);
    }
    await ipExec(['-n', server.ns, 'link', 'add', 'br0', 'type', 'bridge']);
    for (const [i, h] of [attacker, other].entries()) {
      // Created inside the server namespace, peer moved straight into the client's: no
      // interface ever appears in the host's namespace.
      const port = `p${i}`;
      await ipExec(['-n', server.ns, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.ns]);
      await ipExec(['-n', server.ns, 'link', 'set', port, 'master', 'br0']);
      await ipExec(['-n', server.ns, 'link', 'set', port, 'up']);
    }
    for (const [h, dev] of [
      [server, 'br0'],
      [attacker, 'eth0'],
      [other, 'eth0'],
    ] as const) {
      await ipExec(['-n', h.ns, 'addr', 'add', `${h.v4}/24`, 'dev', dev]);
      // nodad: usable at once instead of after duplicate address detection.
      await ipExec(['-n', h.ns, '-6', 'addr', 'add', `${h.v6}/64`, 'dev', dev, 'nodad']);
      await ipExec(['-n', h.ns, 'link', 'set', dev, 'up']);
    }
  } catch (e) {
    await lab.cleanup();
    throw e;
  }
  return lab;
}

/** Whether a TCP connection from `ns` to host:port opens within the timeout. */
export async function tcpConnects(ns: string, host: string, port: number, timeoutMs = 1500): Promise<boolean> {
  const script = `
    const s = require('net').connect({ host: process.argv[1], port: Number(process.argv[2]) });
    const t = setTimeout(() => { s.destroy(); process.exit(3); }, Number(process.argv[3]));
    s.on('connect', () => { clearTimeout(t); s.destroy(); process.exit(0); });
    s.on('error', () => process.exit(2));`;
  const r = await execa('ip', ['netns', 'exec', ns, process.execPath, '-e', script, host, String(port), String(timeoutMs)], {
    reject: false,
    timeout: timeoutMs + 5000,
  });
  return r.exitCode === 0;
}

export interface TcpServer {
  stop(): Promise<void>;
}

/** Resolves when `child` prints "ready" on stdout; rejects (with its stderr) when it exits first or after `ms`. */
export function untilReady(child: ChildProcess, ms: number, what: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let err = '';
    const t = setTimeout(() => reject(new Error(`${what} was not ready after ${ms} ms: ${err}`)), ms);
    child.stderr!.on('data', (d) => (err += d));
    child.stdout!.on('data', (d) => {
      if (String(d).includes('ready')) {
        clearTimeout(t);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`${what} exited (${code}): ${err}`));
    });
  });
}

/** A TCP server on every address of `ns` (IPv4 and IPv6) that accepts and closes. */
export async function startTcpServer(ns: string, port: number): Promise<TcpServer> {
  const script = `
    require('net').createServer((s) => s.end()).listen({ port: Number(process.argv[1]), host: '::' }, () => console.log('ready'));`;
  const child: ChildProcess = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', script, String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await untilReady(child, 10_000, `TCP server in ${ns}`);
  return {
    async stop() {
      if (child.exitCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    },
  };
}

/**
 * A lab with TCP servers on `ports` in the server namespace, and every firewall command of
 * the code under test aimed at it (F2B_SCAN_NETNS). Skips the test with `skipReason`.
 */
export async function withFirewallLab(
  t: { skip(msg: string): void },
  skipReason: string | null,
  tag: string,
  ports: number[],
  fn: (lab: Lab) => Promise<void>,
): Promise<void> {
  if (skipReason) {
    t.skip(skipReason);
    return;
  }
  const lab = await createLab(tag);
  const servers: TcpServer[] = [];
  process.env.F2B_SCAN_NETNS = lab.server.ns;
  try {
    for (const p of ports) servers.push(await startTcpServer(lab.server.ns, p));
    await fn(lab);
  } finally {
    delete process.env.F2B_SCAN_NETNS;
    for (const s of servers) await s.stop();
    await lab.cleanup();
  }
}
