// Reading a ban list: our JSON export (or a JSON array of addresses or {ip, until} objects),
// CrowdSec's `cscli decisions list -o json`, Spamhaus' DROP in JSON lines, an `ipset restore`
// file (its `add` lines, timeout = seconds left, 0 = for good), or a plain list of addresses
// and CIDR ranges with `#` or `;` comments — which is also how Spamhaus DROP/EDROP
// (`a.b.c.d/n ; SBL123`) are written, their `; Expires:` header saying until when the list
// holds. Pure: text in, entries out; every entry a host address or range that may be banned.

import { MAX_BAN_SECONDS } from '../config/duration.ts';
import { entryTarget, entryUntil, type ImportEntry, type ParsedImport } from './import-entry.ts';
import { parseJsonList } from './import-json.ts';

export type { ImportEntry, ImportFormat, ParsedImport } from './import-entry.ts';

export function parseImport(text: string, file: string, now: number): ParsedImport {
  const t = text.trimStart();
  if (t.startsWith('{') || t.startsWith('[')) return parseJsonList(text, file, now);
  const lines = text.split('\n');
  const ipset = lines.some((l) => /^\s*(create|add)\s/.test(l));
  return ipset ? parseIpset(lines, file, now) : parseList(lines, file, now);
}

function parseIpset(lines: string[], file: string, now: number): ParsedImport {
  const out: ParsedImport = { format: 'ipset', entries: [], problems: [] };
  lines.forEach((raw, i) => {
    const words = raw.trim().split(/\s+/).filter(Boolean);
    if (words[0] !== 'add') return; // create, flush, COMMIT, comments: nothing to ban
    const ip = entryTarget(words[2], words[2] ?? raw.trim(), `${file}:${i + 1}`, out.problems);
    if (ip === null) return;
    const entry: ImportEntry = { ip, line: i + 1 };
    const ti = words.indexOf('timeout');
    if (ti > 0) {
      const n = Number(words[ti + 1]);
      if (!Number.isInteger(n) || n < 0 || n > MAX_BAN_SECONDS) {
        out.problems.push(`${file}:${i + 1}: timeout is not a whole number of seconds: ${JSON.stringify(words[ti + 1] ?? '')}`);
        return;
      }
      entry.until = n === 0 ? null : now + n;
    }
    out.entries.push(entry);
  });
  return out;
}

/** One address or range a line, `#` or `;` starting a comment; `; Expires: <date>` in a comment (Spamhaus). */
function parseList(lines: string[], file: string, now: number): ParsedImport {
  const out: ParsedImport = { format: 'list', entries: [], problems: [] };
  lines.forEach((raw, i) => {
    const cut = raw.search(/[#;]/);
    const comment = cut >= 0 ? raw.slice(cut + 1) : '';
    const expires = /^\s*Expires:\s*(.+?)\s*$/i.exec(comment)?.[1];
    if (expires !== undefined) {
      const t = entryUntil(Date.parse(expires) / 1000, now);
      if (typeof t === 'number') out.expires = t;
      else out.problems.push(`${file}:${i + 1}: "Expires: ${expires}" ${t}`);
    }
    const text = (cut >= 0 ? raw.slice(0, cut) : raw).trim();
    if (!text) return;
    const ip = entryTarget(text, text, `${file}:${i + 1}`, out.problems);
    if (ip !== null) out.entries.push({ ip, line: i + 1 });
  });
  return out;
}
