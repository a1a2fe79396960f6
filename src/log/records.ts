// The own-log records of a run's outcome, with fail2ban's wording: `Ban`, `Unban`, `Restore Ban`
// (actions, NOTICE) and action failures (ERROR). The `Found` line of each failure (filter, INFO)
// is written while the scan runs: found-log.ts.

import type { ActionOutcome } from '../actions/enforce.ts';
import type { Decision, Epoch } from '../types.ts';
import type { LogRecord } from './format.ts';

export function banRecord(now: Epoch, jail: string, ip: string): LogRecord {
  return { time: now, logger: 'f2b-scan.actions', level: 'NOTICE', message: `[${jail}] Ban ${ip}` };
}

export function unbanRecord(now: Epoch, jail: string, ip: string): LogRecord {
  return { time: now, logger: 'f2b-scan.actions', level: 'NOTICE', message: `[${jail}] Unban ${ip}` };
}

/** The records of a run's outcome (its Found lines were written while it scanned: found-log.ts). */
export function runRecords(input: { decisions: Decision[]; outcomes: ActionOutcome[]; now: Epoch }): LogRecord[] {
  const { now } = input;
  const out: LogRecord[] = [];
  for (const d of input.decisions) if (d.kind === 'unban') out.push(unbanRecord(now, d.jail, d.ip));
  // A ban put back after a reboot or flush is not a new offence: recidive must not count it.
  const restored = new Set<string>();
  for (const o of input.outcomes) {
    if (o.op !== 'restore' || !o.ok) continue;
    const k = `${o.jail}\0${o.ip}`;
    if (restored.has(k)) continue;
    restored.add(k);
    out.push({ time: now, logger: 'f2b-scan.actions', level: 'NOTICE', message: `[${o.jail}] Restore Ban ${o.ip}` });
  }
  for (const d of input.decisions) if (d.kind === 'ban') out.push(banRecord(now, d.jail, d.ip));
  for (const o of input.outcomes) {
    if (o.ok) continue;
    out.push({ time: now, logger: 'f2b-scan.actions', level: 'ERROR', message: `[${o.jail}] Failed to execute ${o.op} ${o.ip}${o.action ? ` (${o.action})` : ''}: ${o.error ?? 'failed'}` });
  }
  return out;
}
