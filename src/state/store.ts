// The state store: lowdb holding the State, with our atomic adapter, migrations on load, and recovery
// from a file we cannot read (moved aside, fresh state, the caller told so it can start files at their end).

import { Low } from 'lowdb';
import { rename } from 'node:fs/promises';
import { emptyState, type State } from './schema.ts';
import { AtomicJsonFile } from './adapter.ts';
import { parseIndexed, statePieces } from './state-text.ts';
import { migrateState, StateFormatError } from './migrate.ts';
import { withEnvironment } from '../util/errors.ts';
import { checkStatePath } from './state-path.ts';
import { whyNotBannableKey } from '../net/host.ts';

export { acquireLock } from './lock.ts';
export { migrate, StateFormatError } from './migrate.ts';

function stamp(d: Date): string {
  return d.toISOString().replace(/[:.]/g, '-');
}

/**
 * Load the state. Missing file: empty state. A corrupt, truncated or newer-version file is moved aside to
 * `<path>.corrupt-<time>` with a warning (left in place by a command that only reads), and a fresh state
 * comes back with `recovered: true`. A path that is no regular file is a one-line UsageError (exit 2).
 * Other I/O errors are thrown (permission denied, read-only, full disk as one-line EnvironmentErrors): guessing
 * there could lose every ban.
 */
export interface LoadOptions {
  /** The run's clock (times more than 100 years ahead of it are capped); default the real clock. */
  now?: number;
  /** A command that only reads (status, a dry run): a corrupt file is reported and left where it is. */
  readOnly?: boolean;
}

export interface LoadedState {
  state: State;
  warnings: string[];
  /** The file was unreadable and moved aside: a fresh state. */
  recovered: boolean;
  /** Entries dropped or times capped (each an input problem). */
  dropped: number;
  /**
   * What was read, to tell at the end whether the run changed anything (see stateChanged):
   * an idle run over a large state then writes nothing.
   */
  baseline: string | null;
  /**
   * What a table's check found when a run first asked for its rows (after the load): the run
   * adds these to its warnings and input problems before it reports.
   */
  late: { warnings: string[]; dropped: number };
}

export async function loadState(path: string, opts: LoadOptions = {}): Promise<LoadedState> {
  let warnings: string[] = [];
  let dropped = 0;
  const late: LoadedState['late'] = { warnings: [], dropped: 0 };
  await checkStatePath(path);
  let rewrite = false;
  const emptyStateRef = emptyState();
  const db = new Low<State>(new AtomicJsonFile<State>(path, (text) => {
    const migrateOpts = {
      now: opts.now,
      keyCheck: whyNotBannableKey,
      lateWarnings: (w: string[], n: number) => {
        late.warnings.push(...w);
        late.dropped += n;
      },
    };
    const whole = () => {
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch (e) {
        throw new StateFormatError(text.trim() === '' ? 'state file is empty' : `state file is not valid JSON (${(e as Error).message})`);
      }
      return migrateState(raw, migrateOpts);
    };
    // The tables' columns cut out by the file's index (state-text.ts); a file that cannot be
    // read so is read as a whole, which says what is wrong with it as it always did.
    const indexed = parseIndexed(text);
    let m: ReturnType<typeof migrateState>;
    try {
      m = indexed === null ? whole() : migrateState(indexed, migrateOpts);
    } catch (e) {
      if (indexed === null || !(e instanceof StateFormatError)) throw e;
      m = whole();
    }
    warnings = m.warnings;
    dropped = m.dropped;
    rewrite = m.rewrite;
    return m.state;
  }, statePieces), emptyStateRef);
  try {
    await withEnvironment('state', path, () => db.read());
    const missing = db.data === emptyStateRef;
    return { state: db.data, warnings, recovered: false, dropped, baseline: rewrite || missing ? null : baselineOf(db.data), late };
  } catch (e) {
    if (!(e instanceof StateFormatError)) throw e;
    if (opts.readOnly) {
      return {
        state: emptyState(),
        warnings: [`${path}: ${e.message}; left in place (this command only reads; the next run moves it aside), shown as an empty state`],
        recovered: true,
        dropped: 0,
        baseline: null,
        late,
      };
    }
    const aside = `${path}.corrupt-${stamp(new Date())}`;
    await withEnvironment('state', path, () => rename(path, aside));
    return {
      state: emptyState(),
      warnings: [`${path}: ${e.message}; moved aside to ${aside}, starting from a fresh state (files are read from their end)`],
      recovered: true,
      dropped: 0,
      baseline: null,
      late,
    };
  }
}

/** Save the state atomically (temp file, fsync, rename, fsync of the directory), mode 0600. */
export async function saveState(path: string, state: State): Promise<void> {
  const db = new Low<State>(new AtomicJsonFile<State>(path, () => state, statePieces), state);
  // A failed write (full disk, read-only) removes its temp file and leaves the old state in place.
  await withEnvironment('state', path, () => db.write());
}

/** The small sections of the state (everything but the per-address tables and lastRun), as text. */
function baselineOf(state: State): string {
  const { jails: _j, history: _h, lastRun: _l, version: _v, ...rest } = state;
  return JSON.stringify(rest);
}

/**
 * Whether a run changed its state since it was loaded: a table written to, or a small section
 * (cursors, started actions, fleet, notices, totals) different. `lastRun` alone is no change.
 */
export function stateChanged(loaded: Pick<LoadedState, 'baseline'>, state: State): boolean {
  if (loaded.baseline === null) return true;
  if (state.history.changed) return true;
  for (const t of state.jails.values()) if (t.bans.changed || t.tickets.changed) return true;
  return baselineOf(state) !== loaded.baseline;
}
