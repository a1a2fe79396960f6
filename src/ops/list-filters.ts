// `f2b-scan list-filters`: every rule a jail can name — the configuration's filter.d first
// (fail2ban's, or the admin's own), then the shipped ones it does not shadow — one line each
// with what it catches. That line is the filter's own: a `# description:` comment at its top
// (our rules carry one), else the first paragraph of its leading comment (fail2ban's
// "Fail2Ban filter for openssh"). Files without a failregex (common.conf, *-common.conf:
// pieces other filters include) are no rules and are not listed.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config/index.ts';
import { builtinRulesDir } from '../util/paths.ts';

export interface FilterEntry {
  name: string;
  /** The file a jail naming it reads (name.conf, else name.local). */
  file: string;
  /** shipped: f2b-scan's rules/; config: the --config directory. */
  origin: 'shipped' | 'config';
  description: string;
  /** Jails that use it, enabled ones marked by the caller. */
  jails: { name: string; enabled: boolean }[];
}

/** The description of a filter from its text (see the header). */
export function filterDescription(text: string): string {
  const head: string[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t === '') {
      head.push('');
      continue;
    }
    if (!t.startsWith('#') && !t.startsWith(';')) break;
    head.push(t.replace(/^[#;]+\s?/, ''));
  }
  const tagged = head.find((l) => /^description:/i.test(l.trim()));
  if (tagged) return tagged.trim().replace(/^description:\s*/i, '');
  const para: string[] = [];
  for (const l of head) {
    if (l.trim() === '') {
      if (para.length) break;
      continue;
    }
    para.push(l.trim());
  }
  return para.join(' ').replace(/^f2b-scan rule:\s*/i, '').replace(/\s+/g, ' ');
}

/** Whether the file (or its .local beside it) defines a failregex: a rule, not an include. */
function definesFailregex(dir: string, name: string): boolean {
  for (const ext of ['.conf', '.local']) {
    try {
      if (/^\s*failregex\s*[=:]/m.test(readFileSync(join(dir, name + ext), 'utf8'))) return true;
    } catch {
      /* no such file */
    }
  }
  return false;
}

function namesIn(dir: string): string[] {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return [];
  }
  return [...new Set(files.filter((f) => /\.(conf|local)$/.test(f)).map((f) => f.replace(/\.(conf|local)$/, '')))];
}

export function listFilters(opts: { configDir: string }): { filters: FilterEntry[]; warnings: string[] } {
  const config = loadConfig({ configDir: opts.configDir, builtinDir: builtinRulesDir() });
  const shippedDir = join(config.builtinDir, 'filter.d');
  const usedBy = new Map<string, { name: string; enabled: boolean }[]>();
  for (const j of config.jails) {
    const list = usedBy.get(j.filter.name) ?? [];
    list.push({ name: j.name, enabled: j.enabled });
    usedBy.set(j.filter.name, list);
  }
  const seen = new Set<string>();
  const filters: FilterEntry[] = [];
  for (const dir of config.filterDirs) {
    for (const name of namesIn(dir)) {
      if (seen.has(name) || !definesFailregex(dir, name)) continue;
      seen.add(name);
      let file = join(dir, `${name}.conf`);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        file = join(dir, `${name}.local`);
        text = readFileSync(file, 'utf8');
      }
      filters.push({ name, file, origin: dir === shippedDir ? 'shipped' : 'config', description: filterDescription(text), jails: usedBy.get(name) ?? [] });
    }
  }
  filters.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { filters, warnings: config.warnings };
}

/** One line per rule: name, where it is from, what it catches, the enabled jails using it. */
export function formatFilterList(filters: FilterEntry[]): string {
  const width = Math.max(0, ...filters.map((f) => f.name.length));
  return (
    filters
      .map((f) => {
        const on = f.jails.filter((j) => j.enabled).map((j) => j.name);
        return `${f.name.padEnd(width)}  ${f.origin === 'config' ? 'config ' : 'shipped'}  ${f.description || '(no description)'}${on.length ? `  [enabled: ${on.join(', ')}]` : ''}`;
      })
      .join('\n') + '\n'
  );
}
