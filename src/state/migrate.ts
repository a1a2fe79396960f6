// State versions and migrations. A state file is read by turning it, version by version, into the
// current raw shape; then each section is checked and the per-address tables are built (lazily:
// see table.ts). Anything we cannot make sense of as a whole is an error (the store moves the
// file aside); a single bad entry is dropped with a counted warning (times: see times.ts).

import { isKeyValue, keyText, parseKey, type AddrKey } from '../net/key.ts';
import { BAN_CODEC, HISTORY_CODEC, TICKET_CODEC, banCheck, historyCheck, ticketCheck, type CheckSink } from './codecs.ts';
import { emptyHistory, emptyJailTables, JailTablesMap, STATE_VERSION, type FileCursor, type OutboxEntry, type State } from './schema.ts';
import { ColumnsError, Table, type Codec, type Columns, type TableCheck } from './table.ts';
import { hashOf, summaryShape, trustedSummary, type StoredTable, type TableSummary } from './table-text.ts';
import { ColsText } from './state-text.ts';
import { judgeTime, LoadProblems, MAX_AHEAD, sanitizeCount } from './times.ts';

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
const ORIGINS = ['log', 'manual', 'fleet', 'import'];

/** Says why an address key may not stay in the state (an address that may never be banned), or null. */
export type KeyCheck = (key: AddrKey) => string | null;

/**
 * migrations[n] turns version n into version n + 1.
 * Version 0 is any state without a `version` (written by hand or before versioning): the same sections as
 * version 1, any of them possibly missing, and file cursors that may lack `size` / `mtimeMs`.
 */
const migrations: ((raw: Obj, problems: LoadProblems) => Obj)[] = [
  (raw) => {
    const out: Obj = { files: {}, journals: {}, failures: {}, bans: {}, banHistory: {}, started: {}, fleet: { cursor: null, outbox: [] }, lastRun: null, ...raw, version: 1 };
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
  // 1 -> 2: an object per address becomes columns per jail (bans, failure tickets) and for the history.
  (raw, problems) => {
    const { failures, bans, banHistory, ...rest } = raw;
    const jails: Record<string, { bans?: Columns; tickets?: Columns }> = Object.create(null);
    const forJail = (j: string) => (jails[j] ??= {});
    const addressKey = (section: string, jail: string, ip: string): AddrKey | null => {
      const k = parseKey(ip);
      if (k === null) problems.drop(`${section}.${jail}.${ip}`, 'not an address');
      return k;
    };
    for (const [jail, byIp] of objEntries(failures, 'failures')) {
      const cols: Columns = { key: [], first: [], last: [], retry: [], attempts: [], x: {} };
      for (const [ip, f] of Object.entries(byIp)) {
        const key = addressKey('failures', jail, ip);
        if (key === null) continue;
        const times = isObj(f) && Array.isArray(f.times) ? f.times.filter(isNum).sort((a, b) => a - b) : [];
        if (times.length === 0) {
          problems.drop(`failures.${jail}.${ip}`, 'no failure times');
          continue;
        }
        const row = cols.key.length;
        cols.key.push(key);
        (cols.first as number[]).push(times[0]!);
        (cols.last as number[]).push(times.at(-1)!);
        (cols.retry as number[]).push(times.length);
        (cols.attempts as number[]).push(times.length);
        // The times stay: a jail with strict counting (the only kind before version 2) keeps its window exact.
        const x: Obj = { times };
        if (isObj(f) && Array.isArray(f.lines) && f.lines.length > 0) x.lines = f.lines;
        if (isObj(f) && typeof f.user === 'string') x.user = f.user;
        cols.x![row] = x;
      }
      if (cols.key.length > 0) forJail(jail).tickets = cols;
    }
    for (const [jail, byIp] of objEntries(bans, 'bans')) {
      const cols: Columns = { key: [], start: [], until: [], failures: [], count: [], origin: [], x: {} };
      for (const [ip, b] of Object.entries(byIp)) {
        const key = addressKey('bans', jail, ip);
        if (key === null) continue;
        if (!isObj(b)) {
          problems.drop(`bans.${jail}.${ip}`, 'not a ban');
          continue;
        }
        const row = cols.key.length;
        cols.key.push(key);
        (cols.start as unknown[]).push(b.start);
        (cols.until as unknown[]).push(b.until === undefined ? 'missing' : b.until);
        (cols.failures as unknown[]).push(b.failures);
        (cols.count as unknown[]).push(b.count);
        (cols.origin as number[]).push(Math.max(0, ORIGINS.indexOf(b.origin as string)));
        const x: Obj = {};
        for (const f in b) if (!['start', 'until', 'failures', 'count', 'origin'].includes(f) && b[f] !== undefined) x[f] = b[f];
        if (Object.keys(x).length > 0) cols.x![row] = x;
      }
      if (cols.key.length > 0) forJail(jail).bans = cols;
    }
    const history: Columns = { key: [], count: [], last: [], bantime: [], jails: [] };
    if (banHistory !== undefined && !isObj(banHistory)) throw new StateFormatError('state section "banHistory" is not an object');
    for (const [ip, h] of Object.entries(banHistory ?? {})) {
      const key = parseKey(ip);
      if (key === null || !isObj(h)) {
        problems.drop(`banHistory.${ip}`, key === null ? 'not an address' : 'not a history');
        continue;
      }
      history.key.push(key);
      (history.count as unknown[]).push(h.count);
      (history.last as unknown[]).push(h.last);
      (history.bantime as unknown[]).push(h.bantime ?? null);
      (history.jails as unknown[]).push(h.jails);
    }
    return { ...rest, jails, history };
  },
  // 2 -> 3: each table's columns are kept as one JSON text beside a hashed summary (table-text.ts).
  // loadTables reads a table given as columns (what version 2 held) in full, and the next save
  // writes it in the new form: nothing to change here.
  (raw) => raw,
];

function objEntries(v: unknown, section: string): [string, Obj][] {
  if (v === undefined) return [];
  if (!isObj(v)) throw new StateFormatError(`state section "${section}" is not an object`);
  return Object.entries(v).filter((e): e is [string, Obj] => isObj(e[1]));
}

function versionOf(raw: Obj): number {
  if (raw.version === undefined) return 0;
  if (!Number.isInteger(raw.version) || (raw.version as number) < 0) {
    throw new StateFormatError(`state has an invalid version ${JSON.stringify(raw.version)}`);
  }
  return raw.version as number;
}

const okCursor = (c: unknown): c is FileCursor => isObj(c) && isNum(c.dev) && isNum(c.ino) && isNum(c.offset) && c.offset >= 0;

function loadFiles(v: unknown, problems: LoadProblems): State['files'] {
  const out: State['files'] = {};
  if (v === undefined) return out;
  if (!isObj(v)) throw new StateFormatError('state section "files" is not an object');
  for (const [jail, cursors] of Object.entries(v)) {
    if (!isObj(cursors)) {
      problems.drop(`files.${jail}`, 'not an object');
      continue;
    }
    const kept: Record<string, FileCursor> = {};
    for (const [path, c] of Object.entries(cursors)) {
      if (!okCursor(c)) {
        problems.drop(`files.${jail}.${path}`, 'not a file cursor');
        continue;
      }
      // An unusable size or mtime only means "changed": the next run opens the file and checks it.
      // Dropping the cursor instead would read the whole log again.
      for (const f of ['size', 'mtimeMs'] as const) {
        if (isNum(c[f])) continue;
        problems.drop(`files.${jail}.${path}`, `${f} ${String(c[f])}`);
        c[f] = -1;
      }
      put(kept, path, c);
    }
    put(out, jail, kept);
  }
  return out;
}

function loadOutbox(v: unknown, now: number, problems: LoadProblems): OutboxEntry[] {
  const out: OutboxEntry[] = [];
  for (const e of v as unknown[]) {
    if (!isObj(e) || (e.op !== 'ban' && e.op !== 'unban') || typeof e.jail !== 'string' || typeof e.ip !== 'string') {
      problems.drop('fleet.outbox', 'not an outbox entry');
      continue;
    }
    if (judgeTime(e.start, now) === 'bad' || judgeTime(e.queuedAt, now) === 'bad' || (e.until !== null && judgeTime(e.until, now) === 'bad')) {
      problems.drop(`fleet.outbox.${e.ip}`, 'unusable time');
      continue;
    }
    const entry = e as unknown as OutboxEntry;
    if (entry.start > now + MAX_AHEAD) {
      entry.start = now;
      problems.cap(`fleet.outbox.${e.ip}`, 'start');
    }
    if (entry.queuedAt > now + MAX_AHEAD) {
      entry.queuedAt = now;
      problems.cap(`fleet.outbox.${e.ip}`, 'queuedAt');
    }
    if (entry.until !== null && entry.until > now + MAX_AHEAD) {
      entry.until = now + MAX_AHEAD;
      problems.cap(`fleet.outbox.${e.ip}`, 'until');
    }
    entry.failures = sanitizeCount(entry.failures, 0);
    out.push(entry);
  }
  return out;
}

function loadTables(raw: Obj, now: number, problems: LoadProblems, keyCheck: KeyCheck, late: (warnings: string[], count: number) => void): { jails: JailTablesMap; history: State['history'] } {
  const jails = new JailTablesMap();
  /** The columns read and checked in full, their problems told to `into`. */
  const full = <R>(codec: Codec<R>, cols: unknown, where: string, check: (s: CheckSink) => TableCheck, into: LoadProblems): Table<R> => {
    let fixed = false;
    const sink: CheckSink = {
      cap: (at, field) => {
        into.cap(at, field);
        fixed = true;
      },
      drop: (at, why) => {
        into.drop(at, why);
        fixed = true;
      },
      repaired: () => {
        fixed = true;
      },
    };
    try {
      const t = Table.load(codec, cols, check(sink), (key, why) => into.drop(`${where}.${isKeyValue(key) ? keyText(key) : String(key)}`, why));
      if (fixed) t.markRepaired();
      return t;
    } catch (e) {
      if (e instanceof ColumnsError) throw new StateFormatError(`state table ${where} ${e.message}`);
      throw e;
    }
  };
  /**
   * A table whose rows wait until a run asks for them: their check still runs then (a clock
   * set back can make a time "ahead"); what it finds is told late.
   */
  const deferred = <R>(codec: Codec<R>, stored: StoredTable, summary: TableSummary, where: string, check: (s: CheckSink) => TableCheck, trust: (() => boolean) | null): Table<R> =>
    Table.deferred(codec, stored, summary, () => {
      const mine = new LoadProblems();
      let t: Table<R>;
      try {
        t = full(codec, JSON.parse(stored.cols), where, check, mine);
      } catch (e) {
        if (!(e instanceof StateFormatError || e instanceof SyntaxError)) throw e;
        // A text no hash vouched for that is no table (edited by hand), or one we wrote wrong: its rows are lost, the run goes on.
        late([`state: table ${where} could not be read (${(e as Error).message}); its rows were dropped`], 1);
        t = new Table(codec);
        t.markRepaired();
        return t;
      }
      if (mine.count > 0) {
        late(mine.warnings(), mine.count);
        t.markRepaired();
      }
      return t;
    }, trust);
  /** A table's text parsed and checked now, as a version 2 table, and written back with a summary made from its rows. */
  const checkedNow = <R>(codec: Codec<R>, text: string, where: string, check: (s: CheckSink) => TableCheck): Table<R> => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new StateFormatError(`state table ${where} is not valid JSON (${(e as Error).message})`);
    }
    const t = full(codec, parsed, where, check, problems);
    t.markRepaired();
    return t;
  };
  const table = <R>(codec: Codec<R>, v: unknown, where: string, check: (s: CheckSink) => TableCheck): Table<R> => {
    // Version 3 holds {summary, cols, hash}: cols a slice of the file's text (state-text.ts), or
    // as an older writer kept it, one string. A table given as columns (version 2, a file read
    // as a whole, or written by hand) is read as such.
    const cols = isObj(v) && Object.hasOwn(v, 'cols') ? v.cols : v;
    if (cols instanceof ColsText) {
      // Its hash is checked only when its summary would answer before its rows are read: a
      // table whose rows a run needs is parsed and checked in full anyway.
      const summary = summaryShape(v, codec.early);
      if (summary === null) return checkedNow(codec, cols.text, where, check);
      const stored = { ...(v as object), cols: cols.text } as StoredTable;
      return deferred(codec, stored, summary, where, check, () => hashOf(summary, cols.text) === stored.hash);
    }
    if (typeof cols !== 'string') return full(codec, cols, where, check, problems);
    const summary = trustedSummary(v, codec.early);
    // Written by us and unchanged since: the rows wait until a run asks for them.
    if (summary !== null) return deferred(codec, v as StoredTable, summary, where, check, null);
    // Edited by hand, cut short or not ours: read and checked now.
    return checkedNow(codec, cols, where, check);
  };
  const rawJails = raw.jails ?? {};
  if (!isObj(rawJails)) throw new StateFormatError('state section "jails" is not an object');
  for (const [name, t] of Object.entries(rawJails)) {
    if (!isObj(t)) {
      problems.drop(`jails.${name}`, 'not an object');
      continue;
    }
    const tables = emptyJailTables();
    if (t.bans !== undefined) tables.bans = table(BAN_CODEC, t.bans, `bans.${name}`, (s) => banCheck(now, `bans.${name}`, s, keyCheck));
    if (t.tickets !== undefined) tables.tickets = table(TICKET_CODEC, t.tickets, `tickets.${name}`, (s) => ticketCheck(now, `tickets.${name}`, s, keyCheck));
    jails.set(name, tables);
  }
  const history = raw.history === undefined ? emptyHistory() : table(HISTORY_CODEC, raw.history, 'history', (s) => historyCheck(now, 'history', s, keyCheck));
  return { jails, history };
}

export interface MigrateOptions {
  /** The run's clock: times further ahead than 100 years from it are capped. Default: the real clock. */
  now?: number;
  /** Keys that may not stay (addresses that may never be banned). Default: every well-formed key stays. */
  keyCheck?: KeyCheck;
  /**
   * Told the warnings of a table whose rows were checked after the load, when first asked for
   * (a table the file's hash vouched for), and how many entries were dropped or capped. Default:
   * they are dropped.
   */
  lateWarnings?: (warnings: string[], count: number) => void;
}

/**
 * Any readable state (version 0 up to the current one) in the current shape, with a warning
 * for the malformed entries dropped and the times capped (`dropped`: how many in all; each an
 * input problem). Throws StateFormatError for a file that cannot be read as a state at all.
 */
export function migrateState(raw: unknown, opts: MigrateOptions = {}): { state: State; warnings: string[]; dropped: number; rewrite: boolean } {
  const now = opts.now ?? Date.now() / 1000;
  const keyCheck = opts.keyCheck ?? (() => null);
  if (!isObj(raw)) throw new StateFormatError('state is not a JSON object');
  let version = versionOf(raw);
  if (version > STATE_VERSION) {
    throw new StateFormatError(`state version ${version} was written by a newer f2b-scan (this one reads up to ${STATE_VERSION})`);
  }
  const problems = new LoadProblems();
  const older = version < STATE_VERSION;
  let cur: Obj = raw;
  while (version < STATE_VERSION) {
    cur = migrations[version]!(cur, problems);
    version++;
    cur.version = version;
  }
  const fleet = cur.fleet ?? { cursor: null, outbox: [] };
  if (!isObj(fleet) || !Array.isArray(fleet.outbox)) throw new StateFormatError('state section "fleet" is malformed');
  for (const name of ['journals', 'started'] as const) {
    if (cur[name] !== undefined && !isObj(cur[name])) throw new StateFormatError(`state section "${name}" is not an object`);
  }
  let lastRun: number | null = null;
  if (cur.lastRun !== undefined && cur.lastRun !== null) {
    if (judgeTime(cur.lastRun, now) === 'ok') lastRun = cur.lastRun as number;
    else problems.drop('lastRun', String(cur.lastRun));
  }
  const { jails, history } = loadTables(cur, now, problems, keyCheck, opts.lateWarnings ?? (() => {}));
  const state: State = {
    version: STATE_VERSION,
    files: loadFiles(cur.files, problems),
    journals: (cur.journals as State['journals']) ?? {},
    jails,
    history,
    started: (cur.started as State['started']) ?? {},
    // The fleet's part is the fleet's (src/fleet/): passed through, only its outbox times checked here.
    fleet: { ...(fleet as object), cursor: typeof fleet.cursor === 'string' ? fleet.cursor : null, outbox: loadOutbox(fleet.outbox, now, problems) },
    lastRun,
  };
  if (isObj(cur.reconciled)) {
    // A token that does not look right only costs the next run a full reconcile.
    const rec: NonNullable<State['reconciled']> = {};
    for (const [jail, byKey] of Object.entries(cur.reconciled)) {
      if (!isObj(byKey)) continue;
      const kept: Record<string, { count: number; fp: string }> = {};
      for (const [k, t] of Object.entries(byKey)) if (isObj(t) && isNum(t.count) && typeof t.fp === 'string') put(kept, k, { count: t.count, fp: t.fp });
      put(rec, jail, kept);
    }
    state.reconciled = rec;
  }
  if (isObj(cur.notices)) {
    const notices: Record<string, number> = {};
    for (const [text, at] of Object.entries(cur.notices)) {
      if (judgeTime(at, now) === 'ok') put(notices, text, at as number);
      else problems.drop('notices', String(at));
    }
    state.notices = notices;
  }
  if (isObj(cur.totals)) {
    const totals: NonNullable<State['totals']> = {};
    for (const [jail, t] of Object.entries(cur.totals)) {
      if (!isObj(t)) continue;
      // Every counter kept (failed, banned, and those added since: unbanned, lines, ...), each a count.
      const kept: Record<string, number> = { failed: 0, banned: 0 };
      for (const [k, v] of Object.entries(t)) kept[k] = sanitizeCount(v, 0);
      put(totals, jail, kept as unknown as NonNullable<State['totals']>[string]);
    }
    state.totals = totals;
  }
  // An older version or a repaired file is written back even by a run that changes nothing.
  return { state, warnings: problems.warnings(), dropped: problems.count, rewrite: older || problems.count > 0 };
}

/** Bring any readable state (version 0 up to the current one) to the current shape; throws StateFormatError. */
export function migrate(raw: unknown, opts: MigrateOptions = {}): State {
  return migrateState(raw, opts).state;
}

// Records keyed by names from a file: a jail called `constructor` or `__proto__` must get its own
// entry, never reach what Object.prototype holds under that name.
function put<T>(r: Record<string, T>, k: string, v: T): void {
  Object.defineProperty(r, k, { value: v, enumerable: true, writable: true, configurable: true });
}
