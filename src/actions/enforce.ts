// Makes the firewall agree with the state, once per run. For every jail with bans or
// decisions: start its backends where they are missing (first use, reboot, flush), apply
// the run's bans and unbans in batches, put back bans the state holds but the firewall
// lost ('restore'), remove rules for addresses the state no longer holds. A failed command
// never loses a ban: the BanRecord is marked pending with the error and retried next run.

import type { Decision, Jail, Ref } from '../types.ts';
import type { State } from '../state/schema.ts';
import type { Family } from '../net/address.ts';
import { normalizeTarget } from '../net/cidr.ts';
import { isRangeKey, keyFamily, keyText, parseKeyOrRange, type AddrKey } from '../net/key.ts';
import { banKeyCounts, banKeys, getBan, pendingBanKeys, updateBan } from '../state/bans.ts';
import type { Backend, BanItem, StepResult } from './backend.ts';
import { resolveActionParams } from './params.ts';
import { loadBackend } from './registry.ts';
import { loadActionFile } from './action-file-find.ts';

export interface ActionOutcome {
  jail: string;
  ip: string;
  op: 'ban' | 'unban' | 'restore';
  ok: boolean;
  error?: string;
  command?: string;
  /** The action that produced it, when a jail has several. */
  action?: string;
}

export interface EnforceInput {
  /** Enabled jails. */
  jails: Jail[];
  /** Already holds the run's new bans; bans the run lifted are gone and appear in decisions as unban. */
  state: State;
  decisions: Decision[];
  now: number;
  dryRun: boolean;
  /**
   * Where fail2ban action files are looked up: the user's action.d first, the shipped one
   * last. A file in a directory before the last wins over a native backend of its name.
   */
  actionDirs: string[];
}

export interface EnforceResult {
  outcomes: ActionOutcome[];
  warnings: string[];
}

const FAMILIES: Family[] = [4, 6];

/** The state.started entry for an action's start in one family. */
export function startedKey(action: string, family: Family): string {
  return family === 4 ? action : `${action}/inet6`;
}

/** What one jail asks of its actions this run. Addresses are canonical text, as backends take them. */
interface JailWork {
  jail: Jail;
  state: State;
  /** How many addresses the state bans in the jail, by family, and how many of them are ranges. */
  heldCount: Record<Family, number>;
  ranges: number;
  /**
   * Every address the state bans in the jail, in a family (keys: text only when a reconcile needs
   * it). Asked only when a reconcile needs them: an idle run's quiet reconcile reads no ban.
   */
  held(family: Family): AddrKey[];
  /** Bans an earlier run's action failed to apply. */
  pending: Set<string>;
  banDecisions: Map<string, Extract<Decision, { kind: 'ban' }>>;
  unbanDecisions: Set<string>;
  /** Error per address from any enforcing action this run: the ban stays pending. */
  failed: Map<string, string>;
  /** Addresses an enforcing action applied or found in place this run. */
  enforced: Set<string>;
}

export async function enforce(input: EnforceInput): Promise<EnforceResult> {
  const outcomes: ActionOutcome[] = [];
  const warnings: string[] = [];
  for (const jail of input.jails) {
    const work = jailWork(jail, input.state, input.decisions);
    if (work.heldCount[4] + work.heldCount[6] === 0 && work.banDecisions.size === 0 && work.unbanDecisions.size === 0) continue;
    for (const ref of jail.actions) {
      const backend = await createBackend(ref, jail, warnings, input.actionDirs);
      if (backend === 'unsupported') continue;
      if (typeof backend === 'string') {
        failEverything(work, ref.name, backend, outcomes);
        continue;
      }
      const first = outcomes.length;
      // Whether each family's firewall is as the last reconcile left it, asked before this run
      // changes any: one file may hold both families (dummy).
      const quiet = input.dryRun ? new Set<Family>() : await quietFamilies(work, backend, input.state);
      for (const family of FAMILIES) {
        if (input.dryRun) dryRunFamily(work, backend, family, outcomes);
        else await enforceFamily(work, backend, family, input.state, outcomes, quiet.has(family));
      }
      if (!input.dryRun) await stampReconciled(input.state, jail.name, backend);
      if (!input.dryRun && backend.flush) await flushBackend(backend, outcomes.slice(first));
    }
    if (!input.dryRun) settlePending(work);
  }
  return { outcomes, warnings };
}

function jailWork(jail: Jail, state: State, decisions: Decision[]): JailWork {
  const counts = banKeyCounts(state, jail.name);
  let byFamily: Record<Family, AddrKey[]> | null = null;
  const held = (family: Family): AddrKey[] => {
    if (byFamily === null) {
      byFamily = { 4: [], 6: [] };
      for (const k of banKeys(state, jail.name)) byFamily[keyFamily(k)].push(k);
    }
    return byFamily[family];
  };
  const work: JailWork = {
    jail,
    state,
    heldCount: { 4: counts.v4, 6: counts.v6 },
    ranges: counts.ranges,
    held,
    pending: new Set(pendingBanKeys(state, jail.name).map(keyText)),
    banDecisions: new Map(),
    unbanDecisions: new Set(),
    failed: new Map(),
    enforced: new Set(),
  };
  for (const d of decisions) {
    if (d.jail !== jail.name) continue;
    if (d.kind === 'ban') work.banDecisions.set(d.ip, d);
    else work.unbanDecisions.add(d.ip);
  }
  return work;
}

/** A backend, 'unsupported' (warned), or the error that makes it unusable. */
async function createBackend(ref: Ref, jail: Jail, warnings: string[], actionDirs: string[]): Promise<Backend | string> {
  const factory = (await loadActionFile(ref, jail, actionDirs)) ?? (await loadBackend(ref.name));
  if (!factory) {
    warnings.push(`jail ${jail.name}: action ${ref.name}: not supported yet`);
    return 'unsupported';
  }
  try {
    return factory({ ...resolveActionParams(ref, jail), jailOptions: jail.options });
  } catch (e) {
    const msg = (e as Error).message;
    warnings.push(msg);
    return msg;
  }
}

/** A grouping backend (mail) acts once per jail: its results replace what ban() said. */
async function flushBackend(backend: Backend, mine: ActionOutcome[]): Promise<void> {
  const results = await backend.flush!();
  for (const o of mine) {
    const r = o.op === 'unban' ? undefined : results.get(o.ip);
    if (!r) continue;
    o.ok = r.ok;
    o.command = r.command;
    if (r.ok) delete o.error;
    else o.error = r.error ?? 'failed';
  }
}

function familyOf(ip: string): Family | null {
  const k = parseKeyOrRange(ip);
  return k === null ? null : keyFamily(k);
}

function inFamily(ips: Iterable<string>, family: Family): string[] {
  return [...ips].filter((ip) => familyOf(ip) === family);
}

/** The state's ban of an address given as text. */
function banOf(work: JailWork, ip: string) {
  const k = parseKeyOrRange(ip);
  return k === null ? undefined : getBan(work.state, work.jail.name, k);
}

/** Bans this run must apply whatever the firewall holds: new decisions and earlier failures. */
function owed(work: JailWork, family: Family): string[] {
  const ips = new Set([...work.banDecisions.keys(), ...work.pending]);
  // A ban decision the policy later dropped from the state is not owed.
  return inFamily(ips, family).filter((ip) => work.pending.has(ip) || banOf(work, ip) !== undefined);
}

function opFor(work: JailWork, ip: string): 'ban' | 'restore' {
  return work.banDecisions.has(ip) || work.pending.has(ip) ? 'ban' : 'restore';
}

function failEverything(work: JailWork, action: string, error: string, outcomes: ActionOutcome[]): void {
  for (const family of FAMILIES) {
    for (const ip of owed(work, family)) {
      work.failed.set(ip, error);
      outcomes.push({ jail: work.jail.name, ip, op: 'ban', ok: false, error, action });
    }
  }
}

function dryRunFamily(work: JailWork, backend: Backend, family: Family, outcomes: ActionOutcome[]): void {
  const jail = work.jail.name;
  for (const ip of inFamily(work.unbanDecisions, family)) {
    outcomes.push({ jail, ip, op: 'unban', ok: true, command: backend.describeUnban(ip), action: backend.action });
  }
  for (const ip of owed(work, family)) {
    outcomes.push({ jail, ip, op: 'ban', ok: true, command: backend.describeBan(ip), action: backend.action });
  }
}

async function enforceFamily(
  work: JailWork,
  backend: Backend,
  family: Family,
  state: State,
  outcomes: ActionOutcome[],
  quiet: boolean,
): Promise<void> {
  const jail = work.jail.name;
  let wantedKeys: AddrKey[] | null = null;
  let wantedCount = work.heldCount[family];
  const keys = () => (wantedKeys ??= work.held(family));
  let wantedText: string[] | null = null;
  // The addresses as the firewall takes them; built only when every one of them is needed.
  const wanted = () => (wantedText ??= keys().map(keyText));
  const unbans = inFamily(work.unbanDecisions, family);
  if (wantedCount === 0 && unbans.length === 0) return;
  const record = (ip: string, op: ActionOutcome['op'], r: StepResult) => {
    const o: ActionOutcome = { jail, ip, op, ok: r.ok, action: backend.action };
    if (r.command) o.command = r.command;
    if (!r.ok) o.error = r.error ?? 'failed';
    outcomes.push(o);
    if (op === 'unban' || !backend.enforcing) return;
    if (r.ok) work.enforced.add(ip);
    else work.failed.set(ip, o.error!);
  };
  // A range in a jail whose firewall holds hosts only (a hand-edited state; the commands refuse
  // it before): one line per range, and it stays out of the backend's batch.
  if (backend.enforcing && !backend.ranges && work.ranges > 0) {
    for (const ip of keys().filter(isRangeKey).map(keyText)) {
      if (work.pending.has(ip) || work.banDecisions.has(ip)) record(ip, 'ban', { ok: false, command: '', error: rangeRefusal(backend.action, ip) });
    }
    wantedKeys = keys().filter((k) => !isRangeKey(k));
    wantedCount = wantedKeys.length;
    wantedText = null;
  }

  // Start where this action never started here, or where its check finds it gone.
  const key = startedKey(backend.action, backend.sharedStart ? 4 : family);
  const started = (state.started[jail] ??= []);
  let fresh = false;
  if (!started.includes(key) || !(await backend.check(family))) {
    forgetReconciled(state, jail, key);
    if (wantedCount === 0) {
      // Nothing to hold and nothing in place: the unbans are already true.
      for (const ip of unbans) record(ip, 'unban', { ok: true, command: '' });
      return;
    }
    const r = await backend.start(family);
    if (!r.ok) {
      const error = `start failed: ${r.error ?? 'failed'}`;
      for (const ip of wanted()) record(ip, opFor(work, ip), { ok: false, command: r.command, error });
      return;
    }
    if (!started.includes(key)) started.push(key);
    fresh = true;
  }

  // What to add and remove: from the firewall's own listing where the backend has one. Listing
  // costs O(bans) every run; where the firewall's fingerprint (ipset's entry count, the dummy
  // file's size) is the one the last reconcile left and the ban count agrees, nothing changed
  // behind our back and only this run's changes are applied.
  let toAdd: string[];
  let toRemove: string[];
  const owedNow = owed(work, family);
  if (backend.list && !fresh && quiet) {
    toAdd = owedNow;
    toRemove = unbans;
  } else if (backend.list) {
    let held: Set<string>;
    try {
      held = new Set(await backend.list(family));
    } catch (e) {
      const error = `cannot list: ${(e as Error).message}`;
      for (const ip of owedNow) record(ip, 'ban', { ok: false, command: '', error });
      return;
    }
    // The state's addresses are canonical already (keyText); the backends list canonical forms.
    const want = new Set(wanted());
    toAdd = wanted().filter((ip) => !held.has(ip));
    toRemove = [...held].filter((ip) => !want.has(ip));
    if (backend.enforcing) for (const ip of wanted()) if (held.has(ip)) work.enforced.add(ip);
    // Unban decisions already absent from the firewall are done.
    for (const ip of unbans) if (!held.has(canonical(ip))) record(ip, 'unban', { ok: true, command: '' });
  } else {
    // Cannot see the firewall: apply what is owed, and everything after a fresh start.
    toAdd = fresh ? wanted() : owedNow;
    toRemove = unbans;
  }

  let allOk = true;
  if (toRemove.length > 0) {
    const results = await backend.unban(family, toRemove);
    for (const ip of toRemove) {
      const r = results.get(ip) ?? missing(ip);
      allOk &&= r.ok;
      record(ip, 'unban', r);
    }
  }
  if (toAdd.length > 0) {
    const items = toAdd.map((ip) => banItem(work, ip));
    const results = await backend.ban(family, items);
    for (const ip of toAdd) {
      const r = results.get(ip) ?? missing(ip);
      allOk &&= r.ok;
      record(ip, opFor(work, ip), r);
    }
  }
  // What the next run compares with: the bans now held (the fingerprint is taken once every
  // family is done: one file may hold both, as the dummy action's does).
  if (allOk && backend.fingerprint) rememberReconciled(state, jail, key, { count: work.heldCount[family], fp: '' });
  else forgetReconciled(state, jail, key);
}

/**
 * The families whose firewall holds what the last reconcile left: the same fingerprint, and the
 * ban count of the state before this run's own bans and unbans. For those, listing every ban
 * (O(bans), with a million bans most of a run) is not needed.
 */
async function quietFamilies(work: JailWork, backend: Backend, state: State): Promise<Set<Family>> {
  const out = new Set<Family>();
  if (!backend.list || !backend.fingerprint) return out;
  for (const family of FAMILIES) {
    const token = reconciledOf(state, work.jail.name, startedKey(backend.action, family));
    if (!token || token.fp === '') continue;
    const added = owed(work, family).filter((ip) => work.banDecisions.has(ip) && !work.pending.has(ip)).length;
    const before = work.heldCount[family] - added + inFamily(work.unbanDecisions, family).length;
    if (token.count !== before) continue;
    if ((await backend.fingerprint(family).catch(() => null)) === token.fp) out.add(family);
  }
  return out;
}

/** The firewall's fingerprint for each family this run reconciled (see enforceFamily). */
async function stampReconciled(state: State, jail: string, backend: Backend): Promise<void> {
  if (!backend.fingerprint) return;
  for (const family of FAMILIES) {
    const key = startedKey(backend.action, family);
    const token = reconciledOf(state, jail, key);
    if (!token || token.fp !== '') continue;
    const fp = await backend.fingerprint(family).catch(() => null);
    if (fp === null) forgetReconciled(state, jail, key);
    else token.fp = fp;
  }
}

function reconciledOf(state: State, jail: string, key: string): { count: number; fp: string } | undefined {
  const r = state.reconciled;
  return r && Object.hasOwn(r, jail) && Object.hasOwn(r[jail]!, key) ? r[jail]![key] : undefined;
}

function rememberReconciled(state: State, jail: string, key: string, token: { count: number; fp: string }): void {
  const r = (state.reconciled ??= {});
  if (!Object.hasOwn(r, jail)) Object.defineProperty(r, jail, { value: {}, enumerable: true, writable: true, configurable: true });
  Object.defineProperty(r[jail]!, key, { value: token, enumerable: true, writable: true, configurable: true });
}

function forgetReconciled(state: State, jail: string, key: string): void {
  if (reconciledOf(state, jail, key)) delete state.reconciled![jail]![key];
}

function canonical(ip: string): string {
  return normalizeTarget(ip) ?? ip;
}

/** The one line for a range an action cannot hold. */
export function rangeRefusal(action: string, range: string): string {
  return `${action} holds host addresses only, not ranges like ${range}: use ipset, nftables, iptables or route for ranges`;
}

function missing(ip: string): StepResult {
  return { ok: false, command: '', error: `no result for ${ip}` };
}

function banItem(work: JailWork, ip: string): BanItem {
  const rec = banOf(work, ip)!;
  const d = work.banDecisions.get(ip);
  return {
    ip,
    failures: rec.failures,
    start: rec.start,
    until: rec.until,
    lines: d?.lines ?? rec.lines ?? [],
    restore: opFor(work, ip) === 'restore',
    retry: !work.banDecisions.has(ip) && rec.pending === 'ban',
    count: rec.count,
    ...(d?.user !== undefined ? { user: d.user } : {}),
  };
}

/** Write this run's verdict into the BanRecords: pending with the error, or cleared. */
function settlePending(work: JailWork): void {
  const jail = work.jail.name;
  for (const [ip, error] of work.failed) {
    const k = parseKeyOrRange(ip);
    if (k !== null) updateBan(work.state, jail, k, { pending: 'ban', error });
  }
  for (const ip of work.pending) {
    if (work.failed.has(ip) || !work.enforced.has(ip)) continue;
    const k = parseKeyOrRange(ip);
    if (k !== null) updateBan(work.state, jail, k, { pending: undefined, error: undefined });
  }
}
