// ignorecommand: a program that says whether an address must not be banned (exit 0 = ignore,
// 1 = ban as usual, anything else = a warning and no ignore). fail2ban hands the line to a shell;
// we split it into words once (quotes as a shell reads them), substitute `<ip>` wherever it
// stands in a word (`<ip>`, "<ip>", --ip=<ip>, a `sh -c '... <ip> ...'` script the user wrote),
// and run the words through execa without a shell. Only an address is ever put into a word
// with other text: a value that is not address-shaped is refused there.

import type { Place } from '../types.ts';
import { ConfigError } from '../util/errors.ts';

export const DEFAULT_IGNORECOMMAND_TIMEOUT_MS = 10_000;
export const IP_TAG = '<ip>';

export interface IgnoreCommand {
  /** As written in the config. */
  text: string;
  /** The words; `<ip>` in a word takes the address. */
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
      // Other tags (<F-USER>, ...) would carry log text: not into a command line.
      if (tag.toLowerCase() !== IP_TAG) throw refuse(`${tag} is not supported (only ${IP_TAG})`);
    }
  }
  return { text, argv: argv.map((w) => w.replace(IP_TAGS, IP_TAG)) };
}

const IP_TAGS = /<ip>/gi;
/** What an address's text is made of (IPv4, IPv6, IPv4-mapped): safe inside any word. */
const ADDRESS_SHAPED = /^[0-9A-Fa-f:.]+$/;

/**
 * The argument list with `<ip>` replaced by the address: a word that is `<ip>` alone gets the
 * value verbatim; inside other text only an address-shaped value is accepted (throws otherwise).
 */
export function ignoreCommandArgv(cmd: IgnoreCommand, ip: string): string[] {
  return cmd.argv.map((w) => {
    if (w === IP_TAG) return ip;
    if (!w.includes(IP_TAG)) return w;
    if (!ADDRESS_SHAPED.test(ip)) throw new Error(`${JSON.stringify(ip)} is not an address, and "${w}" would carry it inside other text`);
    return w.split(IP_TAG).join(ip);
  });
}

/** Run the command for one address (I/O). Never throws for the command's own failure. */
export async function runIgnoreCommand(
  cmd: IgnoreCommand,
  ip: string,
  timeoutMs = DEFAULT_IGNORECOMMAND_TIMEOUT_MS,
): Promise<IgnoreAnswer> {
  let argv: string[];
  try {
    argv = ignoreCommandArgv(cmd, ip);
  } catch (e) {
    return { error: `ignorecommand "${cmd.text}" for ${ip}: ${(e as Error).message}` };
  }
  const [file, ...args] = argv;
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
