// A real firewalld inside a lab's network namespace. firewalld talks D-Bus: its own
// dbus-daemon listens on a socket in `dir` (DBUS_SYSTEM_BUS_ADDRESS points firewalld and
// firewall-cmd at it) and firewalld keeps a private configuration there, so the host's bus
// and firewall are untouched. `dir` under /run when a unit's sandbox (PrivateTmp) must see it.

import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

export interface Firewalld {
  /** The D-Bus address firewall-cmd needs. */
  bus: string;
  stop(): Promise<void>;
}

async function stopChild(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const gone = new Promise((r) => c.once('exit', r));
  c.kill('SIGTERM');
  await gone;
}

export async function startFirewalld(ns: string, dir: string): Promise<Firewalld> {
  const bus = `unix:path=${join(dir, 'bus')}`;
  // The system bus configuration with our socket, no pid file, no user switch.
  const conf = readFileSync('/usr/share/dbus-1/system.conf', 'utf8')
    .replace(/<listen>.*<\/listen>/, `<listen>${bus}</listen>`)
    .replace(/<pidfile>.*<\/pidfile>/, '')
    .replace(/<user>.*<\/user>/, '')
    .replace('<includedir>system.d</includedir>', '<includedir>/usr/share/dbus-1/system.d</includedir>');
  writeFileSync(join(dir, 'system.conf'), conf);
  mkdirSync(join(dir, 'firewalld'));
  copyFileSync('/etc/firewalld/firewalld.conf', join(dir, 'firewalld', 'firewalld.conf'));
  const dbus = spawn('dbus-daemon', [`--config-file=${join(dir, 'system.conf')}`, '--nofork'], { stdio: 'ignore' });
  let firewalld: ChildProcess | undefined;
  const stop = async () => {
    if (firewalld) await stopChild(firewalld);
    await stopChild(dbus);
  };
  try {
    for (let i = 0; i < 50 && (await execa('test', ['-S', join(dir, 'bus')], { reject: false })).exitCode !== 0; i++) await new Promise((r) => setTimeout(r, 100));
    const env = { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: bus };
    firewalld = spawn('ip', ['netns', 'exec', ns, 'firewalld', '--nofork', '--nopid', '--system-config', join(dir, 'firewalld'), '--log-target', 'file', '--log-file', join(dir, 'firewalld.log')], { stdio: 'ignore', env });
    let running = false;
    for (let i = 0; i < 60 && !running; i++) {
      running = (await execa('ip', ['netns', 'exec', ns, 'firewall-cmd', '--state'], { reject: false, env })).exitCode === 0;
      if (!running) await new Promise((r) => setTimeout(r, 250));
    }
    if (!running) throw new Error(`firewalld did not come up in ${ns}`);
  } catch (e) {
    await stop();
    throw e;
  }
  return { bus, stop };
}
