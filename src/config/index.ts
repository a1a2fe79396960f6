// Load a fail2ban configuration: the jail layers in fail2ban's order, our main file
// (f2b-scan.conf/.local), and every jail section resolved into a typed `Jail`.
// Synchronous and small: it runs at the start of every cron run.

import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Jail } from '../types.ts';
import { ConfigError, formatPlace } from '../util/errors.ts';
import { isEnabled, resolveJail } from './jail.ts';
import { DEFAULT, IniStore } from './store.ts';
import { readDbPurgeAge, type ServerSetting } from './server-settings.ts';

export { parseDuration, tryParseDuration } from './duration.ts';
export { IniStore, DEFAULT } from './store.ts';
export { parseIni, splitList, splitNameOptions, splitRefs } from './ini.ts';
export { placeOfKey } from './jail.ts';

export interface LoadedConfig {
  /** Every jail section, enabled or not, in file order (with `onlyEnabled`: those it resolved). */
  jails: Jail[];
  /** A jail section by name, resolved now if the load left it out; `warn` hears its problems. */
  jailNamed(name: string, warn?: (message: string) => void): Jail | undefined;
  /** The layered jail configuration (for `f2b-scan get`, action tag values). */
  store: IniStore;
  /** f2b-scan.conf then f2b-scan.local, from builtinDir then configDir; may be empty. */
  main: IniStore;
  configDir: string;
  builtinDir: string;
  /** [configDir/filter.d, builtinDir/filter.d]: first match wins. */
  filterDirs: string[];
  actionDirs: string[];
  /** One line each, naming file, section, key. */
  warnings: string[];
  /**
   * Enabled jails left out for a bad value in their own section (one line each, naming file,
   * section and key): the other jails run, the run exits 2. Not in `jails`.
   */
  jailErrors: string[];
  /** The same jails by name, with the error that left each out (a command naming one says why). */
  skipped: ReadonlyMap<string, ConfigError>;
  /** fail2ban's dbpurgeage (server-settings.ts): how long a ban count outlives the last ban. */
  dbpurgeage: ServerSetting;
}

/** The fail2ban version whose configuration format we read (stock jail.conf uses it in an agent string). */
const FAIL2BAN_VERSION = '1.0.2';

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** `dir/*<ext>` in alphabetical order (code-point order, as Python's sorted()). */
function listSorted(dir: string, ext: string): string[] {
  if (!isDir(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(ext) && isFile(join(dir, f)))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((f) => join(dir, f));
}

/**
 * The jail layers in fail2ban's order: jail.conf (the user's, else ours), jail.d/*.conf,
 * jail.local, jail.d/*.local. Only the base file must exist.
 */
export function jailLayers(configDir: string, builtinDir: string): string[] {
  const own = join(configDir, 'jail.conf');
  const base = isFile(own) ? own : join(builtinDir, 'jail.conf');
  if (!isFile(base)) {
    throw new ConfigError({ file: own }, `no jail.conf here nor in the shipped rules (${builtinDir})`);
  }
  const local = join(configDir, 'jail.local');
  return [
    base,
    ...listSorted(join(configDir, 'jail.d'), '.conf'),
    ...(isFile(local) ? [local] : []),
    ...listSorted(join(configDir, 'jail.d'), '.local'),
  ];
}

const escapePercent = (s: string) => s.replace(/%/g, '%%');

/**
 * f2b-scan's own settings ([Definition], [fleet]): f2b-scan.conf then f2b-scan.local, from the
 * shipped rules then the configuration directory. Read alone too, by a run whose jail
 * configuration failed to load and that still writes its metrics file.
 */
export function loadMainFile(opts: { configDir: string; builtinDir: string }): IniStore {
  const main = new IniStore();
  const seen = new Set<string>();
  for (const dir of [resolve(opts.builtinDir), resolve(opts.configDir)]) {
    for (const name of ['f2b-scan.conf', 'f2b-scan.local']) {
      const file = join(dir, name);
      if (seen.has(file)) continue;
      seen.add(file);
      main.addFile(file, true);
    }
  }
  return main;
}

/** The one line for a jail left out for a bad value in its own section. */
export function skippedLine(jail: string, e: ConfigError): string {
  return `${e.message} (jail [${jail}] skipped)`;
}

export interface LoadOptions {
  configDir: string;
  builtinDir: string;
  /**
   * Resolve only the enabled jails and these named ones (a cron run: resolving the 90-odd
   * disabled jails of the stock jail.conf was a good part of an idle run). The others are
   * resolved when asked for by name (`jailNamed`), their problems then said as warnings.
   */
  onlyEnabled?: { named?: string[] };
}

export function loadConfig(opts: LoadOptions): LoadedConfig {
  const configDir = resolve(opts.configDir);
  const builtinDir = resolve(opts.builtinDir);
  const warnings: string[] = [];
  const haveConfig = isDir(configDir);
  if (!haveConfig) {
    warnings.push(`${configDir}: configuration directory not found; using the shipped rules (${builtinDir}) alone`);
  }

  const store = new IniStore();
  // Values fail2ban itself provides to its configuration.
  store.set(DEFAULT, 'fail2ban_version', FAIL2BAN_VERSION, '<f2b-scan>');
  store.set(DEFAULT, 'fail2ban_confpath', escapePercent(haveConfig ? configDir : builtinDir), '<f2b-scan>');
  for (const file of jailLayers(configDir, builtinDir)) store.addFile(file);

  const main = loadMainFile({ configDir, builtinDir });

  const names = store.sections();
  const enabled = new Map(names.map((n) => [n, isEnabled(store, n)]));

  // A line we cannot read is an error where it matters (an enabled jail, DEFAULT,
  // [INCLUDES], before any section) and a warning elsewhere.
  for (const p of [...store.problems, ...main.problems]) {
    const place = { file: p.file, line: p.line, section: p.section };
    const fatal = p.section === undefined || p.section === DEFAULT || p.section === 'INCLUDES' || enabled.get(p.section);
    if (fatal && store.problems.includes(p)) throw new ConfigError(place, p.message);
    warnings.push(`${formatPlace(place)}: ${p.message} (line ignored)`);
  }

  // A bad value in an enabled jail's own section skips that jail alone (as fail2ban skips a jail
  // it cannot start); one in [DEFAULT] or elsewhere that every jail reads still stops the run.
  const skipped = new Map<string, ConfigError>();
  const jails: Jail[] = [];
  const resolveInto = (n: string, out: string[]): Jail | undefined => {
    try {
      return resolveJail(store, n, enabled.get(n)!, out);
    } catch (e) {
      if (!(e instanceof ConfigError) || e.place.section !== n) throw e;
      skipped.set(n, e);
      return undefined;
    }
  };
  const named = new Set(opts.onlyEnabled?.named ?? []);
  const later = new Set<string>();
  for (const n of names) {
    if (opts.onlyEnabled && !enabled.get(n) && !named.has(n)) later.add(n);
    else {
      const j = resolveInto(n, warnings);
      if (j) jails.push(j);
    }
  }
  const jailNamed = (name: string, warn?: (message: string) => void): Jail | undefined => {
    const known = jails.find((j) => j.name === name);
    if (known || !later.has(name)) return known;
    later.delete(name);
    const told: string[] = [];
    const j = resolveInto(name, told);
    if (j) jails.push(j);
    for (const w of new Set(told)) warn?.(w);
    return j;
  };

  const dirs = (sub: string) => [...new Set([join(configDir, sub), join(builtinDir, sub)])];
  return {
    jails,
    jailNamed,
    store,
    main,
    configDir,
    builtinDir,
    filterDirs: dirs('filter.d'),
    actionDirs: dirs('action.d'),
    warnings: [...new Set(warnings)],
    jailErrors: [...skipped].map(([n, e]) => skippedLine(n, e)),
    skipped,
    dbpurgeage: readDbPurgeAge(main, configDir),
  };
}
