// The checks every firewall backend's tests make in a lab (netns.ts): a ban blocks the
// attacker and the unban lets it in again; after a reboot or flush the next run puts every
// ban back; 10,000 bans go in one run. Each test adds, through the hooks, what only its
// backend shows (its rules, set entries, routes).

import assert from 'node:assert/strict';
import { enforce } from '../../src/actions/index.ts';
import { emptyState, type State } from '../../src/state/schema.ts';
import type { Decision, Jail } from '../../src/types.ts';
import { tcpConnects, type Lab } from './netns.ts';
import { addBan, liftBan } from './jails.ts';

/** The clock of the action tests (epoch seconds). */
export const NOW = 1_700_000_000;

/** One run's action step at NOW: apply the decisions and reconcile the firewall with the state. */
export function runOnce(jails: Jail[], state: State, decisions: Decision[], dryRun = false) {
  return enforce({ jails, state, decisions, now: NOW, dryRun, actionDirs: [] });
}

export interface BanUnbanCheck {
  /** The jail under test; the attacker's address of `family` is banned in it. */
  jail: Jail;
  family: 4 | 6;
  /** The ports the ban closes to the attacker (default [22]); the first is also tried before the ban, by another host and after the unban. */
  blocked?: number[];
  /** Ports outside the jail (with a server in the lab) that the attacker still reaches while banned. */
  open?: number[];
  /** The ban's length in seconds (default: addBan's). */
  bantime?: number;
  /** How long a blocked connection is given (default: tcpConnects'). */
  blockedTimeoutMs?: number;
  /** What only this backend shows while the ban is in place. */
  whileBanned?: (attacker: string) => Promise<void>;
  /** What only this backend shows after the unban. */
  afterUnban?: (attacker: string) => Promise<void>;
}

/**
 * The attacker reaches the jail's port before the ban and not during it; the ports outside
 * the jail and another host still get in; after the unban the attacker is back. Each run
 * reports exactly its one ban or unban, without error.
 */
export async function assertBanBlocksAndUnbanOpens(lab: Lab, c: BanUnbanCheck): Promise<void> {
  const target = c.family === 4 ? lab.server.v4 : lab.server.v6;
  const attacker = c.family === 4 ? lab.attacker.v4 : lab.attacker.v6;
  const blocked = c.blocked ?? [22];
  const port = blocked[0]!;
  const state = emptyState();
  assert.equal(await tcpConnects(lab.attacker.ns, target, port), true, 'reachable before the ban');

  const banned = await runOnce([c.jail], state, [addBan(state, c.jail.name, attacker, NOW, c.bantime)]);
  assert.deepEqual(banned.outcomes.map((o) => [o.op, o.ip, o.ok, o.error]), [['ban', attacker, true, undefined]]);
  await c.whileBanned?.(attacker);
  for (const p of blocked) assert.equal(await tcpConnects(lab.attacker.ns, target, p, c.blockedTimeoutMs), false, `port ${p} blocked for the attacker`);
  for (const p of c.open ?? []) assert.equal(await tcpConnects(lab.attacker.ns, target, p), true, `port ${p}, outside the jail, stays open`);
  assert.equal(await tcpConnects(lab.other.ns, target, port), true, 'another host still gets in');

  const lifted = await runOnce([c.jail], state, [liftBan(state, c.jail.name, attacker)]);
  assert.deepEqual(lifted.outcomes.map((o) => [o.op, o.ip, o.ok]), [['unban', attacker, true]]);
  assert.equal(await tcpConnects(lab.attacker.ns, target, port), true, 'reachable again after the unban');
  await c.afterUnban?.(attacker);
}

export interface AllPortsCheck {
  /** The jail under test; the attacker's IPv4 and IPv6 addresses are banned in it. */
  jail: Jail;
  /** Ports with a server in the lab (default [22, 8080]): all closed to the attacker during the ban. */
  ports?: number[];
  /** Changes the bans in the state before the run applies them (e.g. one without end). */
  prepare?: (state: State) => void;
  /** How long a blocked connection is given (default: tcpConnects'). */
  blockedTimeoutMs?: number;
  /** What only this backend shows while the bans are in place. */
  whileBanned?: () => Promise<void>;
}

/**
 * A ban over IPv4 and IPv6 closes every port, on both server addresses, to the attacker and
 * to no one else; lifting both opens them all again.
 */
export async function assertAllPortsBlockedUntilUnban(lab: Lab, c: AllPortsCheck): Promise<void> {
  const { jail } = c;
  const ports = c.ports ?? [22, 8080];
  const state = emptyState();
  const decisions = [addBan(state, jail.name, lab.attacker.v4, NOW), addBan(state, jail.name, lab.attacker.v6, NOW)];
  c.prepare?.(state);
  const r = await runOnce([jail], state, decisions);
  assert.deepEqual(r.outcomes.filter((o) => !o.ok), []);
  for (const host of [lab.server.v4, lab.server.v6]) {
    for (const port of ports) assert.equal(await tcpConnects(lab.attacker.ns, host, port, c.blockedTimeoutMs), false, `${host}:${port} blocked`);
  }
  assert.equal(await tcpConnects(lab.other.ns, lab.server.v4, ports.at(-1)!), true, 'another host still gets in');
  await c.whileBanned?.();

  await runOnce([jail], state, [liftBan(state, jail.name, lab.attacker.v4), liftBan(state, jail.name, lab.attacker.v6)]);
  for (const host of [lab.server.v4, lab.server.v6]) {
    for (const port of ports) assert.equal(await tcpConnects(lab.attacker.ns, host, port), true, `${host}:${port} open again`);
  }
}

export interface RestoreCheck {
  /** The jail under test (its port 22 is what the bans close). */
  jail: Jail;
  /** The state the bans go into; the caller may go on with it. */
  state: State;
  /** What empties the firewall: a reboot, a flush by hand, a reload. */
  disrupt: () => Promise<void>;
  /** Its name in the messages ('reboot', 'flush'). */
  what: string;
  /** Checks right after the first run, before the disruption. */
  afterBan?: () => Promise<void>;
  /** How long a blocked connection is given (default: tcpConnects'). */
  blockedTimeoutMs?: number;
}

/**
 * Bans the attacker over IPv4 and IPv6; once `disrupt` has opened the door, the next run
 * puts both bans back (a restore each, both blocked) and the run after it changes nothing.
 */
export async function assertNextRunRestores(lab: Lab, c: RestoreCheck): Promise<void> {
  const { jail, state } = c;
  await runOnce([jail], state, [addBan(state, jail.name, lab.attacker.v4, NOW), addBan(state, jail.name, lab.attacker.v6, NOW)]);
  await c.afterBan?.();
  await c.disrupt();
  assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 22), true, `the ${c.what} opened the door`);

  const again = await runOnce([jail], state, []);
  assert.deepEqual(again.outcomes.map((o) => [o.op, o.ip, o.ok]), [
    ['restore', lab.attacker.v4, true],
    ['restore', lab.attacker.v6, true],
  ]);
  assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v4, 22, c.blockedTimeoutMs), false);
  assert.equal(await tcpConnects(lab.attacker.ns, lab.server.v6, 22, c.blockedTimeoutMs), false);
  assert.deepEqual((await runOnce([jail], state, [])).outcomes, [], 'a run with the firewall in order changes nothing');
}

export interface BulkCheck {
  jail: Jail;
  /** The most the run may take, in milliseconds (none: only reported). */
  limitMs?: number;
  /** Checks what the backend holds after the run (5,000 addresses per family). */
  held?: () => Promise<void>;
}

/**
 * 5,000 IPv4 and 5,000 IPv6 bans in one run all succeed (within limitMs), and the next run,
 * reconciling 10,000 held bans, changes nothing. Times go to the test's diagnostics.
 */
export async function assertBulkBans(t: { diagnostic(message: string): void }, c: BulkCheck): Promise<void> {
  const label = c.jail.actions[0]?.name ?? c.jail.name;
  const state = emptyState();
  const decisions: Decision[] = [];
  // 198.18.0.0/15 is reserved for benchmarks (RFC 2544): never a real host, and no packet is sent.
  for (let i = 0; i < 5000; i++) {
    decisions.push(addBan(state, c.jail.name, `198.18.${i >> 8}.${i & 255}`, NOW));
    decisions.push(addBan(state, c.jail.name, `2001:db8:1::${(i + 1).toString(16)}`, NOW));
  }
  const t0 = performance.now();
  const r = await runOnce([c.jail], state, decisions);
  const ms = performance.now() - t0;
  t.diagnostic(`${label}: 10000 bans applied in ${Math.round(ms)} ms`);
  assert.equal(r.outcomes.filter((o) => !o.ok).length, 0);
  assert.equal(r.outcomes.length, 10000);
  if (c.limitMs !== undefined) assert.ok(ms < c.limitMs, `took ${ms} ms`);
  await c.held?.();
  const t1 = performance.now();
  assert.deepEqual((await runOnce([c.jail], state, [])).outcomes, []);
  t.diagnostic(`${label}: reconcile of 10000 held bans in ${Math.round(performance.now() - t1)} ms`);
}
