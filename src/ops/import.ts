// `f2b-scan import <file> --jail j [--bantime s]`: bans from another host's export (list,
// ipset restore file or JSON) into a jail, with expiry: --bantime, else the time the file
// gives, else the jail's bantime. Applied through the jail's actions (origin 'import').

import { readFile } from 'node:fs/promises';
import { tryParseDuration } from '../config/duration.ts';
import { banRecord } from '../log/index.ts';
import type { Decision } from '../types.ts';
import { UsageError } from '../util/errors.ts';
import { EXIT } from '../util/errors.ts';
import { parseImport } from './import-parse.ts';
import { applyAndSave, findJail, iso, withSession, type OpsOptions, type OpsResult } from './session.ts';
import { addTotals } from './totals.ts';
import { parseKey } from '../net/key.ts';
import { getBan, setBan } from '../state/bans.ts';
import { deleteTicket } from '../state/tickets.ts';
import { getHistory } from '../state/history.ts';

export async function runImport(opts: OpsOptions & { file: string; jail: string; bantime?: string }): Promise<OpsResult> {
  let bantime: number | undefined;
  if (opts.bantime !== undefined) {
    const v = tryParseDuration(opts.bantime);
    if (typeof v === 'string') throw new UsageError(`import: --bantime ${JSON.stringify(opts.bantime)}: ${v}`);
    bantime = v;
  }
  let text: string;
  try {
    text = opts.file === '-' ? await readStdin() : await readFile(opts.file, 'utf8');
  } catch (e) {
    throw new UsageError(`import: ${opts.file}: ${(e as Error).message}`);
  }
  const parsed = parseImport(text, opts.file === '-' ? '<stdin>' : opts.file, opts.now);

  return withSession(opts, async (s) => {
    const jail = findJail(s.config, opts.jail);
    const verb = opts.dryRun ? 'would ' : '';
    const messages = [...s.warnings.map((w) => `warning: ${w}`), ...parsed.problems.map((p) => `warning: ${p}`)];
    const lines: string[] = [];
    const decisions: Decision[] = [];
    const seconds = bantime ?? jail.bantime;
    for (const e of parsed.entries) {
      const until = bantime !== undefined || e.until === undefined ? (seconds < 0 ? null : opts.now + seconds) : e.until;
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
    const inputCode = parsed.problems.length > 0 ? EXIT.inputWarning : EXIT.ok;
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
