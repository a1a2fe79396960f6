// The file system a systemd service unit gives its process, reproduced without systemd: a
// private mount namespace (unshare -m) inside a lab's network namespace where
//  - the places the test may change (/etc, /var/lib, /var/spool, /var/log, and /usr/local where
//    the command is installed) are overlays whose upper layer is a private tmpfs, so the host's
//    files are never touched,
//  - ProtectSystem=strict|true remounts every mount read-only (strict) or /usr and /boot (true),
//    except the API file systems /dev, /proc, /sys,
//  - ReadWritePaths= binds each listed path onto itself read-write ("-": skipped when missing),
//  - PrivateTmp= mounts fresh tmpfs on /tmp and /var/tmp,
// and the unit's ExecStart runs under setpriv with its NoNewPrivileges and CapabilityBoundingSet.
// Everything a test wants the unit to find (configuration, logs, a firewall's own setup) is
// put in place by a setup script before the view is made read-only.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { untilReady } from './netns.ts';

export interface UnitView {
  execStart: string[];
  protectSystem: string;
  readWritePaths: { path: string; optional: boolean }[];
  privateTmp: boolean;
  noNewPrivileges: boolean;
  /** Lower-case names for setpriv (net_admin, ...). */
  capabilities: string[];
}

/** The parts of a service unit that shape its process's view of the machine. */
export function readUnitView(unit: string): UnitView {
  const get = (key: string) => [...unit.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]!.trim());
  // systemd words: the units install writes quote nothing unusual here (paths without spaces).
  const words = (s: string) => s.split(/\s+/).filter(Boolean);
  return {
    execStart: words(get('ExecStart')[0] ?? ''),
    protectSystem: get('ProtectSystem')[0] ?? 'no',
    readWritePaths: get('ReadWritePaths').flatMap(words).map((w) => ({ path: w.replace(/^-/, ''), optional: w.startsWith('-') })),
    privateTmp: /^(yes|true)$/.test(get('PrivateTmp')[0] ?? ''),
    noNewPrivileges: /^(yes|true)$/.test(get('NoNewPrivileges')[0] ?? ''),
    capabilities: words(get('CapabilityBoundingSet')[0] ?? '').map((c) => c.replace(/^CAP_/, '').toLowerCase()),
  };
}

/** Why the machine cannot build a unit's view, or null. */
export function unitViewUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'a mount namespace needs root';
  for (const bin of ['unshare', 'nsenter', 'setpriv', 'findmnt', 'mount']) {
    if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0) return `${bin} is not installed (Debian: util-linux, mount)`;
  }
  const probe = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs tmpfs /mnt && mkdir /mnt/u /mnt/w && mount -t overlay overlay -o lowerdir=/etc,upperdir=/mnt/u,workdir=/mnt/w /etc'], { encoding: 'utf8' });
  if (probe.status !== 0) return `no private mount namespace with overlays here: ${probe.stderr.trim()}`;
  return null;
}

/** The overlaid trees: the test and the setup may write there; the host never sees it. */
const OVERLAID = ['/etc', '/var/lib', '/var/spool', '/var/log', '/usr/local'];

export interface Sandbox {
  /** Run a command in the view, as the test (full root, no unit restrictions): checks, inspection. */
  inspect(cmd: string[]): { code: number | null; stdout: string; stderr: string };
  /** Run the unit's ExecStart plus `args` the way systemd would start it. */
  runUnit(args: string[], env?: Record<string, string>): { code: number | null; stdout: string; stderr: string };
  close(): Promise<void>;
}

/**
 * Build the view of `unit` inside network namespace `netns`. `setup` is shell run first, with
 * the overlays writable and the host's /tmp still visible (to copy files in); `$ROOT` names the
 * scratch tmpfs.
 */
export async function openUnitSandbox(netns: string, unit: string, setup: string): Promise<Sandbox> {
  const view = readUnitView(unit);
  const scratch = `/run/f2b-sbx-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  mkdirSync(scratch);
  const script = join(scratch, '..', `${scratch.split('/').pop()}.sh`);
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const lines = [
    'set -e',
    `ROOT=${q(scratch)}`,
    'mount -t tmpfs tmpfs "$ROOT"',
    ...OVERLAID.map((d, i) => `mkdir -p "$ROOT/u${i}" "$ROOT/w${i}" && mount -t overlay overlay -o lowerdir=${d},upperdir="$ROOT/u${i}",workdir="$ROOT/w${i}" ${d}`),
    setup,
    // ProtectSystem: read-only mounts, the API file systems left as they are.
    view.protectSystem === 'strict'
      ? `findmnt -rno TARGET | sort -u | while read -r m; do case "$m" in /dev|/dev/*|/proc|/proc/*|/sys|/sys/*|"$ROOT"|"$ROOT"/*) continue;; esac; mount -o remount,bind,ro "$m" 2>/dev/null || true; done`
      : view.protectSystem === 'true' || view.protectSystem === 'yes'
        ? 'for m in /usr /boot /efi; do [ -d "$m" ] || continue; mount --bind "$m" "$m"; mount -o remount,bind,ro "$m"; done'
        : ':',
    ...view.readWritePaths.map((p) => `if [ -e ${q(p.path)} ]; then mount --bind ${q(p.path)} ${q(p.path)}; mount -o remount,bind,rw ${q(p.path)}; ${p.optional ? '' : ''}else ${p.optional ? ':' : `echo "ReadWritePaths ${p.path} does not exist" >&2; exit 1`}; fi`),
    ...(view.privateTmp ? ['mount -t tmpfs tmpfs /tmp', 'mount -t tmpfs tmpfs /var/tmp'] : []),
    'echo ready',
    'exec sleep 3600',
  ];
  writeFileSync(script, lines.join('\n') + '\n');
  const child: ChildProcess = spawn('ip', ['netns', 'exec', netns, 'unshare', '--mount', '--propagation', 'private', 'sh', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  await untilReady(child, 60_000, "building the unit's view");
  const pid = String(child.pid);
  const enter = (cmd: string[], env?: Record<string, string>) => {
    const r = spawnSync('nsenter', ['-t', pid, '-m', '-n', '--', ...cmd], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const setpriv = ['setpriv', ...(view.noNewPrivileges ? ['--no-new-privs'] : []), '--bounding-set', ['-all', ...view.capabilities.map((c) => `+${c}`)].join(','), '--'];
  return {
    inspect: (cmd) => enter(cmd),
    runUnit: (args, env) => enter([...setpriv, ...view.execStart, ...args], env),
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await gone;
      }
      rmSync(script, { force: true });
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
