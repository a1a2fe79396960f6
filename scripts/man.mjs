// The man page f2b-scan.1, made from the built CLI's own --help output (the yargs
// command definitions), so there is no second hand-written copy to keep in step.
// Each command's help is read by running it; nested commands (fleet status) too.
// The exit codes come from the README's table, the one place they are documented.

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

/** The width yargs wraps help to when stdout is not a terminal (main.ts: .wrap(min(100, columns || 100))). */
const HELP_WIDTH = 100;

/** Run the CLI with these arguments and return its help text. */
function helpOf(cli, args) {
  return execFileSync(process.execPath, [cli, ...args, '--help'], {
    encoding: 'utf8',
    env: { ...process.env, COLUMNS: '100', FORCE_COLOR: '0' },
  });
}

/**
 * Split yargs help text into its head (usage and description paragraphs) and its
 * sections ("Options:" ...), each a list of {term, text}: a new entry starts left of
 * the description column, wrapped lines and right-aligned [type] notes continue it.
 */
export function parseHelp(text) {
  const lines = text.replace(/\s+$/, '').split('\n');
  const head = [];
  const sections = [];
  let current = null;
  for (const line of lines) {
    if (/^\S.*:$/.test(line)) {
      current = { title: line.slice(0, -1), lines: [] };
      sections.push(current);
    } else if (current) current.lines.push(line);
    else head.push(line);
  }
  for (const s of sections) {
    const cols = new Map();
    for (const l of s.lines) {
      const m = /^( {1,8})(\S(?:.*?\S)?)( {2,})\S/.exec(l);
      if (m) cols.set(m[0].length - 1, (cols.get(m[0].length - 1) ?? 0) + 1);
    }
    const descCol = [...cols.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? 1e9;
    s.entries = [];
    let prevLeft = '';
    for (const l of s.lines) {
      if (!l.trim()) {
        prevLeft = '';
        continue;
      }
      // Two columns: the term left of descCol, its description from descCol on.
      const cut = Math.min(descCol, l.length);
      const left = l.slice(0, cut).trim();
      const right = l.slice(cut).replace(/\s+/g, ' ').trim();
      const last = s.entries.at(-1);
      // A row continues the entry above when its term part is empty (a wrapped
      // description, a right-aligned [type] note), or when the term column is at its
      // cap (yargs: half the wrap width) and this row's first word would not have fitted
      // on the row above (the term itself was wrapped, as long examples are).
      const firstWord = left.split(' ')[0] ?? '';
      const capped = descCol - 4 >= HELP_WIDTH / 2;
      const wrappedTerm = capped && last && prevLeft && prevLeft.length + 1 + firstWord.length > descCol - 4;
      if (last && (!left || wrappedTerm)) {
        if (left) last.term = `${last.term} ${left}`;
        if (right) last.text = `${last.text} ${right}`.trim();
      } else {
        s.entries.push({ term: left, text: right });
      }
      prevLeft = left;
    }
  }
  const paragraphs = head.join('\n').split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean);
  return { usage: paragraphs[0] ?? '', description: paragraphs.slice(1), sections };
}

/** Escape text for roff: backslashes, hyphens in flags, a leading dot or quote. */
function esc(s) {
  return s.replace(/\\/g, '\\e').replace(/-/g, '\\-').replace(/^([.'])/gm, '\\&$1');
}

const section = (help, title) => help.sections.find((s) => s.title === title)?.entries ?? [];

/** Command paths under `prefix`, from a help's Commands: section ("f2b-scan fleet <command>" -> ['fleet']). */
function subcommands(help, prefix) {
  return section(help, 'Commands').map((e) => {
    const words = e.term.split(/\s+/).slice(1);
    const path = [];
    for (const w of words) {
      if (/^[<[]/.test(w)) break;
      path.push(w);
    }
    return { path, term: e.term, text: e.text };
  }).filter((c) => c.path.length === prefix.length + 1 && prefix.every((p, i) => c.path[i] === p));
}

function optionList(entries) {
  return entries.map((e) => `.TP\n.B ${esc(e.term)}\n${esc(e.text || ' ')}\n`).join('');
}

function exampleList(entries) {
  return entries.map((e) => `.TP\n.B ${esc(e.term)}\n${esc(e.text || ' ')}\n`).join('');
}

/**
 * A two-column table of the README under `heading` ("### Exit codes", "### Environment"), as
 * .TP entries (empty if it is missing): the README is the one place these are documented.
 */
function readmeTable(readme, heading) {
  const i = readme.indexOf(`${heading}\n`);
  if (i < 0) return '';
  const table = [];
  for (const line of readme.slice(i).split('\n').slice(1)) {
    if (line.startsWith('|')) table.push(line);
    else if (table.length) break;
  }
  const plain = (s) => s.replace(/`/g, '').replace(/\[([^\]]+)\]\([^)]+\)/g, '$1');
  // Past the header row and the | --- | row.
  return table.slice(2).map((line) => {
    const [, term = '', text = ''] = /^\|\s*(.*?)\s*\|\s*(.*?)\s*\|$/.exec(line) ?? [];
    return `.TP\n.B ${esc(plain(term))}\n${esc(plain(text))}\n`;
  }).join('');
}

export function renderManPage({ cli, version, date, readme }) {
  const top = parseHelp(helpOf(cli, []));
  // Walk the command tree through each command's own --help.
  const commands = [];
  const walk = (help, prefix) => {
    for (const c of subcommands(help, prefix)) {
      let text = '';
      try {
        text = helpOf(cli, c.path);
      } catch (e) {
        // A command whose --help fails is a bug of its own; the page lists it without details.
        process.stderr.write(`man page: f2b-scan ${c.path.join(' ')} --help failed: ${String(e.stderr || e.message).split('\n')[0]}\n`);
      }
      // yargs' own `completion` prints its script even with --help: no help to read there.
      const own = text.startsWith('f2b-scan') ? parseHelp(text) : { usage: c.term, description: [c.text], sections: [], plain: true };
      const nested = subcommands(own, c.path);
      if (nested.length) walk(own, c.path);
      else commands.push({ ...c, help: own });
    }
  };
  walk(top, []);
  // Global options: those every command's help lists.
  const optionTerms = (h) => new Set(section(h, 'Options').map((e) => e.term));
  const global = section(top, 'Options').filter((e) => commands.every((c) => c.help.plain || optionTerms(c.help).has(e.term)));
  const globalTerms = new Set(global.map((e) => e.term));

  let out = '';
  out += `.\\" Generated by scripts/man.mjs from f2b-scan --help; do not edit.\n`;
  out += `.TH F2B\\-SCAN 1 "${date}" "f2b-scan ${esc(version)}" "User Commands"\n`;
  out += `.nh\n`; // no hyphenation: flags and file names are copied from the page
  out += `.SH NAME\nf2b\\-scan \\- ${esc(top.description[0] ?? '')}\n`;
  out += `.SH SYNOPSIS\n`;
  for (const c of commands) out += `.B ${esc(c.term.replace(/^f2b-scan /, 'f2b-scan '))}\n[\\fIoptions\\fR]\n.br\n`;
  out += `.SH DESCRIPTION\n${top.description.slice(1).map(esc).join('\n.PP\n') || esc(top.description[0] ?? '')}\n`;
  out += `.PP\nEach run reads the new lines of the configured logs, counts failures, bans and unbans, updates its state file and exits; run it from cron or a systemd timer.\n`;
  out += `.SH COMMANDS\n`;
  for (const c of commands) {
    const h = c.help;
    out += `.SS "${esc(c.term)}"\n${esc(h.description[0] ?? c.text)}\n`;
    for (const p of h.description.slice(1)) out += `.PP\n${esc(p)}\n`;
    const pos = section(h, 'Positionals');
    if (pos.length) out += `.PP\nArguments:\n.RS\n${optionList(pos)}.RE\n`;
    const own = section(h, 'Options').filter((e) => !globalTerms.has(e.term));
    if (own.length) out += `.PP\nOptions:\n.RS\n${optionList(own)}.RE\n`;
    const ex = section(h, 'Examples');
    if (ex.length) out += `.PP\nExamples:\n.RS\n${exampleList(ex)}.RE\n`;
  }
  out += `.SH OPTIONS\nThese options go with every command.\n${optionList(global)}`;
  const env = readmeTable(readme, '### Environment');
  if (env) out += `.SH ENVIRONMENT\n${env}`;
  const codes = readmeTable(readme, '### Exit codes');
  if (codes) out += `.SH EXIT STATUS\n${codes}`;
  out += `.SH FILES\n`;
  out += `.TP\n.I /etc/f2b\\-scan/\nconfiguration: jail.local, jail.d/, filter.d/, action.d/ (fail2ban's layout), searched before the shipped rules\n`;
  out += `.TP\n.I /var/lib/f2b\\-scan/state.json\nthe state carried from one run to the next\n`;
  out += `.SH SEE ALSO\n.BR fail2ban (1),\n.BR systemd.timer (5),\n.BR crontab (5)\n`;
  return out;
}

export function writeManPage(cli, outFile) {
  const root = new URL('..', import.meta.url);
  const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
  let readme = '';
  try {
    readme = readFileSync(new URL('README.md', root), 'utf8');
  } catch {}
  // Reproducible: the date is SOURCE_DATE_EPOCH when set (Debian's convention).
  const epoch = Number(process.env.SOURCE_DATE_EPOCH);
  const date = new Date(Number.isFinite(epoch) && epoch > 0 ? epoch * 1000 : Date.now()).toISOString().slice(0, 10);
  // The bundle is the product; a page that cannot be made is reported, not fatal to the build.
  try {
    writeFileSync(outFile, renderManPage({ cli, version: pkg.version, date, readme }));
  } catch (e) {
    process.stderr.write(`man page not written: ${String(e.stderr || e.message).split('\n')[0]}\n`);
    process.exitCode = 1;
  }
}
