// hostsdeny: tcp-wrappers. A ban is a line `<daemon_list>: <ip>` in /etc/hosts.deny
// (option `file`), IPv6 in brackets (`ALL: [2001:db8::1]`) as hosts_access(5) wants.
// The file is rewritten atomically (temp file in the same directory, fsync, rename), keeps
// every other line as it was, and the same ban twice is one line.
// Each line we write follows a comment `# f2b-scan <jail>`: that is how a run tells its own
// jail's lines from other jails' and from lines written by hand, which it never removes.

import { chmod, chown, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { addressFamily, normalizeAddress, type Family } from '../net/address.ts';
import { ActionParamError, nothingToCreate, type Backend, type BackendFactory, type StepResult } from './backend.ts';

const MARK = '# f2b-scan ';

export interface HostsDenyEntry {
  /** The jail named by the marker line before it. */
  jail: string;
  ip: string;
}

export function entryLine(daemonList: string, ip: string): string {
  return `${daemonList}: ${addressFamily(ip) === 6 ? `[${ip}]` : ip}`;
}

/** Our entries in the file's lines: a marker followed by `<daemonList>: <ip>`. */
export function parseEntries(lines: readonly string[], daemonList: string): HostsDenyEntry[] {
  const out: HostsDenyEntry[] = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    const mark = lines[i]!;
    if (!mark.startsWith(MARK)) continue;
    const m = /^(.*?):\s*(\S+)\s*$/.exec(lines[i + 1]!);
    if (!m || m[1]!.trim() !== daemonList) continue;
    const ip = normalizeAddress(m[2]!);
    if (ip) out.push({ jail: mark.slice(MARK.length).trim(), ip });
  }
  return out;
}

/** The file's lines with bans added for `jail` (once each) and `remove` taken out (marker and entry). */
export function editLines(lines: readonly string[], daemonList: string, jail: string, add: readonly string[], remove: ReadonlySet<string>): string[] {
  const out: string[] = [];
  const have = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith(MARK) && line.slice(MARK.length).trim() === jail && i + 1 < lines.length) {
      const [entry] = parseEntries([line, lines[i + 1]!], daemonList);
      if (entry) {
        i++;
        // A removed address, or a second copy of one: both lines go.
        if (remove.has(entry.ip) || have.has(entry.ip)) continue;
        have.add(entry.ip);
        out.push(line, lines[i]!);
        continue;
      }
    }
    out.push(line);
  }
  for (const ip of add) {
    const canon = normalizeAddress(ip) ?? ip;
    if (have.has(canon)) continue;
    have.add(canon);
    out.push(`${MARK}${jail}`, entryLine(daemonList, canon));
  }
  return out;
}

async function readLines(file: string): Promise<string[]> {
  try {
    const text = await readFile(file, 'utf8');
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    return lines;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/** Replace `file` by `lines` in one rename, keeping its mode and owner (new file: 0644). */
async function writeAtomic(file: string, lines: readonly string[]): Promise<void> {
  const dir = dirname(file);
  await mkdir(dir, { recursive: true });
  const old = await stat(file).catch(() => null);
  const tmp = join(dir, `.${basename(file)}.f2b-scan-${randomBytes(6).toString('hex')}`);
  const fh = await open(tmp, 'wx', 0o644);
  try {
    await fh.writeFile(lines.length ? lines.join('\n') + '\n' : '');
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    if (old) {
      await chmod(tmp, old.mode & 0o7777);
      await chown(tmp, old.uid, old.gid).catch(() => {});
    }
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

export const hostsdeny: BackendFactory = (params) => {
  const o = params.options;
  const file = o.file ?? '/etc/hosts.deny';
  const daemonList = (o.daemon_list ?? 'ALL').trim();
  const jail = o.name ?? params.jail;
  const bad = (key: string, why: string): never => {
    throw new ActionParamError(params.action, params.jail, key, why);
  };
  if (file === '' || /[\r\n]/.test(file)) bad('file', 'is not a file path');
  // A colon or line break would change what the line means to tcp-wrappers.
  if (daemonList === '' || /[:\r\n]/.test(daemonList)) bad('daemon_list', `${JSON.stringify(daemonList)} is not a tcp-wrappers daemon list`);
  if (/\s/.test(jail)) bad('name', `${JSON.stringify(jail)} has spaces`);

  const label = (ip: string, sign: string) => `hostsdeny ${file}: ${sign}${entryLine(daemonList, normalizeAddress(ip) ?? ip)}`;

  async function edit(add: string[], remove: string[], describe: (ip: string) => string): Promise<Map<string, StepResult>> {
    const ips = [...add, ...remove];
    try {
      const lines = await readLines(file);
      const next = editLines(lines, daemonList, jail, add, new Set(remove.map((ip) => normalizeAddress(ip) ?? ip)));
      if (next.join('\n') !== lines.join('\n')) await writeAtomic(file, next);
      return new Map(ips.map((ip) => [ip, { ok: true, command: describe(ip) }]));
    } catch (e) {
      const error = `${file}: ${(e as Error).message}`;
      return new Map(ips.map((ip) => [ip, { ok: false, command: describe(ip), error }]));
    }
  }

  const backend: Backend = {
    action: params.action,
    enforcing: true,
    // The file is the whole firewall: nothing to create, and it survives a reboot.
    ...nothingToCreate,
    async list(family: Family) {
      const entries = parseEntries(await readLines(file), daemonList);
      return entries.filter((e) => e.jail === jail && addressFamily(e.ip) === family).map((e) => e.ip);
    },
    ban(_family, items) {
      return edit(items.map((i) => i.ip), [], (ip) => label(ip, '+'));
    },
    unban(_family, ips) {
      return edit([], ips, (ip) => label(ip, '-'));
    },
    async stop(family) {
      let mine: string[];
      try {
        mine = await backend.list!(family);
      } catch (e) {
        return { ok: false, command: `hostsdeny ${file}`, error: `${file}: ${(e as Error).message}` };
      }
      if (mine.length === 0) return { ok: true, command: '' };
      const r = await edit([], mine, (ip) => label(ip, '-'));
      return [...r.values()].find((x) => !x.ok) ?? { ok: true, command: `hostsdeny ${file}: removed ${mine.length} line(s) of jail ${jail}` };
    },
    describeBan(ip) {
      return label(ip, '+');
    },
    describeUnban(ip) {
      return label(ip, '-');
    },
  };
  return backend;
};
