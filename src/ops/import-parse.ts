// Reading a ban list another host exported: our JSON export (or a JSON array of addresses or
// {ip, until} objects), an `ipset restore` file (its `add` lines, timeout = seconds left, 0 =
// for good), or a plain list of addresses (`#` comments). Pure: text in, entries out.

import { parseAddress } from '../net/address.ts';
import { notHostMessage, whyNotBannable } from '../net/host.ts';
import { EXPORT_VERSION } from './export.ts';

export interface ImportEntry {
  ip: string;
  /** Epoch seconds; null: for good; undefined: the file does not say (the jail's bantime applies). */
  until?: number | null;
  line: number;
}

export interface ParsedImport {
  format: 'json' | 'ipset' | 'list';
  entries: ImportEntry[];
  /** `<file>:<line>: <why>`, one per line skipped. */
  problems: string[];
}

export function parseImport(text: string, file: string, now: number): ParsedImport {
  const t = text.trimStart();
  if (t.startsWith('{') || t.startsWith('[')) return parseJson(text, file);
  const lines = text.split('\n');
  const ipset = lines.some((l) => /^\s*(create|add)\s/.test(l));
  return ipset ? parseIpset(lines, file, now) : parseList(lines, file);
}

/**
 * The canonical address an entry names, or null with the reason noted: not an address, or
 * not a host that can be banned (0.0.0.0 in a list must not hold a whole ipset batch hostage).
 */
function entryAddress(text: unknown, shown: unknown, where: string, problems: string[]): string | null {
  const a = typeof text === 'string' ? parseAddress(text) : null;
  if (!a) {
    problems.push(`${where}: not an IP address: ${JSON.stringify(shown)}`);
    return null;
  }
  const why = whyNotBannable(a);
  if (why) {
    problems.push(`${where}: ${notHostMessage(a.ip, why)}; skipped`);
    return null;
  }
  return a.ip;
}

function parseJson(text: string, file: string): ParsedImport {
  const out: ParsedImport = { format: 'json', entries: [], problems: [] };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    out.problems.push(`${file}: not valid JSON (${(e as Error).message})`);
    return out;
  }
  let items: unknown[];
  if (Array.isArray(doc)) items = doc;
  else if (typeof doc === 'object' && doc !== null && Array.isArray((doc as { bans?: unknown }).bans)) {
    const v = (doc as { f2bScanExport?: unknown }).f2bScanExport;
    if (typeof v === 'number' && v > EXPORT_VERSION) {
      out.problems.push(`${file}: export version ${v} is newer than this f2b-scan reads (${EXPORT_VERSION})`);
      return out;
    }
    items = (doc as { bans: unknown[] }).bans;
  } else {
    out.problems.push(`${file}: JSON without a "bans" list`);
    return out;
  }
  items.forEach((item, i) => {
    const where = `${file}: entry ${i + 1}`;
    const ipText = typeof item === 'string' ? item : typeof item === 'object' && item !== null ? (item as { ip?: unknown }).ip : undefined;
    const ip = entryAddress(ipText, ipText ?? item, where, out.problems);
    if (ip === null) return;
    const entry: ImportEntry = { ip, line: i + 1 };
    if (typeof item === 'object' && item !== null && 'until' in item) {
      const u = (item as { until: unknown }).until;
      if (u === null) entry.until = null;
      else if (typeof u === 'number' && Number.isFinite(u)) entry.until = u;
      else if (typeof u === 'string' && !Number.isNaN(Date.parse(u))) entry.until = Date.parse(u) / 1000;
      else {
        out.problems.push(`${where}: "until" is not a time: ${JSON.stringify(u)}`);
        return;
      }
    }
    out.entries.push(entry);
  });
  return out;
}

function parseIpset(lines: string[], file: string, now: number): ParsedImport {
  const out: ParsedImport = { format: 'ipset', entries: [], problems: [] };
  lines.forEach((raw, i) => {
    const words = raw.trim().split(/\s+/).filter(Boolean);
    if (words[0] !== 'add') return; // create, flush, COMMIT, comments: nothing to ban
    const ip = entryAddress(words[2], words[2] ?? raw.trim(), `${file}:${i + 1}`, out.problems);
    if (ip === null) return;
    const entry: ImportEntry = { ip, line: i + 1 };
    const ti = words.indexOf('timeout');
    if (ti > 0) {
      const n = Number(words[ti + 1]);
      if (!Number.isInteger(n) || n < 0) {
        out.problems.push(`${file}:${i + 1}: timeout is not a whole number of seconds: ${JSON.stringify(words[ti + 1] ?? '')}`);
        return;
      }
      entry.until = n === 0 ? null : now + n;
    }
    out.entries.push(entry);
  });
  return out;
}

function parseList(lines: string[], file: string): ParsedImport {
  const out: ParsedImport = { format: 'list', entries: [], problems: [] };
  lines.forEach((raw, i) => {
    const text = raw.replace(/#.*$/, '').trim();
    if (!text) return;
    const ip = entryAddress(text, text, `${file}:${i + 1}`, out.problems);
    if (ip !== null) out.entries.push({ ip, line: i + 1 });
  });
  return out;
}
