// A backend that runs a fail2ban action file (action.d/<name>.conf) as fail2ban would:
// actionstart / actioncheck / actionban / actionunban / actionstop, each through /bin/sh -c
// with its tags filled in (action-file-tags.ts) and the log's values passed safely
// (action-file-shell.ts). One shell per address: action files cannot batch. It cannot list
// what the firewall holds, so after a fresh start every ban of the state is applied again.

import { hostname } from 'node:os';
import type { Jail, Ref } from '../types.ts';
import type { Family } from '../net/address.ts';
import { addressFamily } from '../net/address.ts';
import { run } from '../exec/run.ts';
import { printableCommand } from '../exec/quote.ts';
import type { ActionParams, Backend, BanItem, StepResult } from './backend.ts';
import { ActionParamError } from './backend.ts';
import { insertLogValues } from './action-file-shell.ts';
import { isTrue, readActionFile, TagResolver } from './action-file-tags.ts';

const DEFAULT_TIMEOUT_S = 60;

/** Options as written in `name[k=v]`: lower-case keys, one pair of outer quotes removed. */
function refOptions(ref: Ref, jail: Jail): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, raw] of Object.entries(ref.options)) {
    let v = raw.trim();
    if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.at(-1) === v[0]) v = v.slice(1, -1);
    out[k.toLowerCase()] = v;
  }
  // fail2ban gives every action the jail's name as <name> unless it sets its own.
  out.name ??= jail.name;
  out.actname ??= ref.name;
  return out;
}

export function actionFileBackend(file: string, ref: Ref, jail: Jail, params: ActionParams): Backend {
  const store = readActionFile(file);
  const options = refOptions(ref, jail);
  const jailOptions = jail.options;
  const host = hostname();
  const hostTicket = { 'fq-hostname': host, 'sh-hostname': host.split('.')[0]!, br: '\n', sp: ' ' };
  const familyTag = (f: Family) => (f === 6 ? 'inet6' : 'inet4');

  const resolver = (family: Family, ticket: Record<string, string> = {}) =>
    new TagResolver({ store, family, refOptions: options, jailOptions, ticket: { ...hostTicket, family: familyTag(family), ...ticket } });

  const base = resolver(4);
  const timeoutText = base.definition('timeout') ?? String(DEFAULT_TIMEOUT_S);
  const timeoutS = Number(base.expand(timeoutText));
  if (!Number.isFinite(timeoutS) || timeoutS <= 0) {
    throw new ActionParamError(params.action, params.jail, 'timeout', `"${timeoutText}" is not a number of seconds`);
  }
  const norestored = isTrue(base.definition('norestored'));

  /** The shell script for one command key, or null when the action leaves it empty. */
  function script(key: string, family: Family, ticket?: Record<string, string>, item?: BanItem) {
    const r = resolver(family, ticket);
    const text = r.definition(key);
    if (text === undefined || text.trim() === '') return null;
    const lines = item?.lines.join('\n') ?? '';
    // <ipmatches> / <ipjailmatches>: f2b-scan keeps the lines of this jail's ban only.
    const log: Record<string, string> = { matches: lines, ipmatches: lines, ipjailmatches: lines, 'F-USER': item?.user ?? '' };
    return insertLogValues(r.expand(text), (tag) => log[tag] ?? (tag.startsWith('F-') ? '' : undefined));
  }

  async function runKey(key: string, family: Family, ticket?: Record<string, string>, item?: BanItem): Promise<StepResult> {
    let s;
    try {
      s = script(key, family, ticket, item);
    } catch (e) {
      return { ok: false, command: `${file} ${key}`, error: `${file}: ${key}: ${(e as Error).message}` };
    }
    if (!s) return { ok: true, command: '' };
    const r = await run('/bin/sh', ['-c', s.script], { env: s.env, timeoutMs: timeoutS * 1000 });
    return r.ok ? { ok: true, command: r.command } : { ok: false, command: r.command, error: r.error ?? 'failed' };
  }

  const ipTicket = (ip: string) => ({ ip, fid: ip, 'raw-host': ip });
  const banTicket = (item: BanItem) => ({
    ...ipTicket(item.ip),
    failures: String(item.failures),
    time: String(Math.floor(item.start)),
    bantime: item.until === null ? '-1' : String(Math.round(item.until - item.start)),
    restored: item.restore ? '1' : '0',
  });
  const describe = (key: string, ip: string) => {
    try {
      const s = script(key, addressFamily(ip) ?? 4, ipTicket(ip));
      return s ? printableCommand('/bin/sh', ['-c', s.script]) : '';
    } catch (e) {
      return `${file}: ${key}: ${(e as Error).message}`;
    }
  };
  // Scripts that start ran in this process: one that reads the same for IPv4 and IPv6
  // (no family tag in it) runs once, as in fail2ban.
  const startedScripts = new Set<string>();

  return {
    action: params.action,
    enforcing: true,
    async start(family) {
      let s;
      try {
        s = script('actionstart', family);
      } catch (e) {
        return { ok: false, command: `${file} actionstart`, error: `${file}: actionstart: ${(e as Error).message}` };
      }
      if (!s || startedScripts.has(s.script)) return { ok: true, command: '' };
      const r = await runKey('actionstart', family);
      if (r.ok) startedScripts.add(s.script);
      return r;
    },
    async check(family) {
      return (await runKey('actioncheck', family)).ok;
    },
    async ban(family, items) {
      const out = new Map<string, StepResult>();
      for (const item of items) {
        if (item.restore && norestored) out.set(item.ip, { ok: true, command: `${file}: norestored, not run for a ban put back` });
        else out.set(item.ip, await runKey('actionban', family, banTicket(item), item));
      }
      return out;
    },
    async unban(family, ips) {
      const out = new Map<string, StepResult>();
      for (const ip of ips) out.set(ip, await runKey('actionunban', family, { ...ipTicket(ip), restored: '0' }));
      return out;
    },
    async stop(family) {
      return runKey('actionstop', family);
    },
    describeBan(ip) {
      return describe('actionban', ip);
    },
    describeUnban(ip) {
      return describe('actionunban', ip);
    },
  };
}
