// The stock fail2ban action names a ban mail answers to, and what each asks for. The jail.conf
// shortcuts build them from `mta`: action_mw = `%(mta)s-whois`, action_mwl =
// `%(mta)s-whois-lines`, so with mta = sendmail, mail or smtp. No imports: the registry
// reads this list on every run.

import type { MailKind } from './mail-message.ts';

const PREFIXES = ['sendmail', 'mail', 'smtp'];

/** Name suffix -> what the mail holds. *-matches variants carry the ban's lines, like -lines. */
const SUFFIXES: [string, MailKind][] = [
  ['', 'plain'],
  ['-buffered', 'plain'],
  ['-whois', 'whois'],
  ['-whois-lines', 'lines'],
  ['-whois-matches', 'lines'],
  ['-whois-ipmatches', 'lines'],
  ['-whois-ipjailmatches', 'lines'],
];

export const MAIL_ACTIONS: ReadonlyMap<string, MailKind> = new Map(
  PREFIXES.flatMap((p) => SUFFIXES.map(([s, kind]) => [`${p}${s}`, kind] as [string, MailKind])),
);
