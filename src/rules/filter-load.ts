// Reads a fail2ban filter file the way fail2ban does: name.conf then name.local beside
// it, [INCLUDES] before/after, %(x)s interpolation, then <tag> substitution with the
// values of [Definition] (and DEFAULT), overridden by [Init] and by the options the
// jail passes (`sshd[mode=aggressive]`). Tags may nest (`<mdre-<mode>>`) and name
// another section (`<lt_file/__prefix_line>`).

import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { IniStore } from '../config/store.ts';
import type { Place, Ref } from '../types.ts';
import { ConfigError, RuleError } from '../util/errors.ts';

export interface RawFilter {
  name: string;
  file: string;
  files: string[];
  /** Substituted values (no tags left but fail2ban's regex tags). */
  prefregex?: RawRegex;
  failregex: RawRegex[];
  ignoreregex: RawRegex[];
  maxlines?: string;
  datepattern?: string;
  journalmatch?: string;
  options: Record<string, string>;
  /** Options the jail passed that the filter never mentions. */
  unknownOptions: string[];
}

export interface RawRegex {
  text: string;
  place: Place;
}

const MAX_TAG_ROUNDS = 50;
const STANDARD_KEYS = ['prefregex', 'failregex', 'ignoreregex', 'maxlines', 'datepattern', 'journalmatch', 'logtype'];

/** Find the filter file for a reference: a path, or name.conf / name.local in the dirs. */
export function findFilterFile(name: string, searchDirs: string[]): string | null {
  if (name.includes('/') || name.endsWith('.conf') || name.endsWith('.local')) {
    const p = resolve(name);
    if (existsSync(p) && statSync(p).isFile()) return p;
    if (!name.includes('/')) {
      for (const d of searchDirs) if (existsSync(join(d, name))) return resolve(d, name);
    }
    return null;
  }
  for (const d of searchDirs) {
    const conf = join(d, `${name}.conf`);
    if (existsSync(conf)) return resolve(conf);
    const local = join(d, `${name}.local`);
    if (existsSync(local)) return resolve(local);
  }
  return null;
}

export function readFilter(ref: Ref, searchDirs: string[]): RawFilter {
  const file = findFilterFile(ref.name, searchDirs);
  if (!file) {
    const where = searchDirs.length ? ` (looked in ${searchDirs.join(', ')})` : '';
    throw new RuleError({ file: ref.name }, `unknown filter${where}`);
  }
  const name = basename(file).replace(/\.(conf|local)$/, '');
  const store = new IniStore();
  try {
    store.addFile(file);
    if (file.endsWith('.conf')) store.addFile(file.slice(0, -5) + '.local', true);
  } catch (e) {
    if (e instanceof ConfigError) throw new RuleError(e.place, e.message.slice(e.message.indexOf(': ') + 2));
    throw e;
  }
  const problem = store.problems[0];
  if (problem) throw new RuleError({ file: problem.file, line: problem.line }, problem.message);

  const options: Record<string, string> = {};
  for (const [k, v] of Object.entries(ref.options)) options[k.toLowerCase()] = v;

  const sub = new Substituter(store, options, file);
  // The keys every filter has, whether or not this file sets them, count as known.
  const known = new Set([...STANDARD_KEYS, ...store.keys('Definition'), ...store.keys('Init')]);
  const unknownOptions = Object.keys(options).filter((k) => !known.has(k) && !mentionedAsTag(store, k));

  const list = (key: string): RawRegex[] => {
    const v = sub.value(key);
    if (v === undefined) return [];
    const entry = sub.entryOf(key);
    return v
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((text, i) => ({ text, place: lineOf(entry, i, v) }));
  };
  const pref = sub.value('prefregex')?.trim();
  const maxlines = sub.value('maxlines')?.trim();
  const datepattern = sub.value('datepattern')?.trim();
  const journalmatch = sub.value('journalmatch')?.trim();
  return {
    name,
    file,
    files: store.files,
    prefregex: pref ? { text: pref, place: lineOf(sub.entryOf('prefregex'), 0, pref) } : undefined,
    failregex: list('failregex'),
    ignoreregex: list('ignoreregex'),
    maxlines: maxlines || undefined,
    datepattern: datepattern || undefined,
    journalmatch: journalmatch || undefined,
    options,
    unknownOptions,
  };
}

function mentionedAsTag(store: IniStore, key: string): boolean {
  // An option may feed a <tag> or %(x)s that no section defines (fail2ban allows that).
  for (const f of store.files) {
    try {
      const t = readFileSync(f, 'utf8');
      if (t.includes(`<${key}>`) || t.includes(`%(${key})s`)) return true;
    } catch {
      /* unreadable include: already reported by the store */
    }
  }
  return false;
}

/** Where the i-th regex of a multi-line value was written (best effort: the key's line + offset). */
function lineOf(entry: { file: string; line: number } | undefined, index: number, value: string): Place {
  if (!entry) return { file: '<option>' };
  if (index === 0) return { file: entry.file, line: entry.line };
  const want = value.split('\n').map((s) => s.trim()).filter(Boolean)[index];
  try {
    const lines = readFileSync(entry.file, 'utf8').split('\n');
    for (let n = entry.line; n < Math.min(lines.length, entry.line + 400); n++) {
      if (want !== undefined && lines[n]!.trim() === want) return { file: entry.file, line: n + 1 };
    }
  } catch {
    /* fall through */
  }
  return { file: entry.file, line: entry.line };
}

class Substituter {
  private readonly cache = new Map<string, string | undefined>();
  private readonly init: Record<string, string> = {};
  private readonly vars: Record<string, string>;

  constructor(
    private readonly store: IniStore,
    private readonly options: Record<string, string>,
    private readonly file: string,
  ) {
    for (const k of store.keys('Init')) {
      if (!store.entry('Init', k) || !store.history('Init', k).length) continue;
      const v = this.safeGet('Init', k, options);
      if (v !== undefined) this.init[k] = v;
    }
    this.vars = { ...this.init, ...options };
  }

  entryOf(key: string): { file: string; line: number } | undefined {
    if (key in this.options) return undefined;
    return this.store.history('Init', key).length ? this.store.entry('Init', key) : this.store.entry('Definition', key);
  }

  private safeGet(section: string, key: string, vars: Record<string, string>): string | undefined {
    try {
      return this.store.get(section, key, vars);
    } catch (e) {
      if (e instanceof ConfigError) throw new RuleError(e.place, e.message.slice(e.message.indexOf(': ') + 2));
      throw e;
    }
  }

  /** A key's value with %(x)s and <tags> resolved: options, then [Init], then [Definition]. */
  value(key: string): string | undefined {
    return this.resolve(this.raw(key), key);
  }

  private raw(key: string): string | undefined {
    if (this.cache.has(key)) return this.cache.get(key);
    let v: string | undefined;
    if (key in this.options) v = this.options[key];
    else if (key in this.init) v = this.init[key];
    else v = this.safeGet('Definition', key, this.vars);
    this.cache.set(key, v);
    return v;
  }

  private lookupTag(name: string): string | undefined {
    // Keys are stored lower-case, so <HOST> never picks up a key named "host" (case matters, as in fail2ban).
    const slash = name.indexOf('/');
    if (slash < 0) return name === name.toLowerCase() ? this.raw(name) : undefined;
    const sect = name.slice(0, slash);
    const key = name.slice(slash + 1);
    if (key !== key.toLowerCase()) return undefined;
    if (sect === 'known') {
      const e = this.store.entry('Definition', key);
      return e ? this.safeGet('Definition', key, {}) : undefined;
    }
    const real = this.store.sections().find((s) => s.toLowerCase() === sect.toLowerCase());
    if (!real) return undefined;
    return this.safeGet(real, key, this.vars);
  }

  private resolve(v: string | undefined, key: string): string | undefined {
    if (v === undefined || !v.includes('<')) return v;
    let cur = v;
    for (let round = 0; round < MAX_TAG_ROUNDS; round++) {
      let changed = false;
      cur = cur.replace(/(\?P)?<([^<>\s=!]+)>/g, (whole, pgroup: string | undefined, name: string) => {
        if (pgroup) return whole;
        const r = this.lookupTag(name);
        if (r === undefined) return whole;
        changed = true;
        return r;
      });
      if (!changed) return cur;
    }
    const e = this.entryOf(key);
    throw new RuleError(e ? { file: e.file, line: e.line } : { file: this.file }, `<tag> substitution of ${key} does not end (a tag refers to itself?)`);
  }
}

