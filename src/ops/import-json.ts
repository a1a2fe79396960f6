// The JSON ban lists `import` reads: our own export ({f2bScanExport, bans: [{ip, until}]}, or
// a bare array of addresses or {ip, until}), CrowdSec's `cscli decisions list -o json` (an
// array of alerts, each with its decisions: scope Ip or Range, type ban, a Go duration left
// or an `until`), and Spamhaus DROP as JSON lines ({"cidr": "a.b.c.d/n", "sblid": ...} a line,
// a metadata line at the end). Pure.

import { EXPORT_VERSION } from './export.ts';
import { entryTarget, entryUntil, type ImportEntry, type ParsedImport } from './import-entry.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseJsonList(text: string, file: string, now: number): ParsedImport {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    // Several objects one a line: Spamhaus' JSON lines.
    if (text.trimStart().startsWith('{')) return parseJsonLines(text, file);
    return { format: 'json', entries: [], problems: [`${file}: not valid JSON (${(e as Error).message})`] };
  }
  if (Array.isArray(doc) && doc.length > 0 && doc.every((a) => isObj(a) && Array.isArray(a.decisions))) return parseCrowdsec(doc as Obj[], file, now);
  if (isObj(doc) && typeof doc.cidr === 'string') return parseJsonLines(text, file);
  return parseOwn(doc, file, now);
}

function parseOwn(doc: unknown, file: string, now: number): ParsedImport {
  const out: ParsedImport = { format: 'json', entries: [], problems: [] };
  let items: unknown[];
  if (Array.isArray(doc)) items = doc;
  else if (isObj(doc) && Array.isArray(doc.bans)) {
    if (typeof doc.f2bScanExport === 'number' && doc.f2bScanExport > EXPORT_VERSION) {
      out.problems.push(`${file}: export version ${doc.f2bScanExport} is newer than this f2b-scan reads (${EXPORT_VERSION})`);
      return out;
    }
    items = doc.bans;
  } else {
    out.problems.push(`${file}: JSON without a "bans" list`);
    return out;
  }
  items.forEach((item, i) => {
    const where = `${file}: entry ${i + 1}`;
    const ipText = typeof item === 'string' ? item : isObj(item) ? item.ip : undefined;
    const ip = entryTarget(ipText, ipText ?? item, where, out.problems);
    if (ip === null) return;
    const entry: ImportEntry = { ip, line: i + 1 };
    if (isObj(item) && 'until' in item) {
      const u = item.until;
      const t = u === null ? null : entryUntil(typeof u === 'number' ? u : typeof u === 'string' ? Date.parse(u) / 1000 : NaN, now);
      if (typeof t === 'string') {
        out.problems.push(`${where}: "until" ${t}: ${JSON.stringify(u)}`);
        return;
      }
      entry.until = t;
    }
    out.entries.push(entry);
  });
  return out;
}

/** Go's time.Duration text (`3h59m45.1s`, `-1m`, `150ms`) in seconds; NaN for anything else. */
export function goDuration(text: string): number {
  const m = /^(-)?((?:\d+(?:\.\d+)?(?:h|m|s|ms|us|µs|ns))+)$/.exec(text.trim());
  if (!m) return NaN;
  const unit: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, µs: 1e-6, ns: 1e-9 };
  let total = 0;
  for (const [, n, u] of m[2]!.matchAll(/(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/g)) total += Number(n) * unit[u!]!;
  return m[1] ? -total : total;
}

function parseCrowdsec(alerts: Obj[], file: string, now: number): ParsedImport {
  const out: ParsedImport = { format: 'crowdsec', entries: [], problems: [] };
  const notBans = new Map<string, number>();
  alerts.forEach((alert, a) => {
    (alert.decisions as unknown[]).forEach((d, i) => {
      const where = `${file}: alert ${a + 1}, decision ${i + 1}`;
      if (!isObj(d)) return void out.problems.push(`${where}: not a decision object`);
      const scope = String(d.scope ?? '').toLowerCase();
      // Captcha, throttle, a user name or a country: nothing a firewall ban is.
      if (String(d.type ?? '').toLowerCase() !== 'ban' || (scope !== 'ip' && scope !== 'range') || d.simulated === true) {
        const kind = d.simulated === true ? 'simulated' : `${String(d.type)} on ${String(d.scope)}`;
        notBans.set(kind, (notBans.get(kind) ?? 0) + 1);
        return;
      }
      const ip = entryTarget(d.value, d.value, where, out.problems);
      if (ip === null) return;
      // A newer cscli writes `until`; every one writes the time left as a Go duration.
      const left = typeof d.until === 'string' ? Date.parse(d.until) / 1000 - now : typeof d.duration === 'string' ? goDuration(d.duration) : NaN;
      const until = entryUntil(now + left, now);
      if (typeof until === 'string') return void out.problems.push(`${where}: duration ${JSON.stringify(d.duration ?? d.until)} ${until}`);
      out.entries.push({ ip, until, line: a + 1 });
    });
  });
  for (const [kind, n] of notBans) out.problems.push(`${file}: ${n} decision${n === 1 ? '' : 's'} (${kind}) skipped: only bans of an Ip or a Range become firewall bans`);
  return out;
}

function parseJsonLines(text: string, file: string): ParsedImport {
  const out: ParsedImport = { format: 'spamhaus-json', entries: [], problems: [] };
  text.split('\n').forEach((raw, i) => {
    if (!raw.trim()) return;
    let o: unknown;
    try {
      o = JSON.parse(raw);
    } catch {
      return void out.problems.push(`${file}:${i + 1}: not a JSON object`);
    }
    if (!isObj(o)) return void out.problems.push(`${file}:${i + 1}: not a JSON object`);
    if (o.type === 'metadata') return; // when it was made and how big; no end of validity
    const ip = entryTarget(o.cidr, o.cidr ?? raw.trim(), `${file}:${i + 1}`, out.problems);
    if (ip !== null) out.entries.push({ ip, line: i + 1 });
  });
  return out;
}
