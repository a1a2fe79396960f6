// Quoting for the shell. Commands themselves never go through a shell here (execa gets
// argument arrays); these functions make a command printable and, for fail2ban action
// files that must run through /bin/sh, make a value from a log inert.

/** Characters that never need quoting in a POSIX shell word. */
const SAFE_WORD = /^[A-Za-z0-9_\-+=.,/:@%]+$/;

/** One POSIX shell word that the shell reads back as exactly `s`, whatever it holds. */
export function shellQuote(s: string): string {
  if (s === '') return "''";
  if (SAFE_WORD.test(s)) return s;
  // Inside single quotes nothing is special except the quote itself: close, add \', reopen.
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A command line a person can paste into a shell to run the same thing. */
export function printableCommand(cmd: string, args: readonly string[]): string {
  return [cmd, ...args].map(shellQuote).join(' ');
}
