// Plain values for policy tests: a jail with fail2ban's defaults, failures, and a run loop
// that carries the state from one run to the next as the real runs do.

import type { Failure, Jail } from '../../src/types.ts';
import { decide, type DecideInput, type PolicyResult } from '../../src/policy/decide.ts';
import { emptyState, type State } from '../../src/state/schema.ts';
import { jailWithDefaults } from '../helpers/jails.ts';
import { viewOf, type StateView } from '../helpers/state-view.ts';

export const T0 = Date.UTC(2026, 10, 24, 10, 0, 0) / 1000;

export function jail(name = 'sshd', over: Partial<Jail> = {}): Jail {
  return jailWithDefaults(name, { source: { file: '/etc/f2b-scan/jail.local', section: name }, ...over });
}

export function emptyPolicyState(): State {
  return emptyState();
}

/** `n` failures of `ip` in `jail`, one second apart, the last at `last`. */
export function failures(ip: string, n: number, last: number, jailName = 'sshd'): Failure[] {
  return Array.from({ length: n }, (_, i) => ({
    jail: jailName,
    ip,
    time: last - (n - 1 - i),
    line: `Nov 24 10:00:0${i % 10} host sshd[1]: Failed password for root from ${ip} port 22 ssh2`,
    source: '/var/log/auth.log',
  }));
}

export function bansOf(r: PolicyResult): string[] {
  return r.decisions.flatMap((d) => (d.kind === 'ban' ? [`${d.jail} ${d.ip}`] : []));
}

export function unbansOf(r: PolicyResult): string[] {
  return r.decisions.flatMap((d) => (d.kind === 'unban' ? [`${d.jail} ${d.ip}`] : []));
}

/**
 * Runs decide() on the given state (changed in place, as a run changes its own) and returns its
 * result with a readable view of the state after it; the caller carries `result.state` on.
 */
export function runPolicy(state: State, fs: Failure[], jails: Jail[], now: number, extra: Partial<DecideInput> = {}): PolicyResult & { view: StateView } {
  const r = decide({ state, failures: fs, jails, now, ...extra });
  return { ...r, view: viewOf(r.state) };
}

/**
 * Bans `ip` again and again, one ban per "day" (the previous ban long over, the history kept),
 * and returns each ban's length in seconds (null = forever).
 */
export function successiveBanLengths(jails: Jail[], ip: string, rounds: number, opts: { jailOf?: (i: number) => string; random?: () => number } = {}): (number | null)[] {
  let state = emptyPolicyState();
  const out: (number | null)[] = [];
  let now = T0;
  for (let i = 0; i < rounds; i++) {
    const name = opts.jailOf?.(i) ?? jails[0]!.name;
    const j = jails.find((x) => x.name === name)!;
    const r = runPolicy(state, failures(ip, j.maxretry, now, name), jails, now, { random: opts.random ?? (() => 0), historyAge: null });
    const ban = r.decisions.find((d) => d.kind === 'ban');
    if (!ban || ban.kind !== 'ban') throw new Error(`round ${i}: no ban`);
    out.push(ban.until === null ? null : ban.until - ban.start);
    state = r.state;
    // The next offence comes after this ban is over: the run at that time lifts it.
    now = (ban.until ?? now) + 60;
    state = runPolicy(state, [], jails, now, { historyAge: null }).state;
  }
  return out;
}
