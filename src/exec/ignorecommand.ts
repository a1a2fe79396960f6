// ignorecommand: a program that says whether an address must not be banned (exit 0 = ignore,
// 1 = ban as usual, anything else = a warning and no ignore). fail2ban hands the line to a shell;
// we split it into words once, substitute `<ip>` only where it is a whole word, and run the
// words through execa without a shell, so no address (or anything posing as one) is ever parsed
// as shell syntax.

import type { Place } from '../types.ts';
import { ConfigError } from '../util/errors.ts';

export const DEFAULT_IGNORECOMMAND_TIMEOUT_MS = 10_000;
export const IP_TAG = '<ip>';

export interface IgnoreCommand {
  /** As written in the config. */
  text: string;
  /** The words; a word equal to IP_TAG takes the address. */
  argv: string[];
}

export type IgnoreAnswer = { ignore: boolean } | { error: string };

/**
 * Split a command line into words like a POSIX shell does for quotes and backslashes, but with
 * no expansion at all: pipes, redirections, `;`, `&`, `$` and backquotes are refused, since
 * without a shell they would silently mean something else. Throws ConfigError.
 */
export function parseIgnoreCommand(text: string, place: Place): IgnoreCommand {
  const refuse = (msg: string) => new ConfigError(place, `ignorecommand "${text}": ${msg}`);
  const argv: string[] = [];
  let word: string | null = null;
  let i = 0;
  const add = (s: string) => (word = (word ?? '') + s);
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      if (word !== null) argv.push(word);
      word = null;
      i++;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw refuse('a single quote is not closed');
      add(text.slice(i + 1, end));
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      let s = '';
      for (; j < text.length && text[j] !== '"'; j++) {
        const d = text[j]!;
        if (d === '$' || d === '`') throw refuse(`"${d}" asks for shell expansion, which does not happen here; put the logic in a script`);
        if (d === '\\' && j + 1 < text.length && '"\\$`'.includes(text[j + 1]!)) s += text[++j];
        else s += d;
      }
      if (j >= text.length) throw refuse('a double quote is not closed');
      add(s);
      i = j + 1;
    } else if (c === '\\') {
      if (i + 1 < text.length) add(text[i + 1]!);
      i += 2;
    } else if (c === '<' && /^<[A-Za-z][\w-]*>/.test(text.slice(i))) {
      const tag = /^<[A-Za-z][\w-]*>/.exec(text.slice(i))![0];
      add(tag);
      i += tag.length;
    } else if ('|;&<>$`(){}'.includes(c)) {
      throw refuse(`"${c}" is shell syntax, and the command runs without a shell; put the logic in a script`);
    } else {
      add(c);
      i++;
    }
  }
  if (word !== null) argv.push(word);
  if (argv.length === 0) throw refuse('is empty');
  for (const w of argv) {
    for (const tag of w.match(/<[A-Za-z][\w-]*>/g) ?? []) {
      if (tag.toLowerCase() !== IP_TAG) throw refuse(`${tag} is not supported (only ${IP_TAG})`);
      if (w !== tag) throw refuse(`${IP_TAG} must be a word of its own, not part of "${w}"`);
    }
  }
  return { text, argv: argv.map((w) => (w.toLowerCase() === IP_TAG ? IP_TAG : w)) };
}

/** The argument list with `<ip>` words replaced by the address, verbatim. */
export function ignoreCommandArgv(cmd: IgnoreCommand, ip: string): string[] {
  return cmd.argv.map((w) => (w === IP_TAG ? ip : w));
}

/** Run the command for one address (I/O). Never throws for the command's own failure. */
export async function runIgnoreCommand(
  cmd: IgnoreCommand,
  ip: string,
  timeoutMs = DEFAULT_IGNORECOMMAND_TIMEOUT_MS,
): Promise<IgnoreAnswer> {
  const [file, ...args] = ignoreCommandArgv(cmd, ip);
  // Loaded here: a run that asks no command (most runs) never loads execa.
  const { execa } = await import('execa');
  const r = await execa(file!, args, {
    reject: false,
    shell: false,
    stdin: 'ignore',
    timeout: timeoutMs,
    forceKillAfterDelay: 1000,
  });
  if (r.timedOut) return { error: `ignorecommand "${cmd.text}" for ${ip}: no answer within ${timeoutMs} ms` };
  if (r.exitCode === 0) return { ignore: true };
  if (r.exitCode === 1) return { ignore: false };
  const why = r.exitCode === undefined ? (r.shortMessage ?? 'could not run') : `exit code ${r.exitCode}`;
  const stderr = typeof r.stderr === 'string' ? r.stderr.split('\n')[0] : '';
  return { error: `ignorecommand "${cmd.text}" for ${ip}: ${why}${stderr ? `: ${stderr}` : ''}` };
}
