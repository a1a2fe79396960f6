// Reads fail2ban's INI dialect (Python ConfigParser as fail2ban configures it):
// `key = value` or `key: value`, indented continuation lines, `#`/`;` full-line
// comments, ` ;` inline comments, case-insensitive keys, case-sensitive sections.
// Layering, [INCLUDES] and %(name)s interpolation live in store.ts.

export interface IniEntry {
  value: string;
  file: string;
  /** 1-based line of the key. */
  line: number;
  /** Order in which the file holding it was read (later layers override earlier ones). */
  layer: number;
  /** Section the key was written in. */
  section?: string;
}

/** Section name -> key (lower case) -> entry, in file order. */
export type IniSections = Map<string, Map<string, IniEntry>>;

export interface IniProblem {
  file: string;
  line: number;
  message: string;
  /** Section the bad line sits in (undefined: before the first section). */
  section?: string;
}

// As Python: text after the last "]" is ignored, so `[sshd] # ssh jail` is a header.
const SECTION = /^\[(.+)\]/;
// Python's OPTCRE: the key is everything up to the first '=' or ':'.
const OPTION = /^(.*?)\s*([=:])\s*(.*)$/;

/** Strip a ` ;` inline comment (fail2ban sets inline_comment_prefixes=";"). */
function stripInlineComment(line: string): string {
  let from = 0;
  for (;;) {
    const i = line.indexOf(';', from);
    if (i < 0) return line;
    if (i === 0 || /\s/.test(line[i - 1]!)) return line.slice(0, i);
    from = i + 1;
  }
}

export function parseIni(
  text: string,
  file: string,
  layer = 0,
): { sections: IniSections; problems: IniProblem[]; headers: Map<string, number> } {
  const sections: IniSections = new Map();
  /** Section -> 1-based line of its first header in this file. */
  const headers = new Map<string, number>();
  const problems: IniProblem[] = [];
  let current: Map<string, IniEntry> | null = null;
  let currentName: string | undefined;
  let key: string | null = null;
  let parts: string[] = [];
  let indent = Infinity;

  const flush = () => {
    if (current && key !== null) {
      const e = current.get(key)!;
      e.value = parts.join('\n').trimEnd();
    }
  };

  // A byte-order mark would hide the first section header.
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split('\n');
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n]!.replace(/\r$/, '');
    const trimmed = raw.trim();
    const isComment = trimmed.startsWith('#') || trimmed.startsWith(';');
    const value = isComment ? '' : stripInlineComment(raw).trim();
    if (!value) {
      // An empty line inside a value is kept (dropped again if nothing follows).
      if (!isComment && key !== null && trimmed === '') parts.push('');
      continue;
    }
    const lineIndent = raw.length - raw.trimStart().length;
    if (current && key !== null && lineIndent > indent) {
      parts.push(value);
      continue;
    }
    flush();
    key = null;
    parts = [];
    indent = lineIndent;
    const sec = SECTION.exec(value);
    if (sec) {
      const name = sec[1]!;
      currentName = name;
      current = sections.get(name) ?? new Map();
      sections.set(name, current);
      if (!headers.has(name)) headers.set(name, n + 1);
      continue;
    }
    const opt = OPTION.exec(value);
    if (!current) {
      problems.push({ file, line: n + 1, message: 'text before the first [section]' });
      continue;
    }
    if (!opt || !opt[1]) {
      problems.push({
        file,
        line: n + 1,
        section: currentName,
        message: `cannot read this line: ${JSON.stringify(value.slice(0, 60))}`,
      });
      continue;
    }
    key = opt[1].trimEnd().toLowerCase();
    parts = [opt[3]!.trim()];
    // A key written twice in one file: the last one wins, at its own line.
    current.set(key, { value: '', file, line: n + 1, layer, section: currentName });
  }
  flush();
  return { sections, problems, headers };
}

/**
 * Split `name[key=value, key2="v, w"]` (fail2ban's option syntax for filters and actions).
 * Values may be quoted with " or ' and then hold brackets and commas; unquoted values end
 * at a comma or a closing bracket, and all values are trimmed, as in fail2ban. Several option
 * groups `name[a=1][b=2]` merge, later ones win: the stock jail.conf builds those when a
 * jail appends options to `%(default/action_)s`.
 * Returns null when the text is not of that form; never throws.
 */
export function splitNameOptions(text: string): { name: string; options: Record<string, string> } | null {
  const s = text.trim();
  const open = s.indexOf('[');
  if (open < 0) return /^[^\s\[\]]+$/.test(s) ? { name: s, options: {} } : null;
  if (!s.endsWith(']')) return null;
  const name = s.slice(0, open).trim();
  if (!name || /[\s\]"']/.test(name)) return null;
  const body = s.slice(open + 1, -1);
  const options: Record<string, string> = Object.create(null);
  let i = 0;
  const skipSpace = () => {
    while (i < body.length && /\s/.test(body[i]!)) i++;
  };
  while (i < body.length) {
    while (i < body.length && /[\s,]/.test(body[i]!)) i++;
    if (i >= body.length) break;
    if (body[i] === ']') {
      // `][`: the next option group
      i++;
      skipSpace();
      if (body[i] !== '[') return null;
      i++;
      continue;
    }
    const eq = body.indexOf('=', i);
    if (eq < 0) return null;
    const k = body.slice(i, eq).trim();
    if (!k || /[\s"'\[\],]/.test(k)) return null;
    i = eq + 1;
    // No space may come between = and a quote (as fail2ban: `k= "v"` keeps its quotes).
    let v: string;
    const q = body[i];
    // A quote that is never closed is part of an unquoted value, as in fail2ban.
    const end = q === '"' || q === "'" ? body.indexOf(q, i + 1) : -1;
    if (end > 0) {
      v = body.slice(i + 1, end).trim(); // fail2ban strips quoted values too
      i = end + 1;
      skipSpace();
      // After a quoted value only a separator may follow.
      if (i < body.length && body[i] !== ',' && body[i] !== ']') return null;
    } else {
      // As fail2ban: an unquoted value ends at the next comma or closing bracket.
      const start = i;
      while (i < body.length && body[i] !== ',' && body[i] !== ']') i++;
      v = body.slice(start, i).trim();
    }
    options[k] = v;
  }
  return { name, options: { ...options } };
}

/**
 * Split a list of references (`action =`, `filter =` values) into entries as fail2ban
 * does: entries are separated by newlines or whitespace outside brackets and quotes;
 * `name [opts]` with a space before the bracket stays one entry.
 */
export function splitRefs(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  let quote: string | null = null;
  const s = value;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === quote) quote = null;
      cur += c;
    } else if (depth > 0) {
      if (c === '"' || c === "'") quote = c;
      else if (c === '[') depth++;
      else if (c === ']') depth--;
      cur += /\s/.test(c) ? (cur.endsWith(' ') ? '' : ' ') : c;
    } else if (/\s/.test(c)) {
      let j = i;
      while (j < s.length && /\s/.test(s[j]!)) j++;
      if (s[j] === '[' && cur) {
        i = j - 1;
        continue;
      }
      if (cur) out.push(cur);
      cur = '';
      i = j - 1;
    } else {
      if (c === '[') depth++;
      cur += c;
    }
  }
  if (cur) out.push(cur);
  return out;
}

/**
 * Split a multi-line `action =` value into its entries. A new entry starts on a line
 * that does not continue an open bracket or quote of the previous one.
 */
export function splitList(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  let quote: string | null = null;
  for (const line of value.split('\n')) {
    const t = line.trim();
    if (!t) continue;
    if (depth === 0 && quote === null) {
      if (cur) out.push(cur);
      cur = t;
    } else {
      cur += ' ' + t;
    }
    for (const c of t) {
      if (quote) {
        if (c === quote) quote = null;
      } else if (c === '"' || c === "'") {
        if (depth > 0) quote = c;
      } else if (c === '[') depth++;
      else if (c === ']') depth = Math.max(0, depth - 1);
    }
  }
  if (cur) out.push(cur);
  return out;
}
