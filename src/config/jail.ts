// Resolve one jail section of the layered jail configuration into a typed `Jail`.
// A bad value in an enabled jail stops the run (ConfigError at the place it was written);
// in a disabled jail it is only a warning and the fail2ban default is used, so a broken
// jail nobody runs never blocks the ones that do.

import type { BantimeIncrement, Jail, Place, Ref } from '../types.ts';
import { ConfigError, formatPlace } from '../util/errors.ts';
import { checkedDuration } from './duration.ts';
import { splitNameOptions, splitRefs } from './ini.ts';
import { DEFAULT, type IniStore } from './store.ts';
import {
  BACKENDS,
  USEDNS,
  backendName,
  readBool,
  readInt,
  readLogEncoding,
  readLogpath,
  readNumber,
  readNumberList,
  words,
  type Reading,
  type UseDns,
} from './values.ts';

/** fail2ban's own defaults, for keys no layer sets. */
const FALLBACK = { maxretry: 3, findtime: 600, bantime: 600 } as const;

/**
 * Keys the actions read as tags. An unresolvable reference in one of them is an error in
 * an enabled jail now, not at ban time. Other keys (DEFAULT's `action_blocklist_de` wants
 * an API key nobody set) only fail when something uses them, as in fail2ban.
 */
const ACTION_KEYS = ['destemail', 'sender', 'port', 'protocol', 'chain', 'blocktype', 'banaction', 'banaction_allports'];

/** Where the value in force for `key` was written (the jail's own section or DEFAULT). */
export function placeOfKey(store: IniStore, jail: string, key: string): Place {
  const e = store.entry(jail, key);
  if (!e) return { file: store.files[store.files.length - 1] ?? '<config>', section: jail, key };
  const section = e.section ?? (store.history(jail, key).length > 0 ? jail : DEFAULT);
  return { file: e.file, line: e.line || undefined, section, key };
}

/** Read `enabled` first: it decides whether problems are errors or warnings. Always throws when unreadable. */
export function isEnabled(store: IniStore, jail: string): boolean {
  const text = store.get(jail, 'enabled');
  if (text === undefined || text.trim() === '') return false;
  const r = readBool(text);
  if (!r.ok) throw new ConfigError(placeOfKey(store, jail, 'enabled'), r.why);
  return r.value;
}

class JailReader {
  constructor(
    private readonly store: IniStore,
    readonly name: string,
    readonly enabled: boolean,
    private readonly warnings: string[],
  ) {}

  /** A problem: thrown for an enabled jail, a warning for a disabled one. */
  problem(err: ConfigError): void {
    if (this.enabled) throw err;
    const p = err.place;
    if (p.section !== undefined && p.section !== this.name) {
      // A bad DEFAULT value shows in every disabled jail: one warning (deduplicated) says it.
      this.warnings.push(err.message.replace(/ \(for (jail )?\[[^\]]*\]\)$/, '') + ' (jails using it are disabled)');
    } else {
      this.warnings.push(err.message);
    }
  }

  /** Interpolated text of a key; undefined when unset or when its interpolation failed (disabled jail). */
  text(key: string): string | undefined {
    try {
      return this.store.get(this.name, key);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      this.problem(e);
      return undefined;
    }
  }

  /** Non-empty trimmed text, else undefined. */
  optional(key: string): string | undefined {
    const t = this.text(key)?.trim();
    return t ? t : undefined;
  }

  typed<T>(key: string, read: (text: string) => Reading<T>, fallback: T): T {
    const t = this.text(key);
    if (t === undefined || t.trim() === '') return fallback;
    const r = read(t);
    if (r.ok) return r.value;
    this.problem(new ConfigError(placeOfKey(this.store, this.name, key), r.why + this.forJail(key)));
    return fallback;
  }

  /**
   * A duration in seconds, bounded: finite, at most 100 years, negative only where it means
   * "without end" (bantime). Anything else is a ConfigError naming file, section and key.
   */
  duration(key: string, fallback: number, negativeMeansForever?: boolean): number;
  duration(key: string, fallback: undefined, negativeMeansForever?: boolean): number | undefined;
  duration(key: string, fallback: number | undefined, negativeMeansForever = false): number | undefined {
    const t = this.text(key);
    if (t === undefined || t.trim() === '') return fallback;
    const v = checkedDuration(t, negativeMeansForever);
    if (typeof v === 'number') return v;
    this.problem(new ConfigError(placeOfKey(this.store, this.name, key), v + this.forJail(key)));
    return fallback;
  }

  /** Names the jail when the bad value was inherited from DEFAULT. */
  forJail(key: string): string {
    const p = placeOfKey(this.store, this.name, key);
    return p.section === this.name ? '' : ` (for jail [${this.name}])`;
  }

  ref(key: string, text: string): Ref | undefined {
    const r = splitNameOptions(text);
    if (r) return r;
    this.problem(
      new ConfigError(
        placeOfKey(this.store, this.name, key),
        `cannot read ${JSON.stringify(text.length > 80 ? text.slice(0, 80) + '...' : text)} as name[key=value, ...]` +
          this.forJail(key),
      ),
    );
    return undefined;
  }
}

export function resolveJail(store: IniStore, name: string, enabled: boolean, warnings: string[]): Jail {
  const r = new JailReader(store, name, enabled, warnings);
  const warn = (key: string, message: string) => {
    if (enabled) warnings.push(`${formatPlace(placeOfKey(store, name, key))}: ${message}`);
  };

  let filter: Ref = { name: '', options: {} };
  const filterText = r.optional('filter');
  if (filterText === undefined) {
    warn('filter', 'no filter set, the jail finds no failures');
  } else {
    const refs = splitRefs(filterText);
    if (refs.length > 1) {
      const why = `one filter expected, found ${refs.length}: ${JSON.stringify(filterText)}`;
      r.problem(new ConfigError(placeOfKey(store, name, 'filter'), why));
    } else {
      filter = r.ref('filter', refs[0]!) ?? filter;
    }
  }

  const actions: Ref[] = [];
  for (const item of splitRefs(r.text('action') ?? '')) {
    const ref = r.ref('action', item);
    if (ref) actions.push(ref);
  }

  const backend = r.optional('backend') ?? 'auto';
  if (!(BACKENDS as readonly string[]).includes(backendName(backend))) {
    warn('backend', `backend ${JSON.stringify(backend)} is not supported, files are read by polling`);
  }
  let usedns: UseDns = 'warn';
  const dns = r.optional('usedns')?.toLowerCase();
  if (dns !== undefined) {
    if ((USEDNS as readonly string[]).includes(dns)) usedns = dns as UseDns;
    else warn('usedns', `usedns ${JSON.stringify(dns)} is not one of yes, warn, no, raw; using warn`);
  }

  const increment: BantimeIncrement = {
    enabled: r.typed('bantime.increment', readBool, false),
    factor: r.typed('bantime.factor', readNumber, 1),
    overalljails: r.typed('bantime.overalljails', readBool, false),
  };
  const formula = r.optional('bantime.formula');
  if (formula !== undefined) increment.formula = formula;
  const multipliers = r.typed('bantime.multipliers', readNumberList, []);
  if (multipliers.length > 0) increment.multipliers = multipliers;
  const maxtime = r.duration('bantime.maxtime', undefined);
  if (maxtime !== undefined) increment.maxtime = maxtime;
  const rndtime = r.duration('bantime.rndtime', undefined);
  if (rndtime !== undefined) increment.rndtime = rndtime;

  const jail: Jail = {
    name,
    enabled,
    filter,
    logpath: readLogpath(r.text('logpath') ?? ''),
    logpathPlace: placeOfKey(store, name, 'logpath'),
    backend,
    logencoding: r.typed('logencoding', readLogEncoding, 'auto'),
    maxretry: r.typed('maxretry', readInt, FALLBACK.maxretry),
    findtime: r.duration('findtime', FALLBACK.findtime),
    bantime: r.duration('bantime', FALLBACK.bantime, true),
    increment,
    ignoreip: words(r.text('ignoreip') ?? ''),
    ignoreself: r.typed('ignoreself', readBool, true),
    usedns,
    actions,
    options: {},
    source: jailSource(store, name),
  };
  const optionalText: (keyof Jail & string)[] = ['logtimezone', 'datepattern', 'journalmatch', 'ignorecommand'];
  for (const key of optionalText) {
    const v = r.optional(key);
    if (v !== undefined) (jail as unknown as Record<string, unknown>)[key] = v;
  }
  const counting = r.optional('counting')?.toLowerCase();
  if (counting !== undefined) {
    if (counting === 'fail2ban' || counting === 'strict') jail.counting = counting;
    else r.problem(new ConfigError(placeOfKey(store, name, 'counting'), `counting ${JSON.stringify(counting)} is not fail2ban or strict${r.forJail('counting')}`));
  }
  const maxmatches = r.typed<number | undefined>('maxmatches', readInt, undefined);
  if (maxmatches !== undefined) jail.maxmatches = maxmatches;
  const maxlines = r.typed<number | undefined>('maxlines', readInt, undefined);
  if (maxlines !== undefined) jail.maxlines = maxlines;
  for (const key of ACTION_KEYS) r.text(key);
  // Interpolating every key of ~100 jails costs more than the rest of the load: do it
  // on first use (enumerable, so JSON and Object.keys see it like a plain field).
  Object.defineProperty(jail, 'options', {
    enumerable: true,
    configurable: true,
    get() {
      const value = jailOptions(store, name);
      Object.defineProperty(jail, 'options', { value, enumerable: true, writable: true, configurable: true });
      return value;
    },
    set(value: Record<string, string>) {
      Object.defineProperty(jail, 'options', { value, enumerable: true, writable: true, configurable: true });
    },
  });
  return jail;
}

/** Every key visible from the jail, interpolated; keys whose references do not resolve are left out. */
function jailOptions(store: IniStore, name: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const key of store.keys(name)) {
    try {
      const v = store.get(name, key);
      if (v !== undefined) out[key] = v;
    } catch (e) {
      // Keys a jail uses were checked above (error or warning); others fail when used.
      if (!(e instanceof ConfigError)) throw e;
    }
  }
  return { ...out };
}

/** The file and line of the jail's section header. */
function jailSource(store: IniStore, name: string): Place {
  const at = store.sectionPlace(name);
  return at ? { file: at.file, line: at.line, section: name } : { file: '<config>', section: name };
}
