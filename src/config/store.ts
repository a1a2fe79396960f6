// Layered INI configuration as fail2ban reads it: files are read in order, each
// with its [INCLUDES] before/after files around it; later layers override earlier
// ones key by key; [DEFAULT] is inherited by every section; `%(name)s` is
// interpolated in the context of the section asked for (own keys, then DEFAULT).
// `%(known/name)s` is the section's own value in the layers before the one that wrote
// the reference (else DEFAULT's),
// `%(default/name)s` DEFAULT's value and `%(section/name)s` another section's (falling
// back to DEFAULT); like fail2ban, those are taken raw and interpolated in the context
// of the section asked for, so DEFAULT's `action_` sees the jail's own `port`.
// `%(__name__)s` is the name of the section asked for.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Place } from '../types.ts';
import { ConfigError } from '../util/errors.ts';
import { parseIni, type IniEntry, type IniProblem } from './ini.ts';

export const DEFAULT = 'DEFAULT';
const INCLUDES = 'INCLUDES';
// Python stops at depth 10; the stock jail.conf needs 5. The budget and the length cap stop
// `a = %(b)s%(b)s`, `b = %(a)s%(a)s` style fan-out from taking forever or all memory.
const MAX_DEPTH = 20;
const MAX_STEPS = 20_000;
const MAX_LENGTH = 1 << 20;
const REF = /%\(([^)]+)\)s|%%/g;

export class IniStore {
  /** section -> key -> every entry written for it, oldest layer first */
  private readonly data = new Map<string, Map<string, IniEntry[]>>();
  private layer = 0;
  /** Files read, in order (for messages and `get`). */
  readonly files: string[] = [];
  readonly problems: IniProblem[] = [];
  /** Where each section's header first appeared (file, line). */
  private readonly headers = new Map<string, { file: string; line: number }>();

  /**
   * Read `path` (and what its [INCLUDES] name) as the next layers.
   * A missing file is an error unless `optional`.
   */
  addFile(path: string, optional = false, seen: Set<string> = new Set()): void {
    const abs = resolve(path);
    if (!existsSync(abs)) {
      if (optional) return;
      throw new ConfigError({ file: abs }, 'file not found');
    }
    if (seen.has(abs)) throw new ConfigError({ file: abs }, 'includes itself (include loop)');
    if (statSync(abs).isDirectory()) throw new ConfigError({ file: abs }, 'is a directory, not a file');
    let text: string;
    try {
      text = readFileSync(abs, 'utf8');
    } catch (e) {
      throw new ConfigError({ file: abs }, `cannot read: ${(e as Error).message}`);
    }
    const inner = new Set(seen).add(abs);
    const { sections, problems, headers } = parseIni(text, abs, 0);
    this.problems.push(...problems);
    this.noteHeaders(abs, headers);
    const inc = sections.get(INCLUDES);
    const includeList = (k: string) =>
      (inc?.get(k)?.value ?? '')
        .split(/\s+/)
        .filter(Boolean)
        .map((f) => (isAbsolute(f) ? f : resolve(dirname(abs), f)));
    for (const f of includeList('before')) this.addFile(f, false, inner);
    this.merge(sections);
    this.files.push(abs);
    for (const f of includeList('after')) this.addFile(f, true, inner);
  }

  /** Add text as the next layer (tests, command-line overrides). */
  addText(text: string, file = '<text>'): void {
    const { sections, problems, headers } = parseIni(text, file, 0);
    this.problems.push(...problems);
    this.noteHeaders(file, headers);
    this.merge(sections);
  }

  /** Set one value as a new layer (filter options, command-line overrides). */
  set(section: string, key: string, value: string, file = '<option>', line = 0): void {
    this.layer++;
    this.push(section, key.toLowerCase(), { value, file, line, layer: this.layer, section });
  }

  private merge(sections: Map<string, Map<string, IniEntry>>): void {
    this.layer++;
    for (const [name, keys] of sections) {
      if (name === INCLUDES) continue;
      if (!this.data.has(name)) this.data.set(name, new Map());
      for (const [k, e] of keys) this.push(name, k, { ...e, layer: this.layer });
    }
  }

  private push(section: string, key: string, e: IniEntry): void {
    let sec = this.data.get(section);
    if (!sec) this.data.set(section, (sec = new Map()));
    const list = sec.get(key);
    if (list) list.push(e);
    else sec.set(key, [e]);
  }

  private noteHeaders(file: string, headers: Map<string, number>): void {
    for (const [name, line] of headers) if (!this.headers.has(name)) this.headers.set(name, { file, line });
  }

  /** The file and line where a section's header was first read. */
  sectionPlace(section: string): { file: string; line: number } | undefined {
    return this.headers.get(section);
  }

  /** Section names in order of first appearance, without DEFAULT. */
  sections(): string[] {
    return [...this.data.keys()].filter((s) => s !== DEFAULT);
  }

  hasSection(section: string): boolean {
    return this.data.has(section);
  }

  /** Keys written in the section itself (any layer), without DEFAULT's. */
  ownKeys(section: string): string[] {
    return [...(this.data.get(section)?.keys() ?? [])];
  }

  /** Keys visible from a section: its own and DEFAULT's. */
  keys(section: string): string[] {
    const own = [...(this.data.get(section)?.keys() ?? [])];
    const def = [...(this.data.get(DEFAULT)?.keys() ?? [])];
    return [...new Set([...own, ...def])];
  }

  /** The raw (uninterpolated) entry in force for a key, from the section or DEFAULT. */
  entry(section: string, key: string, beforeLayer = Infinity): IniEntry | undefined {
    const k = key.toLowerCase();
    return (
      latest(this.data.get(section)?.get(k), beforeLayer) ??
      (section === DEFAULT ? undefined : latest(this.data.get(DEFAULT)?.get(k), beforeLayer))
    );
  }

  /** Every layer's entry for a key in a section (oldest first), for `f2b-scan get`. */
  history(section: string, key: string): IniEntry[] {
    return [...(this.data.get(section)?.get(key.toLowerCase()) ?? [])];
  }

  /** The interpolated value, or undefined when the key is not set. `vars` win over the file. */
  get(section: string, key: string, vars?: Record<string, string>): string | undefined {
    const k = key.toLowerCase();
    if (vars && Object.hasOwn(vars, k)) return vars[k];
    const e = this.entry(section, k);
    if (!e) return undefined;
    return this.interpolate(section, e, vars, 0, k, { steps: 0 });
  }

  /** Interpolate arbitrary text in the context of a section. */
  expand(section: string, text: string, vars?: Record<string, string>): string {
    return this.interpolate(section, { value: text, file: '<text>', line: 0, layer: Infinity }, vars, 0, '', { steps: 0 });
  }

  private interpolate(
    section: string,
    e: IniEntry,
    vars: Record<string, string> | undefined,
    depth: number,
    key: string,
    budget: { steps: number },
  ): string {
    if (depth > MAX_DEPTH) {
      throw new ConfigError(this.placeOf(e, section, key), 'interpolation too deep (a %(...)s loop?)');
    }
    if (!e.value.includes('%')) return e.value;
    const out = e.value.replace(REF, (_whole, ref: string | undefined) => {
      if (++budget.steps > MAX_STEPS) {
        throw new ConfigError(this.placeOf(e, section, key), 'too many %(...)s substitutions (a loop?)');
      }
      if (ref === undefined) return '%';
      const name = ref.toLowerCase();
      if (name === '__name__') return section;
      if (vars && Object.hasOwn(vars, name)) return vars[name]!;
      const slash = name.indexOf('/');
      if (slash > 0) {
        const scope = name.slice(0, slash);
        const opt = name.slice(slash + 1);
        if (scope === 'known') {
          // fail2ban: the section's own value before its last override, else DEFAULT's.
          // When this entry is itself one of the key's layers we take the layer before it,
          // so several layers can each extend a value (`action = %(known/action)s ...`).
          const own = this.data.get(section)?.get(opt);
          const def = this.entry(DEFAULT, opt);
          const i = own ? own.indexOf(e) : -1;
          const prev =
            i >= 1
              ? own![i - 1]
              : i === 0
                ? def
                : ((own && own.length >= 2 ? own[own.length - 2] : undefined) ??
                  (def !== e ? def : this.entry(DEFAULT, opt, e.layer)));
          if (!prev) return '';
          return this.interpolate(section, prev, vars, depth + 1, opt, budget);
        }
        const other = scope === 'default' ? DEFAULT : this.findSection(ref.slice(0, slash));
        const target = other === undefined ? undefined : this.entry(other, opt);
        if (!target) throw this.missing(e, section, key, ref);
        return this.interpolate(section, target, vars, depth + 1, opt, budget);
      }
      // A key that refers to itself (the reference would resolve to this very entry) means
      // the value from the layers before, as known/: `port = %(port)s,2222`.
      const current = this.entry(section, name);
      const target = name === key && current === e ? this.entry(section, name, e.layer) : current;
      if (!target) throw this.missing(e, section, key, ref);
      return this.interpolate(section, target, vars, depth + 1, name, budget);
    });
    if (out.length > MAX_LENGTH) throw new ConfigError(this.placeOf(e, section, key), 'value longer than 1 MiB after interpolation');
    return out;
  }

  /** Where an entry was written; names the section asked for when it was inherited. */
  private placeOf(e: IniEntry, section: string, key: string): Place {
    const written = e.section ?? section;
    return { file: e.file, line: e.line || undefined, section: written, key };
  }

  private missing(e: IniEntry, section: string, key: string, ref: string): ConfigError {
    const via = e.section !== undefined && e.section !== section ? ` (for [${section}])` : '';
    // A reference spanning lines would break the one-line message: show it quoted.
    const shown = /\s/.test(ref) ? JSON.stringify(`%(${ref})s`) : `%(${ref})s`;
    return new ConfigError(this.placeOf(e, section, key), `unknown reference ${shown}${via}`);
  }

  private findSection(name: string): string | undefined {
    if (this.data.has(name)) return name;
    const lower = name.toLowerCase();
    return [...this.data.keys()].find((s) => s.toLowerCase() === lower);
  }
}

function latest(list: IniEntry[] | undefined, beforeLayer: number): IniEntry | undefined {
  if (!list) return undefined;
  for (let i = list.length - 1; i >= 0; i--) if (list[i]!.layer < beforeLayer) return list[i];
  return undefined;
}
