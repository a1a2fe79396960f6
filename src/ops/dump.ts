// `f2b-scan dump [jail] [--json]`: the whole configuration as a run resolves it, what
// `fail2ban-client -d` prints: the main settings, and per jail every value after layering
// and interpolation, the rule's file and its regexes with their tags filled in, and each
// action with its options and what carries it out (f2b-scan's own backend or an action
// file). Secrets (passwords, a Redis URL's password) are masked. Reads only.

import { loadConfig, type LoadedConfig } from '../config/index.ts';
import { actionFileFor } from '../actions/action-file-find.ts';
import { knownActions, resolveActionParams } from '../actions/index.ts';
import { readFilter } from '../rules/filter-load.ts';
import type { Jail, Ref } from '../types.ts';
import { formatPlace } from '../util/errors.ts';
import { builtinRulesDir } from '../util/paths.ts';
import { findJail } from './session.ts';

export interface DumpedFilter {
  name: string;
  options: Record<string, string>;
  /** The filter file, and every file read for it (includes, .local). */
  file?: string;
  files?: string[];
  prefregex?: string;
  failregex?: string[];
  ignoreregex?: string[];
  datepattern?: string;
  maxlines?: string;
  journalmatch?: string;
  /** Why it could not be read. */
  error?: string;
}

export interface DumpedAction {
  name: string;
  /** The options the action gets (its own over the jail's port, protocol, chain, ...). */
  options: Record<string, string>;
  /** `native` (f2b-scan's backend), the action file that runs, or `unknown`. */
  runs: string;
}

export interface DumpedJail {
  name: string;
  enabled: boolean;
  /** Where the jail's section starts. */
  source: string;
  filter: DumpedFilter;
  logpath: string[];
  backend: string;
  maxretry: number;
  findtime: number;
  bantime: number;
  bantimeIncrement: Jail['increment'];
  ignoreip: string[];
  ignoreself: boolean;
  ignorecommand?: string;
  usedns: string;
  logencoding: string;
  logtimezone?: string;
  datepattern?: string;
  journalmatch?: string;
  maxlines?: number;
  actions: DumpedAction[];
  /** Every key of the section (and DEFAULT) after interpolation. */
  options: Record<string, string>;
}

export interface Dump {
  configDir: string;
  builtinDir: string;
  /** The jail layers read, in order. */
  files: string[];
  /** [Definition] of f2b-scan.conf/.local. */
  definition: Record<string, string>;
  /** [fleet], or null without one. */
  fleet: Record<string, string> | null;
  jails: DumpedJail[];
}

const SECRET_KEY = /pass(word)?$|secret|token/i;

/** A value as it may be shown: secrets masked, a URL's password too. */
export function maskSecret(key: string, value: string): string {
  if (SECRET_KEY.test(key) && value !== '') return '***';
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@\s]*@/i, '$1:***@');
}

function masked(entries: [string, string][]): Record<string, string> {
  return Object.fromEntries(entries.map(([k, v]) => [k, maskSecret(k, v)]));
}

function sectionOf(config: LoadedConfig, section: string): Record<string, string> | null {
  if (!config.main.hasSection(section)) return null;
  return masked(config.main.keys(section).map((k) => [k, config.main.get(section, k) ?? '']));
}

function dumpFilter(jail: Jail, config: LoadedConfig): DumpedFilter {
  const out: DumpedFilter = { name: jail.filter.name, options: jail.filter.options };
  try {
    const raw = readFilter(jail.filter, config.filterDirs);
    out.file = raw.file;
    out.files = raw.files;
    if (raw.prefregex) out.prefregex = raw.prefregex.text;
    out.failregex = raw.failregex.map((r) => r.text);
    out.ignoreregex = raw.ignoreregex.map((r) => r.text);
    const datepattern = jail.datepattern ?? raw.datepattern;
    if (datepattern) out.datepattern = datepattern;
    const maxlines = jail.maxlines !== undefined ? String(jail.maxlines) : raw.maxlines;
    if (maxlines) out.maxlines = maxlines;
    if (raw.journalmatch) out.journalmatch = raw.journalmatch;
  } catch (e) {
    out.error = (e as Error).message;
  }
  return out;
}

function dumpAction(ref: Ref, jail: Jail, config: LoadedConfig): DumpedAction {
  const file = actionFileFor(ref.name, config.actionDirs);
  const runs = file ?? (knownActions().includes(ref.name) ? 'native' : 'unknown');
  return { name: ref.name, options: masked(Object.entries(resolveActionParams(ref, jail).options)), runs };
}

export function dumpJail(jail: Jail, config: LoadedConfig): DumpedJail {
  const d: DumpedJail = {
    name: jail.name,
    enabled: jail.enabled,
    source: formatPlace({ file: jail.source.file, line: jail.source.line }),
    filter: dumpFilter(jail, config),
    logpath: jail.logpath,
    backend: jail.backend,
    maxretry: jail.maxretry,
    findtime: jail.findtime,
    bantime: jail.bantime,
    bantimeIncrement: jail.increment,
    ignoreip: jail.ignoreip,
    ignoreself: jail.ignoreself,
    usedns: jail.usedns,
    logencoding: jail.logencoding,
    actions: jail.actions.map((a) => dumpAction(a, jail, config)),
    options: masked(Object.entries(jail.options).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  };
  for (const k of ['ignorecommand', 'logtimezone', 'datepattern', 'journalmatch', 'maxlines'] as const) {
    if (jail[k] !== undefined) (d as unknown as Record<string, unknown>)[k] = jail[k];
  }
  return d;
}

/** The dump of the enabled jails, or of one jail (enabled or not). */
export function buildDump(config: LoadedConfig, jailName?: string): Dump {
  const jails = jailName ? [findJail(config, jailName)] : config.jails.filter((j) => j.enabled);
  return {
    configDir: config.configDir,
    builtinDir: config.builtinDir,
    files: [...config.store.files, ...config.main.files],
    definition: sectionOf(config, 'Definition') ?? {},
    fleet: sectionOf(config, 'fleet'),
    jails: jails.map((j) => dumpJail(j, config)),
  };
}

/** A value of a list on continuation lines, as a fail2ban file writes it (`# key:` for a comment). */
function multi(key: string, values: string[]): string[] {
  const head = key.startsWith('#') ? `${key}:` : `${key} =`;
  if (values.length === 0) return [head];
  const pad = key.startsWith('#') ? `#${' '.repeat(head.length)}` : ' '.repeat(head.length + 1);
  return [`${head} ${values[0]}`, ...values.slice(1).map((v) => pad + v)];
}

const refText = (name: string, options: Record<string, string>) => {
  const o = Object.entries(options);
  return o.length ? `${name}[${o.map(([k, v]) => `${k}=${/[\s,\]"]/.test(v) ? JSON.stringify(v) : v}`).join(', ')}]` : name;
};

const duration = (s: number) => (s < 0 ? `${s} (for good)` : String(s));

/** The dump as fail2ban-style sections: what a run uses, one value per key, comments for where it came from. */
export function formatDump(d: Dump): string {
  const out: string[] = [
    `# f2b-scan dump: the configuration as a run resolves it (--config ${d.configDir}; shipped rules ${d.builtinDir})`,
    ...multi('# files read', d.files),
  ];
  if (Object.keys(d.definition).length) {
    out.push('', '[Definition]', ...Object.entries(d.definition).map(([k, v]) => `${k} = ${v}`));
  }
  if (d.fleet) out.push('', '[fleet]', ...Object.entries(d.fleet).map(([k, v]) => `${k} = ${v}`));
  for (const j of d.jails) {
    const f = j.filter;
    out.push('', `[${j.name}]`, `# from ${j.source}`, `enabled = ${j.enabled}`, `filter = ${refText(f.name, f.options)}`);
    if (f.error) out.push(`#   the rule cannot be read: ${f.error}`);
    else {
      out.push(...multi('#   rule file', f.files ?? []));
      if (f.prefregex) out.push(`prefregex = ${f.prefregex}`);
      out.push(...multi('failregex', f.failregex ?? []));
      if (f.ignoreregex?.length) out.push(...multi('ignoreregex', f.ignoreregex));
      if (f.datepattern) out.push(`datepattern = ${f.datepattern}`);
      if (f.maxlines) out.push(`maxlines = ${f.maxlines}`);
      if (f.journalmatch) out.push(`journalmatch = ${f.journalmatch}`);
    }
    out.push(
      ...multi('logpath', j.logpath),
      `backend = ${j.backend}`,
      `maxretry = ${j.maxretry}`,
      `findtime = ${j.findtime}`,
      `bantime = ${duration(j.bantime)}`,
      `bantime.increment = ${j.bantimeIncrement.enabled}`,
      `ignoreip = ${j.ignoreip.join(' ')}`,
      `ignoreself = ${j.ignoreself}`,
      `usedns = ${j.usedns}`,
      `logencoding = ${j.logencoding}`,
    );
    for (const k of ['ignorecommand', 'logtimezone'] as const) if (j[k] !== undefined) out.push(`${k} = ${j[k]}`);
    out.push(...multi('action', j.actions.map((a) => `${refText(a.name, a.options)}    # ${a.runs === 'native' ? "f2b-scan's own backend" : a.runs === 'unknown' ? 'no backend or action file of this name' : a.runs}`)));
  }
  return out.join('\n') + '\n';
}

export function runDump(opts: { configDir: string; jail?: string; json: boolean }): { output: string; warnings: string[] } {
  const config = loadConfig({ configDir: opts.configDir, builtinDir: builtinRulesDir() });
  const d = buildDump(config, opts.jail);
  return { output: opts.json ? JSON.stringify(d, null, 2) + '\n' : formatDump(d), warnings: config.warnings };
}
