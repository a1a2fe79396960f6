// The dummy action: no firewall, a text file of `+<ip>` (ban) and `-<ip>` (unban) lines,
// for trials and tests. The file is its "firewall": deleting it is a reboot, and what it
// holds is the replay of its lines. The path comes from `target` (fail2ban's name) or
// `file`; default /run/f2b-scan/<jail>.dummy.

import { appendFile, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Family } from '../net/address.ts';
import { parseTarget } from '../net/cidr.ts';
import { ActionParamError, type BackendFactory, type StepResult } from './backend.ts';

export const dummy: BackendFactory = (params) => {
  const file = params.options.target ?? params.options.file ?? `/run/f2b-scan/${params.jail}.dummy`;
  if (file.includes('\n') || file === '') throw new ActionParamError(params.action, params.jail, 'target', 'is not a file path');
  const label = `dummy ${file}`;

  async function held(): Promise<Map<string, Family>> {
    const out = new Map<string, Family>();
    let text = '';
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return out;
      throw e;
    }
    for (const line of text.split('\n')) {
      const a = parseTarget(line.slice(1));
      if (!a) continue;
      if (line[0] === '+') out.set(a.text, a.family);
      else if (line[0] === '-') out.delete(a.text);
    }
    return out;
  }

  async function write(lines: string[]): Promise<StepResult> {
    try {
      await mkdir(dirname(file), { recursive: true });
      await appendFile(file, lines.join(''));
      return { ok: true, command: label };
    } catch (e) {
      return { ok: false, command: label, error: `${file}: ${(e as Error).message}` };
    }
  }

  const all = (ips: string[], r: StepResult) => new Map(ips.map((ip) => [ip, r]));

  return {
    action: params.action,
    enforcing: true,
    ranges: true,
    async start() {
      return write([]);
    },
    async check() {
      return stat(file).then(
        () => true,
        () => false,
      );
    },
    async list(family) {
      return [...(await held())].filter(([, f]) => f === family).map(([ip]) => ip);
    },
    async fingerprint() {
      // Only appends change the file: its identity, size and mtime say whether anything did.
      const st = await stat(file).catch(() => null);
      return st ? `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}` : null;
    },
    async ban(_family, items) {
      const ips = items.map((i) => i.ip);
      return all(ips, await write(ips.map((ip) => `+${ip}\n`)));
    },
    async unban(_family, ips) {
      return all(ips, await write(ips.map((ip) => `-${ip}\n`)));
    },
    async stop(family) {
      // One file holds both families: unban this family's addresses, remove the file with the last.
      const now = await held();
      const mine = [...now].filter(([, f]) => f === family).map(([ip]) => ip);
      if (mine.length < now.size) return write(mine.map((ip) => `-${ip}\n`));
      await rm(file, { force: true });
      return { ok: true, command: `rm ${file}` };
    },
    describeBan(ip) {
      return `${label}: +${ip}`;
    },
    describeUnban(ip) {
      return `${label}: -${ip}`;
    },
  };
};
