// A backend that runs a fail2ban action file (action.d/<name>.conf) as fail2ban would:
// actionstart / actioncheck (+ actionrepair) / actionban / actionunban / actionstop, each
// through /bin/sh -c with its tags filled in (action-file-tags.ts) and the log's values passed
// safely (action-file-shell.ts). One shell per address: action files cannot batch. It cannot
// list what the firewall holds, so after a fresh start every ban of the state is applied again.
// What runs, and when, follows fail2ban's CommandAction (test/actions/action-render.test.ts
// runs both on every stock action file).

import { hostname } from 'node:os';
import type { Jail, Ref } from '../types.ts';
import type { Family } from '../net/address.ts';
import { addressFamily } from '../net/address.ts';
import { run } from '../exec/run.ts';
import { printableCommand } from '../exec/quote.ts';
import type { ActionParams, Backend, BanItem, StepResult } from './backend.ts';
import { ActionParamError } from './backend.ts';
import { insertLogValues } from './action-file-shell.ts';
import { hasFamilySections, isTrue, readActionFile, TagResolver } from './action-file-tags.ts';
import { banTicket, ipTicket } from './action-file-ticket.ts';

const DEFAULT_TIMEOUT_S = 60;

/** Runs one action script (`key`: actionban, ...); the default is /bin/sh -c. Tests put a recorder here. */
export type ShellRunner = (script: string, env: Record<string, string>, timeoutMs: number, key: string) => Promise<StepResult>;

const runShell: ShellRunner = async (script, env, timeoutMs) => {
  const r = await run('/bin/sh', ['-c', script], { env, timeoutMs });
  return r.ok ? { ok: true, command: r.command } : { ok: false, command: r.command, error: r.error ?? 'failed' };
};

export interface ActionFileOptions {
  shell?: ShellRunner;
  /** The host name for <fq-hostname>/<sh-hostname>; default os.hostname(). */
  host?: string;
}

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

/** The action backend; `sharedStart`: one actionstart serves both families (see Backend). */
export function actionFileBackend(file: string, ref: Ref, jail: Jail, params: ActionParams, opts: ActionFileOptions = {}): Backend {
  const store = readActionFile(file);
  const options = refOptions(ref, jail);
  const jailOptions = jail.options;
  const host = opts.host ?? hostname();
  const shell = opts.shell ?? runShell;
  // fail2ban starts, checks and stops an action once for no family unless the file has an
  // [Init?family=...] section; then once per family (twice only where the commands differ).
  const perFamily = hasFamilySections(store);
  const opFamily = (f: Family): Family | null => (perFamily ? f : null);

  const resolver = (family: Family | null, ticket: Record<string, string> = {}) =>
    new TagResolver({ store, family, refOptions: options, jailOptions, ticket, host });

  const base = resolver(null);
  const timeoutText = base.definition('timeout') ?? String(DEFAULT_TIMEOUT_S);
  const timeoutS = Number(base.expand(timeoutText));
  if (!Number.isFinite(timeoutS) || timeoutS <= 0) {
    throw new ActionParamError(params.action, params.jail, 'timeout', `"${timeoutText}" is not a number of seconds`);
  }
  const norestored = isTrue(base.definition('norestored'));

  /** The shell script for one command key, or null when the action leaves it empty. */
  function script(key: string, family: Family | null, ticket?: Record<string, string>, item?: BanItem) {
    const r = resolver(family, ticket);
    const text = r.definition(key);
    if (text === undefined || text.trim() === '') return null;
    const lines = item?.lines.join('\n') ?? '';
    // <ipmatches> / <ipjailmatches>: f2b-scan keeps the lines of this jail's ban only.
    const log: Record<string, string> = { matches: lines, ipmatches: lines, ipjailmatches: lines, 'F-USER': item?.user ?? '' };
    return insertLogValues(r.expand(text), (tag) => log[tag] ?? (tag.startsWith('F-') ? '' : undefined));
  }

  /** A command whose tags cannot be filled in (a loop, ...): the step fails with the reason. */
  const scriptError = (key: string, e: unknown): StepResult => ({ ok: false, command: `${file} ${key}`, error: `${file}: ${key}: ${(e as Error).message}` });

  async function runKey(key: string, family: Family | null, ticket?: Record<string, string>, item?: BanItem): Promise<StepResult> {
    let s;
    try {
      s = script(key, family, ticket, item);
    } catch (e) {
      return scriptError(key, e);
    }
    if (!s) return { ok: true, command: '' };
    return shell(s.script, s.env, timeoutS * 1000, key);
  }

  // fail2ban's memory of executed start and stop commands per family: one that reads the same
  // as the other family's already ran is not run again; a stop forgets the start and back.
  const executed = { actionstart: new Map<Family, string>(), actionstop: new Map<Family, string>(), actionflush: new Map<Family, string>() };
  const forget = (key: keyof typeof executed, family: Family) => {
    const m = executed[key];
    const cmd = m.get(family);
    m.delete(family);
    for (const [f, c] of m) if (c === cmd) m.delete(f);
  };
  /** `key` for `family` (its tags read for `as`), unless the other family already ran the same command. */
  async function runOncePerCommand(key: keyof typeof executed, family: Family, as: Family | null): Promise<StepResult> {
    let s: string;
    try {
      s = script(key, as)?.script ?? '';
    } catch (e) {
      return scriptError(key, e);
    }
    const other = [...executed[key]].some(([f, c]) => f !== family && c === s);
    const r = s === '' || other ? { ok: true, command: '' } : await runKey(key, as);
    if (r.ok) executed[key].set(family, s);
    return r;
  }
  async function startOrStop(key: 'actionstart' | 'actionstop', family: Family): Promise<StepResult> {
    const r = await runOncePerCommand(key, family, opFamily(family));
    forget(r.ok ? (key === 'actionstart' ? 'actionstop' : 'actionstart') : key, family);
    return r;
  }

  // A failed actioncheck is repaired as fail2ban repairs it: actionrepair when the file has
  // one (repaired means started again: every ban of the state is applied again); without it,
  // or when the repair fails, a fresh actionstart, after actionstop where there is no repair.
  const repaired = new Set<Family>();
  const checked = new Set<Family | null>();
  async function check(family: Family): Promise<boolean> {
    const f = opFamily(family);
    if (checked.has(f)) return true; // one check per run for a family-free action, as fail2ban's one
    if ((await runKey('actioncheck', f)).ok) {
      checked.add(f);
      return true;
    }
    if (base.definition('actionrepair')?.trim()) {
      if ((await runKey('actionrepair', f)).ok && (await runKey('actioncheck', f)).ok) repaired.add(family);
    } else {
      await startOrStop('actionstop', family); // its failure does not matter: start follows
    }
    return false;
  }
  const hasCheck = () => Boolean(base.definition('actioncheck')?.trim());

  /**
   * fail2ban's way with a failed ban or unban: once its check passes (or when it has none),
   * the command runs a second time. A failed check leaves the ban pending; the next run's
   * check repairs and applies every ban again.
   */
  async function processCmd(key: string, family: Family, ticket: Record<string, string>, item?: BanItem): Promise<StepResult> {
    const first = await runKey(key, family, ticket, item);
    if (first.ok) return first;
    if (hasCheck()) {
      checked.delete(opFamily(family));
      if (!(await runKey('actioncheck', opFamily(family))).ok) return first;
    }
    return runKey(key, family, ticket, item);
  }

  const describe = (key: string, ip: string) => {
    try {
      const s = script(key, addressFamily(ip) ?? 4, ipTicket(ip));
      return s ? printableCommand('/bin/sh', ['-c', s.script]) : '';
    } catch (e) {
      return `${file}: ${key}: ${(e as Error).message}`;
    }
  };

  return {
    action: params.action,
    enforcing: true,
    sharedStart: !perFamily,
    async start(family) {
      if (repaired.delete(family)) return { ok: true, command: '' };
      return startOrStop('actionstart', family);
    },
    check,
    async ban(family, items) {
      const out = new Map<string, StepResult>();
      for (const item of items) {
        if (item.restore && norestored) out.set(item.ip, { ok: true, command: `${file}: norestored, not run for a ban put back` });
        else out.set(item.ip, await processCmd('actionban', family, banTicket(item), item));
      }
      return out;
    },
    async unban(family, ips) {
      const out = new Map<string, StepResult>();
      for (const ip of ips) out.set(ip, await processCmd('actionunban', family, { ...ipTicket(ip), restored: '0' }));
      return out;
    },
    async stop(family) {
      return startOrStop('actionstop', family);
    },
    // fail2ban's actionflush: per family, once where both families' commands read the same.
    ...(base.definition('actionflush')?.trim() ? { flushAll: (family: Family) => runOncePerCommand('actionflush', family, family) } : {}),
    describeBan(ip) {
      return describe('actionban', ip);
    },
    describeUnban(ip) {
      return describe('actionunban', ip);
    },
  };
}
