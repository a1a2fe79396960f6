// `f2b-scan import <file> --jail j [--bantime s] [--fleet]`: bans from a ban list (our export,
// a plain list, Spamhaus DROP/EDROP, CrowdSec's decisions, an ipset restore file: see
// import-parse.ts) into a jail, with expiry: --bantime, else the time the entry gives, else
// the list's own (DROP's `; Expires:`) — the file's word, at most maxtime (import-times.ts) —
// else the jail's bantime. Applied through the jail's
// actions (origin 'import'); with --fleet published to the other hosts too. CIDR ranges only
// where the jail's firewall holds them.

import { readFile } from 'node:fs/promises';
import { checkedDuration } from '../config/duration.ts';
import { banRecord } from '../log/index.ts';
import type { Decision } from '../types.ts';
import { UsageError } from '../util/errors.ts';
import { EXIT } from '../util/errors.ts';
import { parseImport } from './import-parse.ts';
import { importedUntil, importMaxtime } from './import-times.ts';
import { applyAndSave, findJail, iso, withSession, type OpsOptions, type OpsResult } from './session.ts';
import { addTotals } from './totals.ts';
import { rangeRefusalFor } from '../actions/index.ts';
import type { NewBan } from '../fleet/index.ts';
import { isRangeText } from '../net/cidr.ts';
import { fleetPublisher, publishAndSay, publishedBansLine } from './fleet-publish.ts';
import { parseKeyOrRange } from '../net/key.ts';
import { getBan, setBan } from '../state/bans.ts';
import { deleteTicket } from '../state/tickets.ts';
import { getHistory } from '../state/history.ts';

export async function runImport(opts: OpsOptions & { file: string; jail: string; bantime?: string; fleet?: boolean }): Promise<OpsResult> {
  let bantime: number | undefined;
  if (opts.bantime !== undefined) {
    const v = checkedDuration(opts.bantime, true);
    if (typeof v === 'string') throw new UsageError(`import: --bantime: ${v}`);
    bantime = v;
  }
  let text: string;
  try {
    text = opts.file === '-' ? await readStdin() : await readFile(opts.file, 'utf8');
  } catch (e) {
    throw new UsageError(`import: ${opts.file}: ${(e as Error).message}`);
  }
  const source = opts.file === '-' ? '<stdin>' : opts.file;
  const parsed = parseImport(text, source, opts.now);

  return withSession(opts, async (s) => {
    const jail = findJail(s.config, opts.jail);
    const fleet = opts.fleet ? await fleetPublisher(s, opts, 'import --fleet') : null;
    const verb = opts.dryRun ? 'would ' : '';
    const messages = [...s.warnings.map((w) => `warning: ${w}`), ...parsed.problems.map((p) => `warning: ${p}`)];
    // Ranges into a jail whose firewall holds hosts only: all left out, said once.
    const firstRange = parsed.entries.find((e) => isRangeText(e.ip));
    const refused = firstRange ? await rangeRefusalFor(jail, s.config.actionDirs, firstRange.ip) : null;
    if (refused) {
      const n = parsed.entries.filter((e) => isRangeText(e.ip)).length;
      messages.push(`warning: ${n} range${n === 1 ? '' : 's'} of ${opts.file} left out: jail ${jail.name}: ${refused}`);
      parsed.problems.push(refused);
      parsed.entries = parsed.entries.filter((e) => !isRangeText(e.ip));
    }
    const published: NewBan[] = [];
    const lines: string[] = [];
    const decisions: Decision[] = [];
    const seconds = bantime ?? jail.bantime;
    const listEnd = bantime === undefined ? parsed.expires : undefined;
    const maxtime = importMaxtime(jail);
    const capped: number[] = [];
    let problems = 0;
    for (const e of parsed.entries) {
      // The file's word (the entry's end, "for good", or the list's Expires) lasts at most maxtime;
      // --bantime and the jail's bantime are the operator's own and are not cut.
      const fileSays = bantime !== undefined ? undefined : e.until !== undefined ? e.until : listEnd;
      let until: number | null;
      if (fileSays === undefined) until = seconds < 0 ? null : opts.now + seconds;
      else {
        const u = importedUntil(fileSays, opts.now, maxtime);
        if ('dropped' in u) {
          messages.push(`warning: ${source}${parsed.format === 'json' ? `: entry ${e.line}` : `:${e.line}`}: ${e.ip}: ${u.dropped}; skipped`);
          problems++;
          continue;
        }
        if (u.capped) capped.push(e.line);
        until = u.until;
      }
      if (until !== null && until <= opts.now) continue; // ran out already
      published.push({ jail: jail.name, ip: e.ip, start: opts.now, until, failures: 0 });
      const key = parseKeyOrRange(e.ip);
      if (key === null) continue;
      const have = getBan(s.state, jail.name, key);
      if (have && (have.until === null || have.until > opts.now)) {
        // Held already: only ever lengthen it (the firewall has it; nothing to apply).
        if (have.until !== null && (until === null || until > have.until)) {
          setBan(s.state, jail.name, key, { ...have, until });
          lines.push(`${verb}extend ${e.ip} in ${jail.name} until ${iso(until)}`);
        }
        continue;
      }
      const h = getHistory(s.state, key);
      const count = (h && Object.hasOwn(h.jails, jail.name) ? h.jails[jail.name]! : 0) + 1;
      setBan(s.state, jail.name, key, { start: opts.now, until, failures: 0, count, origin: 'import' });
      deleteTicket(s.state, jail.name, key);
      addTotals(s.state, jail.name, { banned: 1 });
      decisions.push({ kind: 'ban', jail: jail.name, ip: e.ip, failures: 0, start: opts.now, until, count, origin: 'import', lines: [] });
      lines.push(`${verb}ban ${e.ip} in ${jail.name} until ${iso(until)}`);
    }
    if (capped.length > 0) {
      const shown = capped.slice(0, 5).join(', ') + (capped.length > 5 ? `, ... (${capped.length} in all)` : '');
      messages.push(`warning: ${source}: ${capped.length} ban${capped.length === 1 ? '' : 's'} without end or longer than ${maxtime} s (the jail's bantime.maxtime, else one week) cut to that (${parsed.format === 'json' ? 'entries' : 'lines'} ${shown}); use --bantime to choose`);
      problems++;
    }
    let inputCode: number = parsed.problems.length + problems > 0 ? EXIT.inputWarning : EXIT.ok;
    if (fleet && published.length > 0) {
      const code = await publishAndSay(fleet, { bans: published }, [publishedBansLine(verb, published.length, jail.name)], { lines, messages });
      if (code !== EXIT.ok) inputCode = code;
    }
    const output = lines.map((l) => l + '\n').join('');
    if (decisions.length === 0) {
      if (!opts.dryRun && (lines.length > 0 || fleet)) await (await import('../state/store.ts')).saveState(opts.statePath, s.state);
      return { output, messages, exitCode: inputCode };
    }
    const applied = await applyAndSave(s, opts, decisions, decisions.map((d) => banRecord(opts.now, d.jail, d.ip)));
    return { output, messages: [...messages, ...applied.messages], exitCode: applied.exitCode !== EXIT.ok ? applied.exitCode : inputCode };
  });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
