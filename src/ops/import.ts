// `f2b-scan import <file> --jail j [--bantime s]`: bans from another host's export (list,
// ipset restore file or JSON) into a jail, with expiry: --bantime, else the time the file
// gives (bounded: import-times.ts), else the jail's bantime. Applied through the jail's
// actions (origin 'import').

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
import { parseKey } from '../net/key.ts';
import { getBan, setBan } from '../state/bans.ts';
import { deleteTicket } from '../state/tickets.ts';
import { getHistory } from '../state/history.ts';

export async function runImport(opts: OpsOptions & { file: string; jail: string; bantime?: string }): Promise<OpsResult> {
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
    const verb = opts.dryRun ? 'would ' : '';
    const messages = [...s.warnings.map((w) => `warning: ${w}`), ...parsed.problems.map((p) => `warning: ${p}`)];
    let problems = 0;
    const lines: string[] = [];
    const decisions: Decision[] = [];
    const seconds = bantime ?? jail.bantime;
    const maxtime = importMaxtime(jail);
    const capped: number[] = [];
    for (const e of parsed.entries) {
      let until: number | null;
      if (bantime !== undefined || e.until === undefined) until = seconds < 0 ? null : opts.now + seconds;
      else {
        const u = importedUntil(e.until, opts.now, maxtime);
        if ('dropped' in u) {
          messages.push(`warning: ${source}${parsed.format === 'json' ? `: entry ${e.line}` : `:${e.line}`}: ${e.ip}: ${u.dropped}; skipped`);
          problems++;
          continue;
        }
        if (u.capped) capped.push(e.line);
        until = u.until;
      }
      if (until !== null && until <= opts.now) continue; // ran out already
      const key = parseKey(e.ip);
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
    const inputCode = parsed.problems.length + problems > 0 ? EXIT.inputWarning : EXIT.ok;
    const output = lines.map((l) => l + '\n').join('');
    if (decisions.length === 0) {
      if (!opts.dryRun && lines.length > 0) await (await import('../state/store.ts')).saveState(opts.statePath, s.state);
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
