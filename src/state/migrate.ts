// State versions and migrations. A state file is read by turning it, version by version, into the current
// shape; then it is checked. Anything we cannot make sense of is an error (the store moves the file aside).

import { emptyState, STATE_VERSION, type State } from './schema.ts';
import { whyNotBannableKey } from '../net/host.ts';

/** The file is not a state this program can read: corrupt, wrong shape, or from a newer version. */
export class StateFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateFormatError';
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * migrations[n] turns version n into version n + 1.
 * Version 0 is any state without a `version` (written by hand or before versioning): the same sections as
 * version 1, any of them possibly missing, and file cursors that may lack `size` / `mtimeMs`.
 */
const migrations: ((raw: Obj) => Obj)[] = [
  (raw) => {
    const base = emptyState() as unknown as Obj;
    const out: Obj = { ...base, ...raw, version: 1 };
    if (isObj(out.files)) {
      for (const cursors of Object.values(out.files)) {
        if (!isObj(cursors)) continue;
        for (const c of Object.values(cursors)) {
          if (!isObj(c)) continue;
          // Unknown size and mtime never equal the file's: the next run opens it and checks it properly.
          if (!isNum(c.size)) c.size = -1;
          if (!isNum(c.mtimeMs)) c.mtimeMs = -1;
        }
      }
    }
    return out;
  },
];

function versionOf(raw: Obj): number {
  if (raw.version === undefined) return 0;
  if (!Number.isInteger(raw.version) || (raw.version as number) < 0) {
    throw new StateFormatError(`state has an invalid version ${JSON.stringify(raw.version)}`);
  }
  return raw.version as number;
}

/**
 * Keep only the entries of a jail -> key -> value map whose values pass `ok`; name the others.
 * With `addressKeys`, a key must also be an address that may be banned (src/net/host.ts): a
 * state file written by hand, by an older version or by an attacker must not put 0.0.0.0 into
 * an ipset batch (which the tool rejects whole) or ban loopback.
 * Plain for-in loops: this runs over every address of a large state on each load.
 */
function cleanNested(section: string, v: unknown, ok: (x: unknown) => boolean, dropped: string[], addressKeys = false): Record<string, Record<string, never>> {
  if (v === undefined) return {};
  if (!isObj(v)) throw new StateFormatError(`state section "${section}" is not an object`);
  for (const jail in v) {
    const inner = v[jail];
    if (!isObj(inner)) { delete v[jail]; dropped.push(`${section}.${jail}`); continue; }
    for (const k in inner) {
      const notHost = addressKeys ? whyNotBannableKey(k) : null;
      if (notHost) { delete inner[k]; dropped.push(`${section}.${jail}.${k} (${notHost})`); }
      else if (!ok(inner[k])) { delete inner[k]; dropped.push(`${section}.${jail}.${k}`); }
    }
  }
  return v as Record<string, Record<string, never>>;
}

function allNumbers(a: unknown[]): boolean {
  for (let i = 0; i < a.length; i++) if (typeof a[i] !== 'number') return false;
  return true;
}

const okCursor = (c: unknown) => isObj(c) && isNum(c.dev) && isNum(c.ino) && isNum(c.offset) && c.offset >= 0 && isNum(c.size) && isNum(c.mtimeMs);
const okFailure = (f: unknown) => isObj(f) && Array.isArray(f.times) && allNumbers(f.times) && (f.lines === undefined || Array.isArray(f.lines));
const okBan = (b: unknown) => isObj(b) && isNum(b.start) && (b.until === null || isNum(b.until));

/** Like `migrate`, also saying which malformed entries were dropped (`dropped`: how many; each an input problem). */
export function migrateState(raw: unknown): { state: State; warnings: string[]; dropped: number } {
  if (!isObj(raw)) throw new StateFormatError('state is not a JSON object');
  let version = versionOf(raw);
  if (version > STATE_VERSION) {
    throw new StateFormatError(`state version ${version} was written by a newer f2b-scan (this one reads up to ${STATE_VERSION})`);
  }
  let cur: Obj = raw;
  while (version < STATE_VERSION) {
    cur = migrations[version]!(cur);
    version++;
    cur.version = version;
  }
  const dropped: string[] = [];
  const base = emptyState();
  const fleet = cur.fleet === undefined ? base.fleet : cur.fleet;
  if (!isObj(fleet) || !Array.isArray(fleet.outbox)) throw new StateFormatError('state section "fleet" is malformed');
  for (const name of ['journals', 'banHistory', 'started'] as const) {
    if (cur[name] !== undefined && !isObj(cur[name])) throw new StateFormatError(`state section "${name}" is not an object`);
  }
  if (cur.lastRun !== undefined && cur.lastRun !== null && !isNum(cur.lastRun)) throw new StateFormatError('state "lastRun" is not a number');
  const state: State = {
    ...(cur as unknown as State),
    version: STATE_VERSION,
    files: cleanNested('files', cur.files, okCursor, dropped),
    failures: cleanNested('failures', cur.failures, okFailure, dropped, true),
    bans: cleanNested('bans', cur.bans, okBan, dropped, true),
    journals: (cur.journals as State['journals']) ?? {},
    banHistory: (cur.banHistory as State['banHistory']) ?? {},
    started: (cur.started as State['started']) ?? {},
    fleet: fleet as unknown as State['fleet'],
    lastRun: (cur.lastRun as number | null | undefined) ?? null,
  };
  const warnings = dropped.length
    ? [`state: dropped ${dropped.length} malformed entr${dropped.length === 1 ? 'y' : 'ies'} (${dropped.slice(0, 3).join(', ')}${dropped.length > 3 ? ', ...' : ''})`]
    : [];
  return { state, warnings, dropped: dropped.length };
}

/** Bring any readable state (version 0 up to the current one) to the current shape; throws StateFormatError. */
export function migrate(raw: unknown): State {
  return migrateState(raw).state;
}
